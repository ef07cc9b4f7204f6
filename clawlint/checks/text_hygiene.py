"""TXT: generic text hygiene of workspace Markdown files."""

from __future__ import annotations

from collections.abc import Iterator

from clawlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from clawlint.registry import Context, rule
from clawlint.workspace import MARKDOWN_KINDS, SourceFile


def newline_style(text: str) -> str:
    """The file's own line break, so a fix never mixes styles."""
    crlf = text.count("\r\n")
    if crlf and crlf >= text.count("\n") - crlf:
        return "\r\n"
    if "\n" not in text and "\r" in text:
        return "\r"
    return "\n"


@rule("TXT001", kinds=MARKDOWN_KINDS)
def missing_final_newline(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    text = f.text or ""
    if not text or text.endswith(("\n", "\r")):
        return
    end = len(text)
    yield ctx.diag(
        f,
        "file does not end with a newline; add one so that appending a note (as agents and "
        "`>>` do) starts a new line instead of gluing onto the last one",
        start=end,
        end=end,
        fix=Fix("Add a final newline", (Edit(end, end, newline_style(text)),), Applicability.SAFE),
    )
