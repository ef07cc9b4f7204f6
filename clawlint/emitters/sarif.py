"""SARIF 2.1.0, as GitHub code scanning reads it (every rule documented, fingerprints set)."""

from __future__ import annotations

import json
from pathlib import Path

from clawlint import __version__
from clawlint.diagnostics import Diagnostic
from clawlint.emitters import EmitContext
from clawlint.emitters.machine import fingerprint
from clawlint.ruledocs import load_all

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_PROBLEM = {"error": "error", "warning": "warning", "info": "recommendation"}


def _clip(text: str, limit: int = 1024) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def rule_descriptors() -> list[dict]:
    from clawlint.registry import all_codes

    docs = load_all()
    out = []
    for code in all_codes():
        doc = docs[code]
        what = doc.sections.get("What it does", doc.summary)
        why = doc.sections.get("Why is this bad?", "")
        out.append(
            {
                "id": code,
                "name": "".join(p.capitalize() for p in doc.name.split("-")),
                "shortDescription": {"text": _clip(doc.summary)},
                "fullDescription": {"text": _clip(f"{what.strip()} {why.strip()}")},
                "help": {"text": _clip(doc.render(), 10000), "markdown": doc.render()},
                "helpUri": doc.help_uri,
                "defaultConfiguration": {"level": _LEVEL[doc.severity.value]},
                "properties": {
                    "tags": [doc.name.split("-")[0], "openclaw"],
                    "precision": "high",
                    "problem.severity": _PROBLEM[doc.severity.value],
                },
            }
        )
    return out


def sarif(diags: list[Diagnostic], ctx: EmitContext) -> str:
    rules = rule_descriptors()
    index = {r["id"]: i for i, r in enumerate(rules)}
    roots = sorted({d.root for d in diags if d.root})
    results = []
    for d in diags:
        region = {
            "startLine": d.line,
            "startColumn": d.column,
            "endLine": d.end_line,
            "endColumn": max(d.end_column or d.column, d.column + 1) if d.end_line == d.line else d.end_column,
        }
        loc: dict = {"artifactLocation": {"uri": d.path}, "region": region}
        if d.root and len(roots) > 0:
            loc["artifactLocation"]["uriBaseId"] = f"WORKSPACE{roots.index(d.root)}" if len(roots) > 1 else "WORKSPACE"
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVEL[d.severity.value if d.severity else "warning"],
                "message": {"text": d.message},
                "locations": [{"physicalLocation": loc}],
                "partialFingerprints": {
                    "primaryLocationLineHash": f"{fingerprint(d, ctx.source_line(d))[:16]}:1"
                },
            }
        )
    run: dict = {
        "tool": {
            "driver": {
                "name": "clawlint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/clawlint/clawlint",
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if roots:
        if len(roots) == 1:
            run["originalUriBaseIds"] = {"WORKSPACE": {"uri": Path(roots[0]).as_uri() + "/"}}
        else:
            run["originalUriBaseIds"] = {
                f"WORKSPACE{i}": {"uri": Path(r).as_uri() + "/"} for i, r in enumerate(roots)
            }
    doc = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
