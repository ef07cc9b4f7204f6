"""Machine formats: json, json-lines, GitLab Code Quality, JUnit XML."""

from __future__ import annotations

import hashlib
import json
from itertools import groupby

from clawlint.diagnostics import Diagnostic
from clawlint.emitters import EmitContext, display_path


def _obj(d: Diagnostic) -> dict:
    return d.to_dict()


def json_array(diags: list[Diagnostic], ctx: EmitContext) -> str:
    return json.dumps([_obj(d) for d in diags], indent=2, ensure_ascii=False) + "\n"


def json_lines(diags: list[Diagnostic], ctx: EmitContext) -> str:
    return "".join(json.dumps(_obj(d), ensure_ascii=False) + "\n" for d in diags)


def fingerprint(d: Diagnostic, source_line: str) -> str:
    """Stable across unrelated edits: rule + path + the flagged line's normalised text.

    The line number is deliberately left out so inserting lines above does not change it.
    """
    norm = " ".join(source_line.split())
    basis = f"{d.code}\0{d.path}\0{norm or d.message}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def gitlab(diags: list[Diagnostic], ctx: EmitContext) -> str:
    seen: dict[str, int] = {}
    out = []
    for d in diags:
        fp = fingerprint(d, ctx.source_line(d))
        # Two findings of one rule on identical lines in one file still need distinct ids.
        n = seen.get(fp, 0)
        seen[fp] = n + 1
        if n:
            fp = hashlib.sha256(f"{fp}:{n}".encode()).hexdigest()[:32]
        out.append(
            {
                "description": f"{d.code}: {d.message}",
                "check_name": d.code,
                "fingerprint": fp,
                "severity": _GITLAB_SEVERITY[d.severity.value if d.severity else "warning"],
                "location": {
                    "path": display_path(d, ctx),
                    "positions": {
                        "begin": {"line": d.line, "column": d.column},
                        "end": {"line": d.end_line, "column": d.end_column},
                    },
                },
            }
        )
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def junit(diags: list[Diagnostic], ctx: EmitContext) -> str:
    from xml.sax.saxutils import escape, quoteattr  # pulls in urllib.request: only for junit

    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append(
        f'<testsuites name="clawlint" tests="{len(diags)}" failures="{len(diags)}" errors="0">'
    )
    keyed = sorted(diags, key=lambda d: display_path(d, ctx))
    for path, group in groupby(keyed, key=lambda d: display_path(d, ctx)):
        items = list(group)
        lines.append(
            f"  <testsuite name={quoteattr(path)} tests=\"{len(items)}\" failures=\"{len(items)}\" "
            'errors="0" package="clawlint">'
        )
        for d in items:
            lines.append(
                f"    <testcase name={quoteattr('clawlint.' + d.code)} classname={quoteattr(path)} "
                f'line="{d.line}" column="{d.column}">'
            )
            lines.append(
                f"      <failure message={quoteattr(d.message)}>"
                f"{escape(f'line {d.line}, col {d.column}, {d.message}')}</failure>"
            )
            lines.append("    </testcase>")
        lines.append("  </testsuite>")
    lines.append("</testsuites>")
    return "\n".join(lines) + "\n"
