"""Output formats. Every emitter turns the same list of Diagnostics into text.

Stable, machine-readable contracts: json, json-lines, sarif, gitlab, junit.
Integration formats: github, pylint. Human formats (do not parse): full, concise, grouped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clawlint.diagnostics import Diagnostic

FORMATS = ("full", "concise", "grouped", "json", "json-lines", "sarif", "github", "gitlab", "junit", "pylint")


@dataclass
class EmitContext:
    # Returns the text of a 1-based line of a diagnostic's file ('' when unknown).
    source_line: Callable[[Diagnostic], str] = lambda d: ""
    color: bool = False
    show_fixes: bool = True
    cwd: Path = field(default_factory=Path.cwd)
    fixed: int = 0
    unsafe_fixes: bool = False


def display_path(d: Diagnostic, ctx: EmitContext) -> str:
    if not d.root:
        return d.path
    full = Path(d.root) / d.path
    try:
        rel = os.path.relpath(full, ctx.cwd)
    except ValueError:  # different drives on Windows
        return str(full)
    return rel.replace(os.sep, "/")


def emit(fmt: str, diags: list[Diagnostic], ctx: EmitContext) -> str:
    import importlib

    module, func = _EMITTERS[fmt]  # import only the asked format's module
    emitter: Callable[[list[Diagnostic], EmitContext], str] = getattr(
        importlib.import_module(f"clawlint.emitters.{module}"), func
    )
    return emitter(diags, ctx)


_EMITTERS = {
    "full": ("text", "full"),
    "concise": ("text", "concise"),
    "grouped": ("text", "grouped"),
    "pylint": ("text", "pylint"),
    "json": ("machine", "json_array"),
    "json-lines": ("machine", "json_lines"),
    "gitlab": ("machine", "gitlab"),
    "junit": ("machine", "junit"),
    "sarif": ("sarif", "sarif"),
    "github": ("github", "github"),
}


def mask_secret(line: str, d: Diagnostic) -> str:
    """Replace the flagged span of a secret with a masked form in a source snippet, and any
    credentials a URL on the line carries."""
    if not d.extra.get("secret") or d.line != d.end_line:
        from clawlint.registry import redact_urls

        return redact_urls(line)
    a, b = d.column - 1, (d.end_column or d.column) - 1
    if b <= a:
        return line
    # Nothing of the value is shown: messages already name a masked form, and showing another
    # part here would reveal more of it than either does alone.
    return line[:a] + "*" * max(4, b - a) + line[b:]
