"""Markdown structure (clawlint/source.py): the block parse the rules use."""

from __future__ import annotations

from pathlib import Path

from clawlint.source import _markdown_parser

REPO = Path(__file__).resolve().parent.parent


def test_block_only_parse_gives_the_full_parse_s_block_tokens():
    """The parser skips inline parsing: every token the rules read (type, line map, content,
    fence info, tag) is what the full CommonMark parse gives, over every Markdown file here."""
    from markdown_it import MarkdownIt

    full = MarkdownIt("commonmark")
    files = sorted(p for p in REPO.rglob("*.md") if ".git" not in p.parts)
    assert len(files) > 100
    for p in files:
        text = p.read_text(encoding="utf-8", errors="replace")
        got = [(t.type, t.map, t.content, t.info, t.tag, t.level)
               for t in _markdown_parser().parse(text)]
        want = [(t.type, t.map, t.content, t.info, t.tag, t.level) for t in full.parse(text)]
        assert got == want, p
