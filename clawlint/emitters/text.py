"""Human-readable formats: full (default), concise, grouped, pylint."""

from __future__ import annotations

from itertools import groupby

from clawlint.diagnostics import Applicability, Diagnostic
from clawlint.emitters import EmitContext, display_path, mask_secret

_COLORS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2", "code": "35"}


def _c(ctx: EmitContext, what: str, text: str) -> str:
    if not ctx.color:
        return text
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m"


def _marker(d: Diagnostic) -> str:
    if d.fix is None:
        return ""
    return " [*]" if d.fix.applicability is Applicability.SAFE else " [-]"


def _header(d: Diagnostic, ctx: EmitContext) -> str:
    sev = d.severity.value if d.severity else "warning"
    loc = f"{display_path(d, ctx)}:{d.line}:{d.column}:"
    return (
        f"{_c(ctx, 'bold', loc)} {_c(ctx, 'code', d.code)}{_marker(d)} "
        f"[{_c(ctx, sev, sev)}] {d.message}"
    )


def summary(diags: list[Diagnostic], ctx: EmitContext) -> str:
    lines = []
    if ctx.fixed:
        lines.append(f"Fixed {ctx.fixed} problem{'s' if ctx.fixed != 1 else ''}.")
    if not diags:
        lines.append("All checks passed!" if not ctx.fixed else "No problems left.")
        return "\n".join(lines) + "\n"
    n = len(diags)
    fixable = sum(1 for d in diags if d.fixable)
    unsafe = sum(1 for d in diags if d.fix and d.fix.applicability is Applicability.UNSAFE)
    by_sev = {s: sum(1 for d in diags if d.severity and d.severity.value == s) for s in ("error", "warning", "info")}
    detail = ", ".join(f"{v} {k}{'s' if v != 1 else ''}" for k, v in by_sev.items() if v)
    lines.append(f"Found {n} problem{'s' if n != 1 else ''} ({detail}; {fixable} fixable).")
    if fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option.")
    if unsafe and not ctx.unsafe_fixes:
        lines.append(f"[-] {unsafe} more fixable with `--fix --unsafe-fixes`.")
    return "\n".join(lines) + "\n"


def full(diags: list[Diagnostic], ctx: EmitContext) -> str:
    out = []
    for d in diags:
        out.append(_header(d, ctx))
        src = ctx.source_line(d)
        if src:
            src = mask_secret(src.expandtabs(1), d)
            width = len(str(d.line))
            out.append(f"  {d.line} | {src}")
            end = (d.end_column or d.column) if d.end_line == d.line else len(src) + 1
            n = max(1, end - d.column)
            out.append(f"  {' ' * width} | {' ' * (d.column - 1)}{_c(ctx, d.severity.value if d.severity else 'warning', '^' * n)}")
        help_text = d.help or (d.fix.title if d.fix else None)
        if help_text:
            out.append(f"  = help: {help_text}")
        out.append("")
    return "\n".join(out) + summary(diags, ctx)


def concise(diags: list[Diagnostic], ctx: EmitContext) -> str:
    body = "".join(_header(d, ctx) + "\n" for d in diags)
    return body + summary(diags, ctx)


def grouped(diags: list[Diagnostic], ctx: EmitContext) -> str:
    out = []
    for path, items in groupby(diags, key=lambda d: display_path(d, ctx)):
        out.append(_c(ctx, "bold", path) + ":")
        for d in items:
            sev = d.severity.value if d.severity else "warning"
            out.append(f"  {d.line}:{d.column} {d.code}{_marker(d)} [{sev}] {d.message}")
        out.append("")
    return "\n".join(out) + summary(diags, ctx)


def pylint(diags: list[Diagnostic], ctx: EmitContext) -> str:
    return "".join(f"{display_path(d, ctx)}:{d.line}: [{d.code}] {d.message}\n" for d in diags)
