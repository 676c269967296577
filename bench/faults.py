"""Fault-injection figures: the tests/faults scenarios run longer, with their measurements as a table.

Each scenario starts its own redis-server and PostgreSQL cluster (initdb + pg_ctl, Debian's
PostgreSQL server binaries) and the app and arq workers as real processes, breaks something on
purpose (Redis SIGKILLed during ingest, PostgreSQL crashed during a drain, workers SIGKILLed
mid-batch and mid-rollup, hanging webhooks and an SMTP server that hangs up, skewed clocks, two web
processes and two workers) and counts by the event ids the client sent: accepted (2xx), stored,
missing, duplicates, and the seconds to recover.  A scenario fails if any acknowledged event is
missing or doubled, or if the rollups differ from the raw events.

    .venv/bin/python bench/faults.py [--scale 4] [-k redis]

``--scale`` multiplies event counts and fault durations (CI runs the same scenarios at 1).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=4.0, help="multiply event counts and fault durations")
    parser.add_argument("-k", default=None, help="only scenarios matching this pytest -k expression")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.json"
        env = {**os.environ, "FAULTS_SCALE": str(args.scale), "FAULTS_FIGURES": str(out)}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/faults"]
        if args.k:
            cmd += ["-k", args.k]
        started = time.monotonic()
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        figures = json.loads(out.read_text()) if out.exists() else []
    print(f"fault scenarios at scale {args.scale:g}: {len(figures)} measured in {elapsed:.0f} s")
    for row in figures:
        name = row.pop("scenario")
        head = {k: row.pop(k) for k in ("sent", "accepted", "stored", "missing", "duplicates") if k in row}
        print(f"\n{name}")
        if head:
            print("  " + "  ".join(f"{k}={v}" for k, v in head.items()))
        for k, v in row.items():
            print(f"  {k}: {v}")
    if done.returncode != 0:
        print("\nFAILED:\n" + done.stdout[-6000:] + done.stderr[-2000:])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
