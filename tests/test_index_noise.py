"""IDX: backups, dumps, transcript envelopes and non-Markdown files under memory/."""

from __future__ import annotations

import pytest
from helpers import codes, lint

from clawlint.config import Settings


def run(ws, files, select, settings=None):
    return lint(ws(files), select=select, settings=settings)


NOTE = "# note\n\n- text\n"


@pytest.mark.parametrize("rel", [
    "memory/MEMORY-backup.md", "memory/MEMORY_2026-02.md", "memory/MEMORY.old.md",
    "memory/notes.md.bak.md", "memory/plan.orig.md", "memory/backup-2026-03-01.md",
    "memory/archive/MEMORY-full.md",
])
def test_backups_flagged(ws, rel):
    d = run(ws, {rel: NOTE}, ["IDX001"])
    assert codes(d) == ["IDX001"] and d[0].path == rel


def test_copy_next_to_original(ws):
    files = {"memory/cards/backup-plan.md": NOTE, "memory/cards/backup-plan-copy.md": NOTE,
             "memory/cards/ports-old.md": NOTE, "memory/cards/ports.md": NOTE,
             "memory/SOUL-backup.md": NOTE}
    d = run(ws, files, ["IDX001"])
    assert [x.path for x in d] == ["memory/SOUL-backup.md", "memory/cards/backup-plan-copy.md",
                                   "memory/cards/ports-old.md"]
    assert "`memory/cards/backup-plan.md`" in d[1].message


@pytest.mark.parametrize("rel", [
    "memory/cards/nas-backup.md", "memory/cards/backup-plan.md", "memory/cards/old-router.md",
    "memory/2026-11-20-restic-backup.md", "memory/MEMORY.md", "memory/memory-search-setup.md",
    "memory/.dreams/MEMORY-old.md",
])
def test_topics_about_backups_not_flagged(ws, rel):
    assert run(ws, {rel: NOTE}, ["IDX001"]) == []


def test_large_other_file(ws):
    files = {"memory/export.md": "# export\n\n" + "| a | b |\n" * 3000,
             "memory/small.md": NOTE,
             "memory/cards/big.md": "x\n" * 15000}  # cards are CRD011's
    d = run(ws, files, ["IDX002"])
    assert [x.path for x in d] == ["memory/export.md"] and "30,010 characters" in d[0].message


def test_pasted_dump_ratio(ws):
    dump = "# 2026-11-20\n\nRan the check:\n\n```\n" + "ok: chunk verified\n" * 300 + "```\n"
    prose = "# 2026-11-19\n\n" + "- wrote notes about the restic run today.\n" * 120
    d = run(ws, {"memory/2026-11-20.md": dump, "memory/2026-11-19.md": prose}, ["IDX002"])
    assert [x.path for x in d] == ["memory/2026-11-20.md"] and "pasted code" in d[0].message


def test_dump_options(ws):
    dump = "# x\n\n```\n" + "line\n" * 50 + "```\n"
    settings = Settings(rules={"IDX002": {"dump_min_chars": 100}})
    assert codes(run(ws, {"memory/a.md": dump}, ["IDX002"], settings)) == ["IDX002"]
    assert run(ws, {"memory/a.md": dump}, ["IDX002"]) == []


META = ('user: Conversation info (untrusted metadata):\n```json\n{\n  "message_id": "87"\n}\n```\n\n'
        'Sender (untrusted metadata):\n```json\n{\n  "label": "Sam (7827979987)"\n}\n```\n\nhi\n')


def test_metadata_blocks(ws):
    files = {"memory/2026-04-03-diary.md": "# Session\n\n" + META * 2,
             "memory/2026-04-04.md": "# notes\n\nThe `Sender (untrusted metadata):` prefix is "
                                     "stripped by the UI.\n",
             "AGENTS.md": "# A\n\n" + META}
    d = run(ws, files, ["IDX003"])
    assert [x.path for x in d] == ["memory/2026-04-03-diary.md"]
    assert "4 session metadata blocks" in d[0].message and d[0].line == 3


def test_metadata_min_blocks(ws):
    settings = Settings(rules={"IDX003": {"min_blocks": 5}})
    assert run(ws, {"memory/a.md": META}, ["IDX003"], settings) == []


def test_non_markdown_reported_once(ws):
    files = {"memory/notes.txt": "a\n", "memory/data/export.json": "{}\n",
             "memory/MEMORY.md.bak": "x\n", "memory/.gitkeep": "",
             "memory/.dreams/state.json": "{}\n", "memory/audit/suggestions.jsonl": "{}\n",
             "memory/a.md": NOTE}
    d = run(ws, files, ["IDX004"])
    assert len(d) == 1 and d[0].path == "memory/MEMORY.md.bak"
    assert "3 non-Markdown files" in d[0].message and "1 backup" in d[0].message


def test_only_markdown_no_idx004(ws):
    assert run(ws, {"memory/a.md": NOTE, "memory/.gitkeep": ""}, ["IDX004"]) == []


def test_backup_reason_string_split_matches_pathlib_spelling():
    from clawlint.checks.index_noise import backup_reason

    seen: list[str] = []
    assert backup_reason("memory/notes-old.md", lambda r: seen.append(r) or True) == (
        "an old copy of `memory/notes.md`")
    assert backup_reason("notes-old.md", lambda r: seen.append(r) or True) == (
        "an old copy of `notes.md`")
    # Unusual spellings still go through pathlib's normalisation.
    assert backup_reason("memory//cards/x-old.md", lambda r: seen.append(r) or True) == (
        "an old copy of `memory/cards/x.md`")
    assert seen == ["memory/notes.md", "notes.md", "memory/cards/x.md"]
