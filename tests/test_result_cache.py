"""The result cache: changed files are re-linted, unchanged ones are not, settings invalidate."""

from __future__ import annotations

from pathlib import Path

import pytest

from clawlint import registry
from clawlint.config import Settings
from clawlint.engine import RunOptions, lint_workspace
from clawlint.registry import resolve_selection
from clawlint.workspace import Workspace

BAD = "---\ntopic: A: b\n---\nx\n"


@pytest.fixture
def calls(monkeypatch):
    """Count how often PAR007 (per-file) and PAR001 (workspace) really run."""
    registry.load_rules()
    seen: list[str] = []
    per_file = registry._RULES["PAR007"]
    workspace = registry._RULES["PAR001"]
    orig_pf, orig_ws = per_file.func, workspace.func

    def pf(ctx, f):
        seen.append(f"PAR007:{f.rel}")
        return orig_pf(ctx, f)

    def wsr(ctx):
        seen.append("PAR001")
        return orig_ws(ctx)

    monkeypatch.setattr(per_file, "func", pf)
    monkeypatch.setattr(workspace, "func", wsr)
    return seen


def run(root: Path, settings: Settings | None = None):
    s = settings or Settings()
    active = resolve_selection(s, ["PAR001", "PAR007"])
    return lint_workspace(Workspace(root, s), RunOptions(active)).diagnostics


def test_cache_hits_and_invalidation(ws, calls):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD, "memory/cards/b.md": "# ok\n"})
    first = run(root)
    assert sorted(calls) == ["PAR001", "PAR007:AGENTS.md", "PAR007:memory/cards/a.md",
                             "PAR007:memory/cards/b.md"]
    assert (root / ".clawlint_cache" / "CACHEDIR.TAG").is_file()
    assert (root / ".clawlint_cache" / ".gitignore").read_text().strip().endswith("*")

    calls.clear()
    second = run(root)
    assert calls == []  # nothing changed: everything from the cache
    assert [d.to_dict() for d in second] == [d.to_dict() for d in first]

    calls.clear()
    (root / "memory/cards/b.md").write_text(BAD)
    third = run(root)
    # Only the changed file is re-checked by the per-file rule; the cross-file rule reruns.
    assert sorted(calls) == ["PAR001", "PAR007:memory/cards/b.md"]
    assert [d.path for d in third] == ["memory/cards/a.md", "memory/cards/b.md"]

    calls.clear()
    run(root, Settings(severity={"PAR": "info"}))  # a settings change invalidates everything
    assert len(calls) == 4


def test_no_cache_bypasses(ws, calls):
    root = ws({"AGENTS.md": "# A\n"})
    run(root, Settings(no_cache=True))
    run(root, Settings(no_cache=True))
    assert calls.count("PAR001") == 2
    assert not (root / ".clawlint_cache").exists()


def test_corrupt_cache_is_ignored(ws, calls):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": BAD})
    run(root)
    for p in (root / ".clawlint_cache").rglob("*.json"):
        p.write_text("{not json")
    calls.clear()
    assert [d.code for d in run(root)] == ["PAR007"]
    assert calls  # recomputed


def test_cache_dir_is_not_linted(ws):
    root = ws({"AGENTS.md": "# A\n"})
    run(root)
    ws_obj = Workspace(root, Settings())
    assert not any(rel.startswith(".clawlint_cache") for rel in ws_obj.files)
