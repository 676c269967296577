"""Request-recording middleware overhead: ``GET /healthz`` req/s with recording on vs off, one run.

Two uvicorn processes on the same fresh ``bench_<id>`` database and Redis prefix, one with
``REQUEST_METRICS_ENABLED=true`` and one with ``false``; wrk hits them alternately (several
rounds, so drift on a shared machine hits both sides alike) and the medians are compared.
Target: on/off >= 0.9.

    .venv/bin/python bench/monitoring_middleware.py [--rounds 3] [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from monitoring_common import BenchEnv, section

_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")


def wrk(port: int, seconds: int, connections: int) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"http://127.0.0.1:{port}/healthz"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    match = _RPS.search(out)
    if not match:
        raise RuntimeError(f"could not read wrk output:\n{out}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed (make bench installs it with apt)", file=sys.stderr)
        return 2
    with BenchEnv() as env:
        on = env.uvicorn(REQUEST_METRICS_ENABLED="true")
        off = env.uvicorn(REQUEST_METRICS_ENABLED="false")
        with section(f"warm-up ({env.db_name})"):
            wrk(on, 2, args.connections)
            wrk(off, 2, args.connections)
        results: dict[str, list[float]] = {"on": [], "off": []}
        for i in range(args.rounds):
            order = [("on", on), ("off", off)] if i % 2 == 0 else [("off", off), ("on", on)]
            for name, port in order:
                rps = wrk(port, args.seconds, args.connections)
                results[name].append(rps)
                print(f"round {i + 1}: recording {name:>3}: {rps:9.1f} req/s", flush=True)
    on_rps, off_rps = statistics.median(results["on"]), statistics.median(results["off"])
    ratio = on_rps / off_rps
    print(f"median req/s  recording on: {on_rps:.1f}  off: {off_rps:.1f}  ratio on/off: {ratio:.3f} (target >= 0.9)")
    return 0 if ratio >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
