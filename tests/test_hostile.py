"""A directory of hostile files yields diagnostics and exit 0/1, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def build_hostile(root: Path) -> None:
    (root / "memory" / "cards").mkdir(parents=True)
    (root / "skills" / "x").mkdir(parents=True)
    (root / "hooks" / "h").mkdir(parents=True)
    (root / "AGENTS.md").write_bytes(b"# Agents\n\xff\xfe bad bytes\n")
    (root / "SOUL.md").write_bytes(b"")
    (root / "USER.md").write_bytes(b"\xef\xbb\xbf# User with BOM\n")
    (root / "IDENTITY.md").write_bytes(b"name\x00\x00binary")
    (root / "MEMORY.md").write_bytes(b"# M\n" + b"x" * (2 * 1024 * 1024 + 10))
    (root / "memory" / "cards" / "bad.md").write_text("---\ntopic: [unclosed\ntags: x\n---\nbody\n")
    (root / "memory" / "cards" / "open.md").write_text("---\ntopic: never closed\n")
    (root / "memory" / "cards" / "break.md").write_text("---\n\nA thematic break, not frontmatter.\n")
    (root / "memory" / "cards" / "dupkeys.md").write_text("---\ntopic: a\ntopic: b\n---\n")
    (root / "memory" / "cards" / "list.md").write_text("---\n- a\n- b\n---\n")
    (root / "memory" / "cards" / "scalar.md").write_text("---\njust a string\n---\n")
    (root / "memory" / "cards" / "baddate.md").write_text("---\ncreated: 2026-02-30\n---\n")
    (root / "memory" / "cards" / "anchors.md").write_text("---\na: &x [1]\nb: *x\nc: !!python/object {}\n---\n")
    (root / "memory" / "2026-13-45.md").write_text("# impossible date\n")
    (root / "memory" / "blob.bin").write_bytes(os.urandom(64))
    (root / "skills" / "x" / "SKILL.md").write_text("---\nname: x\ndescription: a: b\n---\n")
    (root / "hooks" / "h" / "HOOK.md").write_text("---\nmetadata: {openclaw: \n---\n")
    (root / "hooks" / "h" / "handler.ts").write_bytes(b"\x00\x01")
    (root / "openclaw.json").write_text("{ agents: { defaults: { bootstrapMaxChars: , } }")
    os.symlink("loop1.md", root / "memory" / "loop2.md")
    os.symlink("loop2.md", root / "memory" / "loop1.md")
    os.symlink("/etc/hostname", root / "TOOLS.md")
    os.symlink("missing-target.md", root / "HEARTBEAT.md")
    os.symlink(".", root / "memory" / "self")  # a directory loop
    os.mkfifo(root / "BOOTSTRAP.md")
    unreadable = root / "memory" / "secret.md"
    unreadable.write_text("# no access\n")
    unreadable.chmod(0)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    build_hostile(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", ["full", "json", "sarif", "github", "gitlab", "junit"])
def test_hostile_workspace_never_crashes(hostile: Path, fmt: str):
    proc = subprocess.run(
        [sys.executable, "-m", "clawlint", "check", str(hostile), "--select", "ALL",
         "--output-format", fmt, "--no-cache"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr


def test_hostile_findings(hostile: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "clawlint", "check", str(hostile), "--select", "PAR",
         "--output-format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    found = {(d["code"], d["path"]) for d in json.loads(proc.stdout)}
    expected = {
        ("PAR002", "AGENTS.md"),
        ("PAR003", "IDENTITY.md"),
        ("PAR004", "MEMORY.md"),
        ("PAR007", "memory/cards/bad.md"),
        ("PAR007", "memory/cards/open.md"),
        ("PAR005", "memory/loop1.md"),
        ("PAR005", "memory/loop2.md"),
        ("PAR006", "TOOLS.md"),
        ("PAR005", "HEARTBEAT.md"),
        ("PAR001", "BOOTSTRAP.md"),
        ("PAR007", "skills/x/SKILL.md"),
        ("PAR007", "hooks/h/HOOK.md"),
    }
    assert expected <= found, expected - found
    assert ("PAR007", "memory/cards/break.md") not in found  # thematic break
    by_path = {d["path"]: d for d in json.loads(proc.stdout) if d["code"] == "PAR002"}
    assert by_path["AGENTS.md"]["line"] == 2  # the line of the first bad byte
