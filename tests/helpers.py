"""Test helpers: build workspaces from dicts or rule-doc examples and lint them."""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from clawlint.config import Settings
from clawlint.diagnostics import Diagnostic
from clawlint.engine import RunOptions, lint_workspace
from clawlint.knowledge.workspace_files import WORKSPACE_MARKERS
from clawlint.registry import resolve_selection
from clawlint.ruledocs import ExampleFile
from clawlint.workspace import Workspace


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")


def materialize(root: Path, examples: list[ExampleFile], info: dict[str, str]) -> None:
    """Write doc example blocks; the fence info may carry escape/repeat/symlink/fifo."""
    for ex in examples:
        p = root / ex.path
        p.parent.mkdir(parents=True, exist_ok=True)
        attrs = info.get(ex.path, "")
        if m := re.search(r"\bsymlink=(\S+)", attrs):
            os.symlink(m.group(1), p)
            continue
        if re.search(r"\bfifo\b", attrs):
            os.mkfifo(p)
            continue
        data: bytes
        if re.search(r"\bescape\b", attrs):
            data = codecs.escape_decode(ex.content.strip("\n").encode("ascii"))[0]
        else:
            data = ex.content.encode("utf-8")
        if m := re.search(r"\brepeat=(\d+)", attrs):
            data = data * int(m.group(1))
        p.write_bytes(data)
    if not any((root / m).exists() or (root / m).is_symlink() for m in WORKSPACE_MARKERS):
        (root / "memory").mkdir(exist_ok=True)


def lint(root: Path, select: list[str] | None = None, settings: Settings | None = None,
         targets: list[str] | None = None) -> list[Diagnostic]:
    settings = settings or Settings()
    active = resolve_selection(settings, select)
    result = lint_workspace(Workspace(root, settings, targets), RunOptions(active=active))
    assert not result.internal_errors, result.internal_errors
    return result.diagnostics


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def run_start_cache_probe(tmp_path: Path, probe: str, off_var: str, **env: str) -> dict:
    """Run `probe` (Python printing JSON) in a fresh process whose per-user cache is under
    tmp_path/xdg, with the start-up cache switch `off_var` unset unless given in `env`."""
    import json
    import subprocess
    import sys

    repo = Path(__file__).resolve().parent.parent
    e = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg"),
         "PYTHONPATH": str(repo) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    e.pop(off_var, None)
    e.update(env)
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=e,
                          check=True)
    return json.loads(proc.stdout)


def start_cache_file(tmp_path: Path, kind: str) -> Path:
    """The one per-user cache file of `kind` ("regex", "dataclass") under tmp_path/xdg."""
    files = list((tmp_path / "xdg" / "clawlint").glob(f"{kind}-*.marshal"))
    assert len(files) == 1
    return files[0]
