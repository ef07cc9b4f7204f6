"""MEM: the root MEMORY.md."""

from __future__ import annotations

import pytest
from helpers import codes, lint

from clawlint.config import Settings


def run(ws, files, select, settings=None):
    return lint(ws(files), select=select, settings=settings)


INDEX = "# MEMORY.md\n\n- Backups: memory/cards/backup-plan.md\n"
CARD = "---\ntopic: Backup plan\ncategory: infra\ntags: [a]\ncreated: 2026-01-01\n" \
       "updated: 2026-01-01\n---\n# Backup plan\n"


# ---- MEM001 ---------------------------------------------------------------------------------


def test_small_memory_md_is_fine(ws):
    assert run(ws, {"MEMORY.md": INDEX, "memory/cards/backup-plan.md": CARD}, ["MEM"]) == []


def test_over_char_budget_points_at_cut(ws):
    text = "".join(f"- fact {i:03d}: the NAS keeps seven daily restic snapshots.\n"
                   for i in range(100))
    d = run(ws, {"MEMORY.md": text}, ["MEM001"])
    assert codes(d) == ["MEM001"]
    assert f"{len(text.rstrip()):,} characters" in d[0].message
    assert d[0].line == text[:4096].count("\n") + 1


def test_chars_not_bytes(ws):
    # 2,000 CJK characters are 6,000 UTF-8 bytes but only 2,000 characters.
    text = "记" * 2000 + "\n"
    settings = Settings(rules={"MEM001": {"max_tokens": 100000}})
    assert run(ws, {"MEMORY.md": text}, ["MEM001"], settings) == []
    text = "记" * 4200 + "\n"
    d = run(ws, {"MEMORY.md": text}, ["MEM001"], settings)
    assert "4,200 characters" in d[0].message


def test_token_budget_alone(ws):
    settings = Settings(rules={"MEM001": {"max_tokens": 50}})
    d = run(ws, {"MEMORY.md": "word " * 200 + "\n"}, ["MEM001"], settings)
    assert codes(d) == ["MEM001"] and "50-token limit" in d[0].message
    assert "character limit" not in d[0].message


def test_trailing_whitespace_not_counted(ws):
    settings = Settings(rules={"MEM001": {"max_chars": 10, "max_tokens": 10**6}})
    assert run(ws, {"MEMORY.md": "# Index\n" + "\n" * 50}, ["MEM001"], settings) == []


def test_lowercase_memory_md_is_not_ours(ws):
    files = {"memory.md": "x" * 9000 + "\n## 2026-01-01\n## 2026-01-02\n- [ ] a\n- [ ] b\n- [ ] c\n"}
    assert run(ws, files, ["MEM"]) == []


# ---- MEM002 ---------------------------------------------------------------------------------


def test_dated_headings(ws):
    text = INDEX + "\n## 2026-11-19\n- a\n\n### March 6\n- b\n"
    d = run(ws, {"MEMORY.md": text}, ["MEM002"])
    assert codes(d) == ["MEM002"] and d[0].line == 5 and "2 dated sections" in d[0].message
    assert "memory/YYYY-MM-DD.md" in d[0].message


def test_one_dated_heading_is_fine(ws):
    assert run(ws, {"MEMORY.md": INDEX + "\n## Decisions (2026-02-20)\n- restic\n"},
               ["MEM002"]) == []


def test_tasks(ws):
    text = INDEX + "\n- [ ] a\n- [x] b\n* [ ] c\n"
    d = run(ws, {"MEMORY.md": text}, ["MEM002"])
    assert codes(d) == ["MEM002"] and "3 checkbox tasks (2 open)" in d[0].message


def test_tasks_in_code_blocks_ignored(ws):
    text = INDEX + "\n```\n- [ ] a\n- [ ] b\n- [ ] c\n```\n"
    assert run(ws, {"MEMORY.md": text}, ["MEM002"]) == []


@pytest.mark.parametrize("heading, hit", [
    ("## Status", True), ("## Current status", True), ("## 🚧 In progress", True),
    ("## TODO", True), ("## Session log", True), ("## Decisions", False),
    ("## Status codes we use", False), ("## People", False),
])
def test_status_sections(ws, heading, hit):
    d = run(ws, {"MEMORY.md": INDEX + f"\n{heading}\n- x\n"}, ["MEM002"])
    assert bool(d) is hit


def test_mem002_options(ws):
    text = INDEX + "\n## Status\n## 2026-11-19\n## 2026-11-20\n- [ ] a\n- [ ] b\n- [ ] c\n"
    settings = Settings(rules={"MEM002": {"min_dated_headings": 0, "min_tasks": 0,
                                          "status_sections": False}})
    assert run(ws, {"MEMORY.md": text}, ["MEM002"], settings) == []


# ---- MEM003 ---------------------------------------------------------------------------------


def test_broken_bare_path_and_link(ws):
    text = ("# Index\n\n- Router: memory/cards/router-2024.md\n"
            "- [Ports](memory/cards/ports.md#lan \"title\")\n"
            "- [ok](memory/cards/backup-plan.md)\n")
    d = run(ws, {"MEMORY.md": text, "memory/cards/backup-plan.md": CARD}, ["MEM003"])
    assert [(x.line, x.column) for x in d] == [(3, 11), (4, 11)]
    assert "`memory/cards/router-2024.md`" in d[0].message
    assert "`memory/cards/ports.md`" in d[1].message


def test_links_that_are_not_files(ws):
    text = ("# Index\n\n- https://example.com/a/b.md\n- [mail](mailto:x@y.z)\n- [top](#index)\n"
            "- Logs: memory/YYYY-MM-DD.md and `memory/cards/*.md`\n- ~/notes/a.md /etc/x/y.md\n"
            "- [up](../other/README.md)\n\n```\nmemory/cards/ghost.md\n```\n")
    assert run(ws, {"MEMORY.md": text}, ["MEM003"]) == []


def test_reference_definition_and_suggestion(ws):
    text = "# Index\n\nSee [ports].\n\n[ports]: memory/cards/active-port.md\n"
    d = run(ws, {"MEMORY.md": text, "memory/cards/active-ports.md": CARD}, ["MEM003"])
    assert codes(d) == ["MEM003"] and "did you mean `memory/cards/active-ports.md`" in d[0].message


def test_url_encoded_link(ws):
    text = "# Index\n\n- [x](memory/cards/home%20lab.md)\n"
    assert run(ws, {"MEMORY.md": text, "memory/cards/home lab.md": CARD}, ["MEM003"]) == []


# ---- MEM004 ---------------------------------------------------------------------------------


def test_second_memory_md(ws):
    d = run(ws, {"MEMORY.md": INDEX, "memory/MEMORY.md": "# old\n"}, ["MEM004"])
    assert codes(d) == ["MEM004"] and "second MEMORY.md" in d[0].message


def test_memory_md_in_wrong_place(ws):
    d = run(ws, {"memory/memory.md": "# index\n"}, ["MEM004"])
    assert codes(d) == ["MEM004"] and "Move it to the workspace root" in d[0].message


def test_nested_deeper_is_not_mem004(ws):
    assert run(ws, {"MEMORY.md": INDEX, "memory/x/MEMORY.md": "# x\n"}, ["MEM004"]) == []


# ---- MEM005 ---------------------------------------------------------------------------------


def test_paragraph_repeated_in_user_md(ws):
    files = {"USER.md": "# USER\n\n- Sam prefers   metric units and *24-hour* time.\n",
             "MEMORY.md": "# MEMORY\n\n- sam prefers metric units and 24-hour time\n- other\n"}
    d = run(ws, files, ["MEM005"])
    assert codes(d) == ["MEM005"] and d[0].line == 3 and "USER.md (line 3)" in d[0].message


def test_short_and_non_bootstrap_repeats_ignored(ws):
    files = {"AGENTS.md": "# A\n\nBe concise.\n",
             "memory/notes.md": "Sam prefers metric units and 24-hour time in every answer.\n",
             "MEMORY.md": "# M\n\nBe concise.\n\nSam prefers metric units and 24-hour time in "
                          "every answer.\n"}
    assert run(ws, files, ["MEM005"]) == []


def test_min_chars_option(ws):
    files = {"AGENTS.md": "# A\n\nBe concise.\n", "MEMORY.md": "# M\n\nBe concise.\n"}
    settings = Settings(rules={"MEM005": {"min_chars": 5}})
    assert codes(run(ws, files, ["MEM005"], settings)) == ["MEM005"]


def test_no_memory_md_no_findings(ws):
    assert run(ws, {"AGENTS.md": "# A\n"}, ["MEM"]) == []


def test_links_into_or_to_skipped_folders_are_not_judged(ws):
    # clawlint does not scan .git or node_modules, so it cannot know what is in them.
    from helpers import codes, lint

    root = ws({"MEMORY.md": "# M\n\n- [pkgs](node_modules)\n- [guide](node_modules/pkg/GUIDE.md)\n"
                            "- [hooks](.git/hooks/pre-commit)\n"})
    assert "MEM003" not in codes(lint(root, ["MEM003"]))
