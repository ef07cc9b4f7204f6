"""GitHub Actions workflow commands (annotations)."""

from __future__ import annotations

from clawlint.diagnostics import Diagnostic
from clawlint.emitters import EmitContext, display_path

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(diags: list[Diagnostic], ctx: EmitContext) -> str:
    out = []
    for d in diags:
        level = _LEVEL[d.severity.value if d.severity else "warning"]
        props = ",".join(
            [
                f"file={escape_property(display_path(d, ctx))}",
                f"line={d.line}",
                f"col={d.column}",
                f"endLine={d.end_line}",
                f"endColumn={d.end_column}",
                f"title={escape_property(d.code)}",
            ]
        )
        out.append(f"::{level} {props}::{escape_data(d.message)}")
    return "".join(line + "\n" for line in out)
