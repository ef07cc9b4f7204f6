"""The real pre-commit runs the hooks from this repository's .pre-commit-hooks.yaml.

pre-commit installs the hook repository with pip into its own virtualenv, so this test needs
the package registry (as `pip install` itself does). It is skipped only when pre-commit is not
installed or pip cannot reach an index; any other failure fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(".git", ".ci", ".venv", "*.egg-info", "__pycache__", ".pytest_cache",
                                ".ruff_cache", ".clawlint_cache", "build", "dist")


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_manifest_shape():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in hooks}
    assert set(ids) == {"clawlint", "clawlint-fix"}
    for h in hooks:
        assert h["language"] == "python"
        assert h["require_serial"] is True
        assert h["entry"].startswith("clawlint check")
    assert "--fix" in ids["clawlint-fix"]["entry"]
    import re

    pat = re.compile(ids["clawlint"]["files"])
    for path in ("AGENTS.md", "memory/cards/a.md", "openclaw.json", "ws/openclaw.json5",
                 "hooks/x/handler.ts"):
        assert pat.search(path), path
    for path in ("script.py", "data.bin", "memory/notes.txt"):
        assert not pat.search(path), path


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_real_pre_commit_runs_the_hook(tmp_path: Path):
    pytest.importorskip("pre_commit")
    # 1. A snapshot of this working tree as the hook repository.
    hook_repo = tmp_path / "hook-repo"
    shutil.copytree(REPO, hook_repo, ignore=IGNORE)
    git(hook_repo, "init", "-q")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-qm", "snapshot")
    rev = git(hook_repo, "rev-parse", "HEAD")

    # 2. A workspace repository that uses it.
    ws = tmp_path / "ws"
    (ws / "memory" / "cards").mkdir(parents=True)
    (ws / "AGENTS.md").write_text("# Agents\n\nBe concise.\n")
    (ws / "memory" / "cards" / "ssh.md").write_text("---\ntopic: SSH: keys\n---\nbody\n")
    (ws / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hook_repo}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: clawlint\n"
        "        args: [--select, PAR]\n"
    )
    git(ws, "init", "-q")
    git(ws, "add", "-A")

    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pc-home"), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=ws, env=env, capture_output=True, text=True, timeout=900,
    )
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 and ("Could not find a version" in out or "NewConnectionError" in out
                                 or "Temporary failure in name resolution" in out):
        pytest.skip("pip could not reach a package index to install the hook")
    assert proc.returncode == 1, out
    assert "clawlint" in out and "Failed" in out
    assert "memory/cards/ssh.md:2:" in out and "PAR007" in out

    # 3. Fixing the card makes the hook pass.
    (ws / "memory" / "cards" / "ssh.md").write_text("---\ntopic: \"SSH: keys\"\n---\nbody\n")
    git(ws, "add", "-A")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=ws, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
