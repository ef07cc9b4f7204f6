"""Fixes of the memory rules, through the real runner (what `clawlint check --fix` does):
they are exact, touch no other byte, are idempotent, and leave nothing fixable behind.

Also the card-heavy workspace tests/fixtures/cards_ws, which shows every rule family."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clawlint.diagnostics import Applicability
from clawlint.runner import Selection, run

FIXTURE = Path(__file__).parent / "fixtures" / "cards_ws"
MINE = ["MEM", "CRD", "LOG", "IDX", "SEC", "TXT"]
# A fake token assembled at run time (this file holds no token-shaped literal).
TOKEN = "ghp" + "_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("CLAWLINT_TODAY", "2026-11-21")


@pytest.fixture
def cards_ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(FIXTURE, root)
    # The secrets family, added at run time so the repository holds no token.
    (root / "TOOLS.md").write_text(f"# TOOLS.md\n\n- deploy token: {TOKEN}\n"
                                   "- NAS_PASSWORD=Vq7$wE3!pZ9r\n", encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every workspace file's bytes (clawlint's own result cache excluded)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".clawlint_cache" not in p.relative_to(root).parts}


def lint(root: Path, **kw):
    return run([root], selection=Selection(select=MINE), **kw)


def test_every_family_fires_on_cards_ws(cards_ws):
    found = {d.code for d in lint(cards_ws).diagnostics}
    expected = {"MEM001", "MEM002", "MEM003", "MEM004", "MEM005",
                *(f"CRD{n:03d}" for n in range(1, 14)),
                "LOG001", "LOG002", "LOG003", "LOG004", "LOG005",
                "IDX001", "IDX002", "IDX003", "IDX004", "SEC001", "SEC002", "TXT001"}
    assert expected <= found, sorted(expected - found)


def test_no_false_alarms_on_clean_files_of_cards_ws(cards_ws):
    paths = {d.path for d in lint(cards_ws).diagnostics}
    for clean in ("memory/cards/active-ports.md", "memory/cards/nas-backup.md",
                  "memory/2026-11-20-restic-backup.md", "memory/2026-11-20.md", "AGENTS.md"):
        assert clean not in paths, clean


def test_safe_fix_is_exact_idempotent_and_complete(cards_ws):
    before = snapshot(cards_ws)
    report = lint(cards_ws, fix=True)
    after = snapshot(cards_ws)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {"memory/cards/backup-plan.md", "memory/cards/ssh-keys.md",
                       "memory/cards/no-final-newline.md"}
    assert set(after) == set(before)  # safe fixes rename nothing
    assert after["memory/cards/backup-plan.md"] == before["memory/cards/backup-plan.md"].replace(
        b"tags: backups, restic, nas\n", b"tags: [backups, restic, nas]\n")
    assert after["memory/cards/ssh-keys.md"] == before["memory/cards/ssh-keys.md"].replace(
        b"tags: #ssh #keys\n", b"tags: [ssh, keys]\n")
    assert after["memory/cards/no-final-newline.md"] == before["memory/cards/no-final-newline.md"] + b"\n"
    # What is left has no safe fix, and a second run changes nothing.
    assert not [d for d in report.diagnostics if d.fixable]
    assert not [d for d in lint(cards_ws).diagnostics if d.fixable]
    again = lint(cards_ws, fix=True)
    assert snapshot(cards_ws) == after and not again.fixes


def test_unsafe_fixes_rename_and_add_updated(cards_ws):
    before = snapshot(cards_ws)
    lint(cards_ws, fix=True, unsafe_fixes=True)
    after = snapshot(cards_ws)
    assert "memory/2026-3-06.md" not in after
    assert after["memory/2026-03-06.md"] == before["memory/2026-3-06.md"]
    assert after["memory/cards/no-updated.md"] == before["memory/cards/no-updated.md"].replace(
        b"created: 2026-09-01\n", b"created: 2026-09-01\nupdated: 2026-09-01\n")
    leftover = lint(cards_ws, unsafe_fixes=True).diagnostics
    assert not [d for d in leftover if d.fix is not None]
    lint(cards_ws, fix=True, unsafe_fixes=True)
    assert snapshot(cards_ws) == after


def test_unsafe_fixes_need_the_flag(cards_ws):
    before = snapshot(cards_ws)
    report = lint(cards_ws, fix=True)
    unsafe = [d for d in report.diagnostics
              if d.fix and d.fix.applicability is Applicability.UNSAFE]
    assert {d.code for d in unsafe} == {"CRD006", "LOG001"}
    after = snapshot(cards_ws)
    assert "memory/2026-3-06.md" in after
    assert after["memory/cards/no-updated.md"] == before["memory/cards/no-updated.md"]


def test_diff_writes_nothing(cards_ws):
    before = snapshot(cards_ws)
    report = lint(cards_ws, diff=True)
    assert report.fixes and snapshot(cards_ws) == before


def test_crlf_and_special_tags(tmp_path):
    root = tmp_path / "ws"
    cards = root / "memory" / "cards"
    cards.mkdir(parents=True)
    crlf = ("---\r\ntopic: Printer\r\ncategory: office\r\ntags: \"printer, 2026, on, a: b\"\r\n"
            "created: 2026-02-20\r\nupdated: 2026-02-20\r\n---\r\n# Printer\r\n\r\nBrother.")
    (cards / "printer.md").write_bytes(crlf.encode())
    lint(root, fix=True)
    got = (cards / "printer.md").read_bytes().decode()
    assert got == crlf.replace('tags: "printer, 2026, on, a: b"',
                               'tags: [printer, "2026", "on", "a: b"]') + "\r\n"
    import yaml

    fm = got.split("---\r\n")[1]
    assert yaml.safe_load(fm)["tags"] == ["printer", "2026", "on", "a: b"]
    assert not [d for d in lint(root).diagnostics if d.fixable]


def test_fix_through_a_symlink_keeps_the_link(tmp_path):
    from clawlint.engine import write_atomic

    real = tmp_path / "memory" / "cards" / "real.md"
    real.parent.mkdir(parents=True)
    real.write_text("old\n")
    link = tmp_path / "memory" / "cards" / "link.md"
    link.symlink_to("real.md")
    write_atomic(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n"


def test_fix_in_a_read_only_place_writes_nothing_and_says_so(cards_ws, monkeypatch):
    """Permission checks are skipped for root, so the check is simulated: one target's folder
    is not writable. Nothing is written (not half the fixes), the findings are those on disk,
    and the error names the file."""
    import os

    import clawlint.runner as R

    before = snapshot(cards_ws)
    expected = {(d.code, d.path, d.line) for d in lint(cards_ws).diagnostics}
    real_access = os.access

    def access(path, mode, *a, **k):
        if str(path).endswith("memory/cards") and mode & os.W_OK:
            return False
        return real_access(path, mode, *a, **k)

    monkeypatch.setattr(R.os, "access", access)
    report = lint(cards_ws, fix=True, unsafe_fixes=True)
    assert snapshot(cards_ws) == before
    assert not report.fixes
    assert report.fix_errors and all("no fix was written" in e for e in report.fix_errors)
    assert any("is not writable" in e and "memory/cards" in e for e in report.fix_errors)
    assert any(e.startswith("memory/cards/") for e in report.fix_errors)
    assert {(d.code, d.path, d.line) for d in report.diagnostics} == expected


def test_a_read_only_file_in_a_writable_folder_is_fixed_keeping_its_mode(cards_ws):
    import stat

    card = cards_ws / "memory" / "cards" / "ssh-keys.md"
    assert card.exists()
    card.chmod(0o444)
    before = card.read_bytes()
    report = lint(cards_ws, fix=True)
    assert not report.fix_errors
    assert card.read_bytes() != before and stat.S_IMODE(card.stat().st_mode) == 0o444


def test_fix_that_fails_while_writing_names_the_file_and_keeps_the_rest(cards_ws, monkeypatch):
    import clawlint.runner as R

    real = R.write_atomic
    victim = {}

    def flaky(path, text):
        if not victim:
            victim["path"] = path
            raise OSError(28, "No space left on device")
        real(path, text)

    monkeypatch.setattr(R, "write_atomic", flaky)
    report = lint(cards_ws, fix=True)
    rel = victim["path"].relative_to(cards_ws).as_posix()
    assert report.fix_errors == [f"{rel}: No space left on device; its fixes were not written"]


def test_cli_fix_error_exits_2(cards_ws, monkeypatch):
    from click.testing import CliRunner

    import clawlint.runner as R
    from clawlint.cli import cli

    def broken(path, text):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(R, "write_atomic", broken)
    res = CliRunner().invoke(cli, ["check", str(cards_ws), "--fix", "--select", "CRD004,CRD005"])
    assert res.exit_code == 2
    assert "clawlint: error: --fix: memory/cards/" in res.output
    assert "Read-only file system" in res.output


def test_two_renames_to_one_name_count_once(tmp_path):
    root = tmp_path / "ws"
    (root / "memory").mkdir(parents=True)
    (root / "AGENTS.md").write_text("# A\n", encoding="utf-8")
    # Both would become memory/2026-03-06.md.
    (root / "memory" / "2026-3-06.md").write_text("# a\n", encoding="utf-8")
    (root / "memory" / "2026-3-6.md").write_text("# b\n", encoding="utf-8")
    report = run([root], selection=Selection(select=["LOG001"]), fix=True, unsafe_fixes=True)
    names = sorted(p.name for p in (root / "memory").iterdir())
    assert "2026-03-06.md" in names and len(names) == 2
    assert sum(o.applied for _, o in report.fixes) == 1
    assert not report.fix_errors
