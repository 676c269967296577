"""The committed build (api/static/dashboard) was made from the committed sources (web/).

``npm run build`` writes ``build-source.json`` beside the page: a sha256 of each source file the
build reads (web/vite.config.js lists them) and one over all of them.  This recomputes both from
the working tree -- plain Python, no npm, so it runs offline in CI -- and fails when web/ changed
without a rebuild (or the build was edited by hand).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from api.dashboard import DASHBOARD_DIR

WEB = Path(__file__).resolve().parents[2] / "web"
REBUILD = "rebuild and commit the result: cd web && npm ci && npm run build"


def fingerprint(sources: list[str]) -> dict[str, str]:
    """Per source file under web/ (a directory: every file in it), its sha256, by posix path."""
    paths: list[Path] = []
    for source in sources:
        path = WEB / source
        paths += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    found = {p.relative_to(WEB).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    return dict(sorted(found.items()))


def test_the_committed_build_matches_web_sources():
    recorded = json.loads((DASHBOARD_DIR / "build-source.json").read_text())
    assert recorded["sources"] == ["src", "index.html", "vite.config.js", "package.json", "package-lock.json"]
    now = fingerprint(recorded["sources"])
    changed = sorted(p for p in now.keys() | recorded["files"].keys() if now.get(p) != recorded["files"].get(p))
    assert not changed, f"web/ sources differ from the ones api/static/dashboard was built from: {changed}; {REBUILD}"
    overall = hashlib.sha256("".join(f"{p}\0{h}\n" for p, h in now.items()).encode()).hexdigest()
    assert overall == recorded["sha256"], REBUILD


def test_the_fingerprint_sees_a_changed_source(tmp_path, monkeypatch):
    """The check is not vacuous: an edited or an added source file changes the fingerprint."""
    import tests.dashboard.test_build_source as me

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.js").write_text("a")
    (tmp_path / "index.html").write_text("<p>")
    monkeypatch.setattr(me, "WEB", tmp_path)
    before = fingerprint(["src", "index.html"])
    assert list(before) == ["index.html", "src/main.js"]
    (tmp_path / "src" / "main.js").write_text("b")
    assert fingerprint(["src", "index.html"]) != before
    (tmp_path / "src" / "more.js").write_text("")
    assert "src/more.js" in fingerprint(["src", "index.html"])
