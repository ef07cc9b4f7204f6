"""Skills-block churn from git history, on a temporary repository built in the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from clawlint.skills_budget import block_hash
from clawlint.skills_churn import skills_block_at, skills_block_churn

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")

DAY = 86400
NOW = 1_790_000_000  # a fixed "now" so the window does not depend on the clock


def skill(name: str, description: str, body: str = "Body.\n", extra: str = "") -> str:
    return f'---\nname: {name}\ndescription: "{description}"\n{extra}---\n{body}'


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q")
        self.git("config", "user.email", "t@example.com")
        self.git("config", "user.name", "t")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, when: int | None = None) -> str:
        env = dict(os.environ)
        if when is not None:
            stamp = f"@{when} +0000"
            env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
        out = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True,
                             text=True, env=env, check=True)
        return out.stdout.strip()

    def commit(self, files: dict[str, str | None], when: int, msg: str = "c") -> str:
        for rel, content in files.items():
            p = self.root / rel
            if content is None:
                p.unlink()
            else:
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", msg, when=when)
        return self.git("rev-parse", "HEAD")


def test_churn_counts_only_block_changes(tmp_path):
    r = Repo(tmp_path / "ws")
    r.commit({"skills/a/SKILL.md": skill("a", "A one"), "AGENTS.md": "# a\n"}, NOW - 60 * DAY)
    c_body = r.commit({"skills/a/SKILL.md": skill("a", "A one", "Other body.\n")}, NOW - 20 * DAY)
    c_desc = r.commit({"skills/a/SKILL.md": skill("a", "A two", "Other body.\n")}, NOW - 15 * DAY)
    r.commit({"AGENTS.md": "# b\n"}, NOW - 12 * DAY)
    c_add = r.commit({"skills/b/SKILL.md": skill("b", "B")}, NOW - 10 * DAY)
    c_hidden = r.commit({"skills/c/SKILL.md": skill("c", "C", extra="disable-model-invocation: true\n")},
                        NOW - 8 * DAY)
    c_rm = r.commit({"skills/b/SKILL.md": None}, NOW - 5 * DAY)
    events = skills_block_churn(r.root, 30, now=NOW)
    assert [e.commit for e in events] == [c_desc, c_add, c_rm]
    assert c_body not in {e.commit for e in events} and c_hidden not in {e.commit for e in events}
    assert events[0].date.startswith("20")
    # The hash after the removal equals the hash before the addition: same block.
    assert events[2].hash == events[0].hash
    assert events[0].hash == block_hash(skills_block_at(r.root, c_desc))
    # A short window keeps only the last change; a long one reaches the repository's first
    # commit, which is the starting point, not a change (as for the bootstrap files).
    assert [e.commit for e in skills_block_churn(r.root, 6, now=NOW)] == [c_rm]
    assert len(skills_block_churn(r.root, 365, now=NOW)) == 3


def test_workspace_in_a_subfolder_and_tree_untouched(tmp_path):
    r = Repo(tmp_path / "repo")
    r.commit({"agent/skills/x/SKILL.md": skill("x", "X"), "agent/AGENTS.md": "a\n",
              "skills/other/SKILL.md": skill("other", "Not this workspace")}, NOW - 3 * DAY)
    c2 = r.commit({"agent/skills/x/SKILL.md": skill("x", "X2")}, NOW - 2 * DAY)
    r.commit({"skills/other/SKILL.md": skill("other", "Still not")}, NOW - 1 * DAY)
    (r.root / "agent/skills/x/SKILL.md").write_text("uncommitted edit\n")
    head = r.git("rev-parse", "HEAD")
    status = r.git("status", "--porcelain")
    events = skills_block_churn(r.root / "agent", 30, now=NOW)
    assert [e.commit for e in events] == [c2]
    assert r.git("rev-parse", "HEAD") == head and r.git("status", "--porcelain") == status
    assert (r.root / "agent/skills/x/SKILL.md").read_text() == "uncommitted edit\n"


def test_duplicate_names_and_invalid_yaml_follow_openclaw(tmp_path):
    r = Repo(tmp_path / "ws")
    r.commit({"skills/weather/SKILL.md":
              "---\nname: weather\ndescription: Weather. Use when: asked.\n---\n"}, NOW - 3 * DAY)
    # A stale copy with the same name that sorts later replaces the live skill: a real change.
    c2 = r.commit({"skills/weather-old/SKILL.md": skill("weather", "Old.")}, NOW - 2 * DAY)
    block = skills_block_at(r.root, c2)
    assert "<description>Old.</description>" in block and "Use when" not in block
    assert [e.commit for e in skills_block_churn(r.root, 30, now=NOW)][-1] == c2


def test_not_a_repository(tmp_path):
    assert skills_block_churn(tmp_path, 30) == []
    r = Repo(tmp_path / "empty")
    assert skills_block_churn(r.root, 30) == []  # no commits yet


def test_churn_follows_the_configs_eligibility_and_limits(tmp_path):
    """A change to a skill that never reaches the prompt (disabled in skills.entries, outside
    the agent's allowlist, or over maxSkillFileBytes) is not churn; the same change to an
    eligible skill is. The block of a past revision is the one the working tree would render."""
    from clawlint.config import Settings
    from clawlint.skills_budget import skills_prompt_block
    from clawlint.workspace import Workspace

    r = Repo(tmp_path / "ws")
    cfg = ("{ skills: { entries: { off: { enabled: false } }, limits: { maxSkillFileBytes: 400 } },"
           " agents: { defaults: { skills: ['on', 'off', 'big'] } } }\n")
    r.commit({"AGENTS.md": "# a\n", "openclaw.json": cfg,
              "skills/on/SKILL.md": skill("on", "On"), "skills/off/SKILL.md": skill("off", "Off"),
              "skills/other/SKILL.md": skill("other", "Not allowed"),
              "skills/big/SKILL.md": skill("big", "Big", "x" * 600 + "\n")}, NOW - 40 * DAY)
    r.commit({"skills/off/SKILL.md": skill("off", "Off, reworded")}, NOW - 20 * DAY)
    r.commit({"skills/other/SKILL.md": skill("other", "Still not allowed")}, NOW - 18 * DAY)
    r.commit({"skills/big/SKILL.md": skill("big", "Big, reworded", "x" * 600 + "\n")},
             NOW - 16 * DAY)
    c_on = r.commit({"skills/on/SKILL.md": skill("on", "On, reworded")}, NOW - 10 * DAY)
    ws = Workspace(r.root, Settings(), None)
    assert [e.commit for e in skills_block_churn(r.root, 30, now=NOW, ws=ws)] == [c_on]
    head = skills_block_at(r.root, "HEAD", ws=ws)
    assert head == skills_prompt_block(ws) and "On, reworded" in head
    assert "Off" not in head and "Not allowed" not in head and "Big" not in head
    # Without the workspace's config, OpenClaw's defaults: every described skill counts.
    assert len(skills_block_churn(r.root, 30, now=NOW)) == 4
