"""LOG: daily log names, dates and sizes."""

from __future__ import annotations

import pytest
from helpers import codes, lint

from clawlint.config import Settings
from clawlint.diagnostics import Applicability


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setenv("CLAWLINT_TODAY", "2026-11-21")


def run(ws, files, select, settings=None):
    return lint(ws(files), select=select, settings=settings)


NOTE = "# notes\n\n- renewed the cert\n"


@pytest.mark.parametrize("name, new", [
    ("2026-3-06.md", "2026-03-06.md"),
    ("2026-3-6.md", "2026-03-06.md"),
    ("2026_03_06.md", "2026-03-06.md"),
    ("2026.03.06.md", "2026-03-06.md"),
    ("20260306.md", "2026-03-06.md"),
    ("2026-03-06_restic notes.md", "2026-03-06-restic-notes.md"),
    ("2026-3-06-restic.md", "2026-03-06-restic.md"),
])
def test_non_canonical_names(ws, name, new):
    d = run(ws, {f"memory/{name}": NOTE}, ["LOG001"])
    assert codes(d) == ["LOG001"] and f"`{new}`" in d[0].message
    assert d[0].fix.rename_to == f"memory/{new}"
    assert d[0].fix.applicability is Applicability.UNSAFE and d[0].fix.edits == ()


@pytest.mark.parametrize("name", ["2026-03-06.md", "2026-03-06-restic-check.md",
                                  "2026-03-06-0506.md", "notes.md", "2026111.md", "v2026-3-6.md"])
def test_names_left_alone(ws, name):
    assert run(ws, {f"memory/{name}": NOTE}, ["LOG001"]) == []


def test_nested_dated_files_are_not_daily_logs(ws):
    files = {"memory/dreaming/light/2026-3-06.md": NOTE, "memory/cards/2026-3-06.md": NOTE}
    assert run(ws, files, ["LOG"]) == []


def test_rename_target_taken(ws):
    d = run(ws, {"memory/2026-3-06.md": NOTE, "memory/2026-03-06.md": NOTE}, ["LOG001"])
    assert d[0].fix is None and "already exists" in d[0].message


@pytest.mark.parametrize("name", ["2026-02-30.md", "2026-13-01.md", "2026-2-30.md",
                                  "2026-00-10-slug.md"])
def test_impossible_dates(ws, name):
    d = run(ws, {f"memory/{name}": NOTE}, ["LOG001", "LOG002"])
    assert codes(d) == ["LOG002"]


def test_future_with_grace(ws):
    files = {"memory/2026-11-22.md": NOTE, "memory/2026-11-23.md": NOTE,
             "memory/2099-01-01-slug.md": NOTE}
    d = run(ws, files, ["LOG003"])
    assert [x.path for x in d] == ["memory/2026-11-23.md", "memory/2099-01-01-slug.md"]


def test_future_today_option(ws):
    settings = Settings(rules={"LOG003": {"today": "2027-01-01"}})
    assert run(ws, {"memory/2026-11-23.md": NOTE}, ["LOG003"], settings) == []


def test_old_logs_reported_once_at_oldest(ws):
    files = {"memory/2026-10-01.md": NOTE, "memory/2026-3-06.md": NOTE,
             "memory/2026-10-22.md": NOTE, "memory/2026-11-20.md": NOTE}  # 30 days: not old
    d = run(ws, files, ["LOG004"])
    assert len(d) == 1 and d[0].path == "memory/2026-3-06.md"
    assert "2 daily logs older than 30 days" in d[0].message


def test_old_logs_option(ws):
    settings = Settings(rules={"LOG004": {"max_age_days": 400}})
    assert run(ws, {"memory/2026-01-01.md": NOTE}, ["LOG004"], settings) == []


def test_large_log(ws):
    text = "# log\n\n" + "- 10:42 pasted output line for the restic check run.\n" * 300
    d = run(ws, {"memory/2026-11-20.md": text, "memory/2026-11-19.md": NOTE}, ["LOG005"])
    assert [x.path for x in d] == ["memory/2026-11-20.md"]
    assert d[0].line == text[:12000].count("\n") + 1


def test_large_log_option(ws):
    settings = Settings(rules={"LOG005": {"max_chars": 10}})
    assert codes(run(ws, {"memory/2026-11-20.md": NOTE}, ["LOG005"], settings)) == ["LOG005"]


def test_unreadable_log_does_not_crash(ws):
    d = run(ws, {"memory/2026-3-06.md": b"\xff\xfe bad"}, ["LOG", "PAR002"])
    assert "PAR002" in codes(d) and "LOG001" in codes(d)
