"""Every output format, from one set of diagnostics. SARIF is validated against the schema."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from clawlint.diagnostics import Diagnostic, Edit, Fix, Severity
from clawlint.emitters import FORMATS, EmitContext, emit
from clawlint.emitters.github import escape_data, escape_property
from clawlint.registry import all_codes

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json").read_text())
LINES = {
    ("/ws", "AGENTS.md"): ["# Agents", "Last updated: 2026-11-20 09:14", "Be brief."],
    ("/ws", "memory/cards/a, b.md"): ["---", "tags: a, b", "---"],
}


def make_diags() -> list[Diagnostic]:
    return [
        Diagnostic("PAR007", "invalid YAML frontmatter: bad: value", "AGENTS.md", 2, 1, 2, 31,
                   Severity.ERROR, name="invalid-frontmatter", root="/ws"),
        Diagnostic("SUP001", "Unused suppression (unused: PAR007)\nsecond line, 100% sure",
                   "memory/cards/a, b.md", 2, 7, 2, 11, Severity.WARNING, name="unused-suppression",
                   root="/ws", fix=Fix("Remove unused suppression", (Edit(10, 20, ""),))),
        Diagnostic("PAR002", "not UTF-8", "AGENTS.md", 3, 1, 3, 2, Severity.INFO,
                   name="non-utf8-file", root="/ws"),
    ]


def ctx() -> EmitContext:
    def source_line(d: Diagnostic) -> str:
        lines = LINES.get((d.root, d.path), [])
        return lines[d.line - 1] if 0 < d.line <= len(lines) else ""

    return EmitContext(source_line=source_line, cwd=Path("/ws"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(fmt):
    out = emit(fmt, make_diags(), ctx())
    assert out.endswith("\n")
    assert emit(fmt, [], ctx()) is not None


def test_full_format():
    out = emit("full", make_diags(), ctx())
    assert "AGENTS.md:2:1: PAR007 [error] invalid YAML frontmatter" in out
    assert "  2 | Last updated: 2026-11-20 09:14" in out
    assert "    | " + "^" * 30 in out
    assert "= help: Remove unused suppression" in out
    assert "Found 3 problems (1 error, 1 warning, 1 info; 1 fixable)." in out
    assert "[*] 1 fixable with the `--fix` option." in out


def test_concise_and_pylint():
    out = emit("concise", make_diags(), ctx())
    assert out.splitlines()[0] == "AGENTS.md:2:1: PAR007 [error] invalid YAML frontmatter: bad: value"
    assert "SUP001 [*] [warning]" in out
    assert emit("pylint", make_diags(), ctx()).splitlines()[0].startswith("AGENTS.md:2: [PAR007]")


def test_json_contract():
    data = json.loads(emit("json", make_diags(), ctx()))
    assert isinstance(data, list) and len(data) == 3
    required = {"code", "name", "severity", "path", "line", "column", "end_line", "end_column",
                "message", "fix"}
    for obj in data:
        assert required <= set(obj)
    assert data[0]["fix"] is None
    assert data[1]["fix"] == {"title": "Remove unused suppression", "applicability": "safe",
                              "edits": [{"start": 10, "end": 20, "content": ""}]}
    assert data[0]["severity"] == "error" and data[0]["path"] == "AGENTS.md"


def test_json_lines():
    lines = emit("json-lines", make_diags(), ctx()).splitlines()
    assert [json.loads(x)["code"] for x in lines] == ["PAR007", "SUP001", "PAR002"]


def test_sarif_is_valid_and_complete():
    doc = json.loads(emit("sarif", make_diags(), ctx()))
    jsonschema.Draft7Validator(SCHEMA).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == all_codes()
    for r in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert r[key]["text"].strip(), (r["id"], key)
        assert len(r["shortDescription"]["text"]) <= 1024
        assert len(r["fullDescription"]["text"]) <= 1024
        assert r["helpUri"].endswith(f"{r['id']}.md")
    for res in run["results"]:
        assert res["partialFingerprints"]["primaryLocationLineHash"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith("/")
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    assert {r["level"] for r in run["results"]} == {"error", "warning", "note"}


def test_sarif_empty_run_is_valid():
    doc = json.loads(emit("sarif", [], ctx()))
    jsonschema.Draft7Validator(SCHEMA).validate(doc)


def test_github_annotations_escape():
    out = emit("github", make_diags(), ctx()).splitlines()
    assert out[0] == (
        "::error file=AGENTS.md,line=2,col=1,endLine=2,endColumn=31,title=PAR007::"
        "invalid YAML frontmatter: bad: value"
    )
    assert out[1].startswith("::warning file=memory/cards/a%2C b.md,line=2,")
    assert out[1].endswith("::Unused suppression (unused: PAR007)%0Asecond line, 100%25 sure")
    assert out[2].startswith("::notice ")
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape_data("x\r\ny") == "x%0D%0Ay"


def test_gitlab_code_quality():
    data = json.loads(emit("gitlab", make_diags(), ctx()))
    assert [d["severity"] for d in data] == ["major", "minor", "info"]
    for d in data:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(d)
        assert d["location"]["positions"]["begin"]["line"] >= 1
    assert len({d["fingerprint"] for d in data}) == 3
    # Fingerprints survive inserted lines above (line number is not part of them).
    moved = make_diags()
    moved[0].line += 5
    lines = dict(LINES)
    lines[("/ws", "AGENTS.md")] = ["x"] * 5 + LINES[("/ws", "AGENTS.md")]
    c = EmitContext(source_line=lambda d: (lines.get((d.root, d.path)) or [""] * 99)[d.line - 1]
                    if d.line - 1 < len(lines.get((d.root, d.path), [])) else "", cwd=Path("/ws"))
    again = json.loads(emit("gitlab", moved, c))
    assert again[0]["fingerprint"] == data[0]["fingerprint"]


def test_gitlab_has_no_bom():
    assert not emit("gitlab", make_diags(), ctx()).startswith("\ufeff")


def test_junit_xml():
    root = ET.fromstring(emit("junit", make_diags(), ctx()))
    assert root.tag == "testsuites" and root.get("tests") == "3"
    cases = root.findall(".//testcase")
    assert {c.get("name") for c in cases} == {"clawlint.PAR007", "clawlint.SUP001", "clawlint.PAR002"}
    assert all(c.find("failure") is not None for c in cases)


def test_grouped():
    out = emit("grouped", make_diags(), ctx())
    assert out.startswith("AGENTS.md:\n  2:1 PAR007 [error]")


def test_secret_is_masked_in_snippets():
    d = Diagnostic("PAR002", "GitHub token in file", "AGENTS.md", 2, 15, 2, 31, Severity.ERROR,
                   name="x", root="/ws", extra={"secret": True})
    out = emit("full", [d], ctx())
    assert "2026-11-20 09:14" not in out
    assert "Last updated: " in out
