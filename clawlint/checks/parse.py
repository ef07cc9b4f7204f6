"""PAR: files clawlint (and OpenClaw) cannot read or parse. Reported, never raised."""

from __future__ import annotations

from collections.abc import Iterator

from clawlint.diagnostics import Diagnostic
from clawlint.registry import Context, engine_code, rule
from clawlint.workspace import MARKDOWN_KINDS

# Suppression findings are produced by the engine after every rule has run.
engine_code("SUP001", "SUP002")


def _read_problems(ctx: Context, code: str) -> Iterator[Diagnostic]:
    for f in ctx.ws.files.values():
        if f.vouched_clean:
            continue  # an unchanged file that read cleanly before: not read again to know
        if f.text is None and f.problem is not None and f.problem.code == code:
            p = f.problem
            yield ctx.diag(f.rel, p.message, line=p.line, col=p.column)
    for rel, p in ctx.ws.symlink_problems:
        if p.code == code:
            yield ctx.diag(rel, p.message)


@rule("PAR001")
def unreadable(ctx: Context) -> Iterator[Diagnostic]:
    yield from _read_problems(ctx, "PAR001")


@rule("PAR002")
def not_utf8(ctx: Context) -> Iterator[Diagnostic]:
    yield from _read_problems(ctx, "PAR002")


@rule("PAR003")
def nul_bytes(ctx: Context) -> Iterator[Diagnostic]:
    yield from _read_problems(ctx, "PAR003")


@rule("PAR004")
def too_large(ctx: Context) -> Iterator[Diagnostic]:
    yield from _read_problems(ctx, "PAR004")


@rule("PAR005")
def bad_symlink(ctx: Context) -> Iterator[Diagnostic]:
    yield from _read_problems(ctx, "PAR005")


@rule("PAR006")
def symlink_outside(ctx: Context) -> Iterator[Diagnostic]:
    yield from _read_problems(ctx, "PAR006")


@rule("PAR007", kinds=MARKDOWN_KINDS)
def invalid_frontmatter(ctx: Context, f) -> Iterator[Diagnostic]:
    fm = f.frontmatter
    if fm is None:
        return
    if not fm.terminated:
        yield ctx.diag(
            f,
            "frontmatter opened with `---` on line 1 is never closed; add a closing `---` line "
            "after the YAML (or put a blank line after the first `---` if it is a thematic break)",
            line=1,
            end_col=4,
        )
    elif fm.error is not None:
        e = fm.error
        hint = ""
        if "mapping values are not allowed" in e.message:
            hint = "; a value containing `: ` must be quoted"
        yield ctx.diag(
            f,
            f"invalid YAML frontmatter: {e.message}{hint}. Fix the YAML so OpenClaw and search "
            "can read the metadata",
            line=e.line,
            col=e.column,
        )
