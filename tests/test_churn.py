"""Churn and diff over a temporary git repository."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from clawlint import churn as C
from clawlint import prefix as P
from clawlint.commands.cache import command
from clawlint.config import Settings
from clawlint.workspace import Workspace

pytestmark = pytest.mark.skipif(subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
                                reason="git not installed")


def _git(root: Path, *args: str, when: int | None = None) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@x")
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def _commit(root: Path, files: dict[str, str], msg: str, when: int) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", msg, when=when)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    ws = root / "agent"  # workspace in a sub-folder of the repository
    ws.mkdir(parents=True)
    _git(root, "init", "-q")
    now = int(time.time())
    day = 86400
    _commit(ws, {"AGENTS.md": "# A\n- rule\n", "MEMORY.md": "# M\n- one\n"}, "init", now - 40 * day)
    _commit(ws, {"MEMORY.md": "# M\n- one\n- two\n"}, "mem 1", now - 20 * day)
    _commit(ws, {"memory/2026-11-20.md": "- log\n"}, "daily log only", now - 15 * day)
    _commit(ws, {"MEMORY.md": "# M\n- one\n- two\n- three\n"}, "mem 2", now - 10 * day)
    _commit(ws, {"AGENTS.md": "# A\n- rule\n- rule 2\n"}, "agents", now - 5 * day)
    _commit(ws, {"AGENTS.md": "# A\n- rule\n- rule 2\n\n\n"}, "trailing blank lines only", now - 2 * day)
    return root, ws


def test_churn_counts_prefix_changes(repo):
    root, ws_dir = repo
    ws = Workspace(ws_dir, Settings())
    ch = C.churn(ws_dir, P.workspace_inputs(ws, skills=False), days=30)
    assert ch is not None
    # mem 1, mem 2, agents change the prefix; trimEnd makes the last commit a no-op;
    # the daily log is not a bootstrap file.
    assert ch.commits_scanned == 4
    assert len(ch.invalidations) == 3
    assert ch.per_file == {"MEMORY.md": 2, "AGENTS.md": 1}
    assert ch.top()[0] == ("MEMORY.md", 2)
    assert ch.per_day == pytest.approx(3 / 30)


def test_no_git_means_no_churn(tmp_path):
    (tmp_path / "AGENTS.md").write_text("# A\n")
    ws = Workspace(tmp_path, Settings())
    assert C.churn(tmp_path, P.workspace_inputs(ws, skills=False)) is None


def test_cache_command_reports_churn(repo):
    root, ws_dir = repo
    r = CliRunner().invoke(command, [str(ws_dir), "--output-format", "json"])
    assert r.exit_code == 0, r.output
    ch = json.loads(r.output)["churn"]
    assert ch["invalidations"] == 3 and ch["top"][0] == {"file": "MEMORY.md", "changes": 2}
    assert ch["min_cost_per_day"] is not None and ch["min_cost_per_day"] > 0


def test_diff_between_revisions(repo):
    root, ws_dir = repo
    r = CliRunner().invoke(command, ["diff", "HEAD~3", "HEAD~2", "-w", str(ws_dir),
                                     "--output-format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["first_difference"]["file"] == "MEMORY.md"
    assert d["first_difference"]["line"] == 4  # "- three" added
    assert d["tokens_invalidated"] > 0
    r = CliRunner().invoke(command, ["diff", "HEAD~1", "HEAD", "-w", str(ws_dir)])
    assert "no cache invalidation" in r.output  # only trailing blank lines changed
    r = CliRunner().invoke(command, ["diff", "nope", "HEAD", "-w", str(ws_dir)])
    assert r.exit_code == 2


def test_churn_includes_skills_block_changes(repo):
    root, ws_dir = repo
    now = int(time.time())
    skill = "---\nname: weather\ndescription: Forecasts.\n---\n# Weather\n"
    _commit(ws_dir, {"skills/weather/SKILL.md": skill}, "add skill", now - 3 * 86400)
    _commit(ws_dir, {"skills/weather/SKILL.md": skill + "More body.\n"}, "body only", now - 2 * 86400)
    _commit(ws_dir, {"skills/weather/SKILL.md": skill.replace("Forecasts.", "Forecasts and alerts.")},
            "reword description", now - 86400)
    ws = Workspace(ws_dir, Settings())
    ch = C.churn(ws_dir, P.workspace_inputs(ws, "main", skills=False), days=30)
    assert ch is not None
    assert ch.per_file.get("(skills)") == 2  # added + reworded; a body-only edit does not count
    times = [e["time"] for e in ch.invalidations]
    assert times == sorted(times)
    # Skills-only commits are counted as scanned: "N of M commits changed the prefix", N <= M.
    assert len(ch.invalidations) <= ch.commits_scanned


def test_diff_between_revisions_sees_the_skills_block(repo, tmp_path):
    root, ws_dir = repo
    now = int(time.time())
    skill = "---\nname: weather\ndescription: Forecasts.\n---\n# Weather\n"
    _commit(ws_dir, {"skills/weather/SKILL.md": skill}, "add skill", now - 3600)
    _commit(ws_dir, {"skills/weather/SKILL.md": skill.replace("Forecasts.", "Forecasts and alerts.")},
            "reword", now - 60)
    r = CliRunner().invoke(command, ["diff", "HEAD~1", "HEAD", "-w", str(ws_dir),
                                     "--output-format", "json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["first_difference"]["file"] == "skills"
    r = CliRunner().invoke(command, ["diff", "HEAD", str(tmp_path), "-w", str(ws_dir)])
    assert r.exit_code == 2 and "not one of each" in r.output
