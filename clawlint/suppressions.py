"""Inline suppressions, one grammar in three comment syntaxes.

    <!-- clawlint-disable CV001 MEM002 -->      Markdown (outside code blocks)
    key: value  # clawlint-disable-line CRD003   YAML frontmatter
    // clawlint-disable-next-line CFG010         openclaw.json (JSON5)

Actions: disable / enable (a range), disable-line, disable-next-line, disable-file.
No codes means every rule ("blanket"). Words after the codes are a free-text reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from clawlint.workspace import Kind, SourceFile

_DIRECTIVE = re.compile(
    r"clawlint-(disable-next-line|disable-line|disable-file|disable|enable)\b", re.I
)
_CODE_TOKEN = re.compile(r"[A-Za-z]{1,4}\d{1,4}")
_YAML_COMMENT = re.compile(r"(?:^|\s)#(.*)$")


@dataclass
class Directive:
    action: str
    codes: list[str]  # upper-case; empty = blanket
    line: int  # first line of the comment
    end_line: int  # last line of the comment
    start: int  # offsets of the whole comment (delimiters included)
    end: int
    codes_start: int  # offsets of the code list inside the file
    codes_end: int
    separator: str
    ranges: list[tuple[int, int]] = field(default_factory=list)  # covered lines, inclusive
    used: set[str] = field(default_factory=set)  # codes that suppressed something ('*' blanket)
    closer: Directive | None = field(default=None, repr=False)  # the `enable` ending a `disable`
    closes: list[Directive] = field(default_factory=list, repr=False)  # an `enable`'s `disable`s

    def covers(self, line: int) -> bool:
        return any(a <= line <= b for a, b in self.ranges)


def _parse(inner: str, inner_offset: int) -> tuple[str, list[str], int, int, str] | None:
    m = _DIRECTIVE.search(inner)
    if not m or inner[: m.start()].strip():
        return None
    action = m.group(1).lower()
    pos = m.end()
    codes: list[str] = []
    codes_start = codes_end = inner_offset + pos
    sep = " "
    rest = inner[pos:]
    i = 0
    first = True
    for tok in re.finditer(r"[^\s,]+|,", rest):
        t = tok.group(0)
        if t == ",":
            sep = ", "
            continue
        if not _CODE_TOKEN.fullmatch(t):
            break
        if first:
            codes_start = inner_offset + pos + tok.start()
            first = False
        codes.append(t.upper())
        codes_end = inner_offset + pos + tok.end()
        i += 1
    return action, codes, codes_start, codes_end, sep


def _markdown_comments(f: SourceFile) -> list[tuple[int, int, int, str]]:
    """(start, end, inner_offset, inner) of HTML comments in the Markdown body."""
    text = f.text or ""
    fm = f.frontmatter
    body = fm.body_offset if fm is not None and fm.terminated else 0
    out = []
    code_lines = f.markdown.code_lines
    for m in re.finditer(r"<!--(.*?)-->", text[body:], re.S):
        start = body + m.start()
        if f.src.pos(start)[0] in code_lines:
            continue
        out.append((start, body + m.end(), body + m.start(1), m.group(1)))
    return out


def _frontmatter_comments(f: SourceFile) -> list[tuple[int, int, int, str]]:
    fm = f.frontmatter
    if fm is None or not fm.terminated:
        return []
    out = []
    for line in range(fm.content_line, fm.end_line):
        s, e = f.src.line_span(line)
        text = f.src.text[s:e].rstrip("\r\n")
        m = _YAML_COMMENT.search(text)
        if m and "clawlint-" in m.group(1):
            hash_at = s + m.start(0) + m.group(0).index("#")
            out.append((hash_at, s + len(text), s + m.start(1), m.group(1)))
    return out


def _json5_comments(text: str) -> list[tuple[int, int, int, str]]:
    """Comments in JSON5, skipping string literals."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            end = j - 1 if j > i and text[j - 1] == "\r" else j
            out.append((i, end, i + 2, text[i + 2 : end]))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append((i, j, i + 2, text[i + 2 : max(i + 2, j - 2)]))
            i = j
        else:
            i += 1
    return out


def collect(f: SourceFile) -> list[Directive]:
    if f.text is None or "clawlint-" not in f.text:
        return []
    comments: list[tuple[int, int, int, str]] = []
    if f.kind is Kind.CONFIG:
        comments = _json5_comments(f.text)
    elif f.kind is not Kind.HOOK_HANDLER:
        comments = _frontmatter_comments(f) + _markdown_comments(f)
    directives = []
    for start, end, inner_off, inner in comments:
        parsed = _parse(inner, inner_off)
        if parsed is None:
            continue
        action, codes, cs, ce, sep = parsed
        line = f.src.pos(start)[0]
        end_line = f.src.pos(max(start, end - 1))[0]
        directives.append(Directive(action, codes, line, end_line, start, end, cs, ce, sep))
    _resolve_ranges(directives, f.src.line_count or 1)
    return directives


def _resolve_ranges(directives: list[Directive], last_line: int) -> None:
    open_: list[Directive] = []
    for d in directives:
        if d.action == "disable-file":
            d.ranges = [(1, max(last_line, 1))]
        elif d.action == "disable-line":
            d.ranges = [(d.line, d.end_line)]
        elif d.action == "disable-next-line":
            d.ranges = [(d.end_line + 1, d.end_line + 1)]
        elif d.action == "disable":
            d.ranges = [(d.line, last_line)]
            open_.append(d)
        elif d.action == "enable":
            for o in list(open_):
                if not d.codes or set(o.codes) & set(d.codes) or not o.codes:
                    o.ranges = [(o.line, d.line)]
                    open_.remove(o)
                    o.closer = d
                    d.closes.append(o)


def removal_edit(f: SourceFile, d: Directive, keep: list[str]):
    """The edit that drops codes not in `keep` from a directive (or the whole comment)."""
    from clawlint.diagnostics import Edit

    text = f.text or ""
    if keep:
        return Edit(d.codes_start, d.codes_end, d.separator.join(keep))
    start, end = d.start, d.end
    line_start, line_end = f.src.line_span(d.line)
    before = text[line_start:start]
    after_end = f.src.line_span(d.end_line)[1]
    after = text[end:after_end]
    if not before.strip() and not after.strip():
        return Edit(line_start, after_end, "")  # the comment is alone on its line(s)
    # Trailing comment: drop it and the blanks before it.
    while start > line_start and text[start - 1] in " \t":
        start -= 1
    return Edit(start, end, "")


def closing_edits(f: SourceFile, d: Directive, keep: list[str]) -> list[Any]:
    """Edits to the `enable` that ends `d` once `d` keeps only `keep`: its codes that no other
    range it ends still needs are dropped, and the comment goes when nothing is left to end
    (removing an unused `disable` must not leave a stray `enable` behind)."""
    e = d.closer
    if e is None:
        return []
    others = [o for o in e.closes if o is not d]
    if not keep and not others:
        return [removal_edit(f, e, [])]
    if not e.codes or any(not o.codes for o in others) or (keep and not d.codes):
        return []  # a blanket enable, or one that still ends a blanket range
    needed = set(keep) | {c for o in others for c in o.codes}
    new = [c for c in e.codes if c in needed]
    if new == e.codes:
        return []
    return [removal_edit(f, e, new)]
