"""Replay of an unchanged check (clawlint/replay.py): same output and exit code without the
imports, and never when anything it depends on may have changed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import write_files

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX stat semantics")

REPO = Path(__file__).resolve().parent.parent
OLD = time.time() - 3600
FILES = {
    "AGENTS.md": "# AGENTS\n\nLast updated: 2026-11-20 09:14\n",
    "MEMORY.md": "# MEMORY\n\n- Backups: memory/cards/backup.md\n",
    "memory/cards/backup.md": "---\ntopic: backup\ncategory: ops\ntags: [backup]\n"
                              "created: 2026-10-01\nupdated: 2026-10-02\n---\n# Backup\n\nrestic nightly.\n",
}


def _age(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), (OLD, OLD), follow_symlinks=False)
    os.utime(root, (OLD, OLD))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k != "CLAWLINT_NO_REPLAY"}
    e.update(XDG_CACHE_HOME=str(tmp_path / "xdg"), CLAWLINT_TODAY="2026-11-21",
             HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO))
    # clawlint's own files are replay inputs; a just-edited checkout must settle first.
    newest = max(p.stat().st_mtime for p in (REPO / "clawlint").rglob("*.py"))
    if time.time() - newest < 2.5:
        time.sleep(2.5)
    return e


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "parent" / "ws"
    r.mkdir(parents=True)
    write_files(r, FILES)
    _age(tmp_path / "parent")
    return r


def clawlint(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clawlint", "check", ".", "--output-format", "concise", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )


def records(env: dict[str, str]) -> list[Path]:
    d = Path(env["XDG_CACHE_HOME"]) / "clawlint" / "replay"
    return sorted(d.glob("*.json")) if d.is_dir() else []


def recorded(root: Path, env: dict[str, str], *args: str) -> Path:
    """Run until a record exists (a first run may create __pycache__ folders in clawlint's
    own tree, which is too recent to record), then mark its output so a replay is visible."""
    first = clawlint(root, env, *args)
    for _ in range(3):
        if records(env):
            break
        time.sleep(0.5)
        assert clawlint(root, env, *args).stdout == first.stdout
    (rec,) = records(env)
    data = json.loads(rec.read_text())
    assert data["exit"] == first.returncode == 1
    assert [o[2] for o in data["outputs"]] == [first.stdout]
    data["outputs"] = [["stdout", "", "REPLAYED\n"]]
    rec.write_text(json.dumps(data))
    return rec


def test_unchanged_run_is_replayed(root, env):
    recorded(root, env)
    again = clawlint(root, env)
    assert again.stdout == "REPLAYED\n"
    assert again.returncode == 1


def test_replay_writes_the_output_file_too(root, env, tmp_path):
    out = tmp_path / "report.json"
    first = clawlint(root, env, "-o", str(out))
    for _ in range(3):
        if records(env):
            break
        clawlint(root, env, "-o", str(out))
    expected = out.read_text()
    out.unlink()
    again = clawlint(root, env, "-o", str(out))
    assert out.read_text() == expected and again.returncode == first.returncode


def test_changed_content_with_the_same_size_and_mtime_is_not_replayed(root, env):
    recorded(root, env)
    card = root / "memory/cards/backup.md"
    text = card.read_text()
    card.write_text(text.replace("restic", "RESTIC"))
    os.utime(card, (OLD, OLD))  # same size, same mtime: only ctime tells
    assert clawlint(root, env).stdout != "REPLAYED\n"


def test_added_file_is_not_replayed(root, env):
    recorded(root, env)
    write_files(root, {"memory/cards/new.md": "# new\n"})
    assert clawlint(root, env).stdout != "REPLAYED\n"


def test_config_created_above_the_workspace_is_not_replayed(root, env):
    recorded(root, env)
    (root.parent / ".clawlint.toml").write_text('ignore = ["CV"]\n')
    out = clawlint(root, env)
    assert out.stdout != "REPLAYED\n" and "CV001" not in out.stdout


def test_other_arguments_environment_or_date_are_not_replayed(root, env):
    recorded(root, env)
    assert clawlint(root, env, "--select", "CV").stdout != "REPLAYED\n"
    assert clawlint(root, {**env, "CLAWLINT_TODAY": "2026-11-22"}).stdout != "REPLAYED\n"
    assert clawlint(root, {**env, "OPENAI_API_KEY": "x"}).stdout != "REPLAYED\n"
    assert clawlint(root, {**env, "CLAWLINT_NO_REPLAY": "1"}).stdout != "REPLAYED\n"


def test_recent_changes_are_not_recorded(tmp_path, env):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    write_files(fresh, FILES)  # written just now: an unchanged stat proves nothing yet
    clawlint(fresh, env)
    assert records(env) == []
    # However slow the machine, a card whose mtime is not yet two seconds in the past (here:
    # in the future) never is recorded.
    soon = time.time() + 3600
    os.utime(fresh / "memory/cards/backup.md", (soon, soon))
    clawlint(fresh, env)
    clawlint(fresh, env)
    assert records(env) == []


@pytest.mark.parametrize("args", [("--no-cache",), ("--verbose",), ("--fix",), ("--diff",)])
def test_runs_that_must_not_be_recorded(root, env, args):
    for _ in range(2):
        clawlint(root, env, *args)
    assert records(env) == []


def test_workspace_with_a_symlink_is_not_recorded(root, env):
    os.symlink("backup.md", root / "memory/cards/link.md")
    _age(root.parent)
    for _ in range(2):
        clawlint(root, env)
    assert records(env) == []


def test_corrupt_record_falls_back_to_a_normal_run(root, env):
    rec = recorded(root, env)
    rec.write_text("{not json")
    out = clawlint(root, env)
    assert out.returncode == 1 and "CV001" in out.stdout


def test_file_written_into_the_workspace_during_the_run_is_never_replayed(root, env):
    # MEMORY.md links to memory/missing.md; the run itself creates it (-o): the findings
    # were computed without it, so no record may claim they hold for the workspace with it.
    (root / "MEMORY.md").write_text("# MEMORY\n\n- [notes](memory/missing.md)\n")
    _age(root.parent)
    outs = [clawlint(root, env, "-o", "memory/missing.md") for _ in range(3)]
    assert records(env) == []
    assert all(o.returncode == outs[0].returncode for o in outs)


def test_record_refused_when_a_file_changed_while_it_was_read(tmp_path, monkeypatch):
    from clawlint import replay

    p = tmp_path / "a.md"
    p.write_text("x")
    os.utime(p, (OLD, OLD))
    before = replay.stat_of(str(p))
    p.write_text("y")
    os.utime(p, (OLD, OLD))  # `cp -p`: same size, old mtime; only ctime differs
    monkeypatch.setattr(replay, "code_files", lambda: [])
    monkeypatch.setattr(replay, "started_ns", time.time_ns())
    assert replay._record([("st", str(p), before)], [], 0) is None
    assert replay._record([("st", str(p), replay.stat_of(str(p)))], [], 0) is not None


def test_a_path_that_is_not_a_workspace_yet_is_not_recorded(root, env, tmp_path):
    other = tmp_path / "parent" / "other"
    other.mkdir()
    _age(tmp_path / "parent")
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-m", "clawlint", "check", str(root), str(other)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert "not inside an OpenClaw workspace" in out.stderr
    assert records(env) == []


def test_explicit_config_ignores_a_broken_pyproject_above(root, env):
    (root.parent / "pyproject.toml").write_text("this is [not toml\n")
    cfg = root / "clawlint-ci.toml"
    cfg.write_text('ignore = ["DUP"]\n')
    _age(root.parent)
    for _ in range(2):
        out = clawlint(root, env, "--config", str(cfg))
        assert out.returncode == 1 and "error" not in out.stderr, out.stderr


def test_replay_never_fails_on_a_stream_that_cannot_encode(root, env):
    (root / "memory/cards/café.md").write_text("# café\n\nno frontmatter\n")
    _age(root.parent)
    e = {**env, "PYTHONIOENCODING": "ascii"}
    outs = [clawlint(root, e) for _ in range(4)]
    assert all(o.returncode == 1 and "Traceback" not in o.stderr for o in outs), outs[-1].stderr
    assert len({o.stdout for o in outs}) == 1


def test_malformed_clawlint_today_does_not_freeze_the_date(monkeypatch):
    from clawlint import replay

    monkeypatch.setenv("CLAWLINT_TODAY", "not-a-date")
    monkeypatch.setattr(replay.time, "strftime", lambda fmt, *a: "2026-11-21")
    k1 = replay.compute_key(["check"])
    monkeypatch.setattr(replay.time, "strftime", lambda fmt, *a: "2026-11-22")
    assert replay.compute_key(["check"]) != k1


@pytest.mark.parametrize("value,off", [("1", True), ("yes", True), ("0", False), ("", False)])
def test_no_replay_switch(monkeypatch, value, off):
    from clawlint import replay

    monkeypatch.setenv("CLAWLINT_NO_REPLAY", value)
    assert replay.disabled() is off


def _record_now(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    first = clawlint(root, env, *args)
    for _ in range(3):
        if records(env):
            break
        clawlint(root, env, *args)
    assert records(env), "no replay record was written"
    return first


def test_replay_to_a_closed_broken_or_full_stdout(root, env):
    first = _record_now(root, env)
    base = [sys.executable, "-m", "clawlint", "check", ".", "--output-format", "concise"]
    cmd = " ".join(base)
    closed = subprocess.run(f"{cmd} >&-", shell=True, cwd=root, env=env, capture_output=True,
                            text=True, timeout=120)
    assert closed.returncode == first.returncode and "Traceback" not in closed.stderr
    piped = subprocess.run(f"{cmd} | true; exit ${{PIPESTATUS[0]}}", shell=True,
                           executable="/bin/bash", cwd=root, env=env, capture_output=True,
                           text=True, timeout=120)
    assert piped.returncode == first.returncode and "Traceback" not in piped.stderr
    if os.path.exists("/dev/full"):
        replayed = subprocess.run(f"{cmd} > /dev/full", shell=True, cwd=root, env=env,
                                  capture_output=True, text=True, timeout=120)
        real = subprocess.run(f"{cmd} > /dev/full", shell=True, cwd=root,
                              env={**env, "CLAWLINT_NO_REPLAY": "1"}, capture_output=True,
                              text=True, timeout=120)
        assert replayed.returncode == real.returncode == 2
        assert "Traceback" not in replayed.stderr and "No space left" in replayed.stderr


def test_a_file_replaced_by_a_folder_is_not_replayed(root, env):
    (root / "notes").write_text("todo\n")
    _age(root.parent)
    _record_now(root, env)
    (root / "notes").unlink()
    (root / "notes").mkdir()
    (root / "notes" / "x.md").write_bytes(b"bad \xff\n")
    out = clawlint(root, env)
    assert "PAR002" in out.stdout


def test_a_new_git_folder_above_a_path_argument_is_not_replayed(root, env):
    (root / "notes").mkdir()
    (root / "notes" / "a.md").write_text("# a\n")
    _age(root.parent)
    _record_now(root, env, "notes")
    (root / "notes" / ".git").mkdir()  # now `notes` is a repository of its own
    out = subprocess.run(
        [sys.executable, "-m", "clawlint", "check", "notes", "--output-format", "concise"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "not inside an OpenClaw workspace" in out.stderr


def test_a_git_file_at_the_root_still_allows_a_record(root, env):
    (root / ".git").write_text("gitdir: /elsewhere/.git/worktrees/ws\n")  # a worktree
    _age(root.parent)
    _record_now(root, env)


def test_config_stats_are_taken_before_the_config_is_read(root, monkeypatch):
    from clawlint.runner import run

    monkeypatch.chdir(root)
    report = run([Path(".")])
    assert str(root / ".clawlint.toml") in report.pre_stats
    assert str(root.parent / "pyproject.toml") in report.pre_stats
    assert report.pre_exists[str(root / "AGENTS.md")] is True


def test_colour_output_replays_byte_for_byte(root, env):
    first = _record_now(root, env, "--color", "always")
    assert "\x1b[" in first.stdout
    again = clawlint(root, env, "--color", "always")
    assert again.stdout == first.stdout and again.returncode == first.returncode
    (rec,) = records(env)
    assert json.loads(rec.read_text())["outputs"][0][2] == first.stdout


def test_a_stat_taken_early_is_used_once_and_a_later_change_still_shows(tmp_path, monkeypatch):
    """The parent stats the workspace files for the record while its forked child finishes
    (every read is done by then). The record holds that stat, so a change after it shows as a
    different stat to the next run; the early stats belong to one run only."""
    from clawlint import replay

    monkeypatch.delenv("CLAWLINT_NO_REPLAY", raising=False)
    p = tmp_path / "AGENTS.md"
    p.write_text("one\n")
    old = time.time() - 3600
    os.utime(p, (old, old))
    monkeypatch.setattr(replay, "_key", "key")  # restored afterwards, as are the two below
    monkeypatch.setattr(replay, "_argv", replay._argv)
    monkeypatch.setattr(replay, "started_ns", time.time_ns())
    monkeypatch.setattr(replay, "code_files", lambda: [])
    before = replay.stat_of(str(p))
    replay.stat_early([str(p)])
    p.write_text("two, and longer\n")  # changed after the last read and the early stat
    os.utime(p, (old + 1, old + 1))
    record = replay._record([("st", str(p), before)], [], 0)
    assert record is not None and record["deps"] == [["st", str(p), before]]
    assert replay.stat_of(str(p)) != before  # so the next run does not replay this output
    replay.stat_early([str(p)])
    replay.begin(["check"])
    assert replay._early == {}
