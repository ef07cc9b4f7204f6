"""Inline suppressions in Markdown, YAML frontmatter and JSON5, with unused/unknown reports."""

from __future__ import annotations

from helpers import codes, lint

from clawlint import suppressions
from clawlint.runner import run
from clawlint.workspace import Kind, SourceFile

BAD_FM = "---\ntopic: A: b\n---\nx\n"


def test_next_line_in_markdown(ws):
    root = ws({
        "AGENTS.md": "# A\n",
        "memory/cards/a.md": BAD_FM,
        "memory/notes.md": "---\ntitle: x\n---\n<!-- clawlint-disable-file PAR007 -->\n",
    })
    assert codes(lint(root, ["PAR007", "SUP"])) == ["PAR007", "SUP001"]


def test_yaml_comment_suppresses_line(ws):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": "---\ntopic: A: b  # clawlint-disable-line PAR007 reason\n---\nx\n"})
    # The YAML is broken, so the comment is not parsed by YAML, but clawlint still sees it.
    assert codes(lint(root, ["PAR007", "SUP"])) == []


def test_disable_enable_range(tmp_path):
    text = (
        "# A\n<!-- clawlint-disable CV001 CV002 -->\nx\n<!-- clawlint-enable CV001 -->\ny\n"
        "<!-- clawlint-disable -->\nz\n<!-- clawlint-enable -->\nw\n"
    )
    (tmp_path / "AGENTS.md").write_text(text)
    f = SourceFile(tmp_path / "AGENTS.md", "AGENTS.md", Kind.BOOTSTRAP)
    d1, _, d3, _ = suppressions.collect(f)
    # Enabling CV001 closes the range opened for CV001 and CV002 (markdownlint semantics).
    assert d1.ranges == [(2, 4)] and d1.covers(3) and not d1.covers(5)
    assert d3.ranges == [(6, 8)] and not d3.covers(9)


def test_directive_in_code_fence_is_ignored(ws):
    root = ws({
        "AGENTS.md": "# A\n\n```markdown\n<!-- clawlint-disable-file -->\n```\n",
    })
    assert codes(lint(root, ["SUP"])) == []  # not a directive, so not unused either


def test_unused_and_non_enabled_and_unknown(ws):
    root = ws({
        "AGENTS.md": "# A\n<!-- clawlint-disable-next-line PAR007, SUP002 -->\ntext\n"
                     "<!-- clawlint-disable-next-line PAR07 -->\nmore\n<!-- clawlint-disable -->\n",
    })
    diags = lint(root, ["SUP", "PAR003"])
    msgs = [(d.code, d.line, d.message) for d in diags]
    assert msgs[0][0] == "SUP001" and msgs[0][1] == 2
    assert "non-enabled: PAR007" in msgs[0][2]
    assert any(c == "SUP002" and "PAR07 (did you mean PAR007?)" in m for c, _, m in msgs)
    assert any(c == "SUP001" and "blanket" in m for c, _, m in msgs)


def test_used_suppression_is_not_reported(ws):
    root = ws({"AGENTS.md": "# A\n", "memory/cards/a.md": "<!-- x -->\n" + BAD_FM})
    # Frontmatter must start at byte 0, so this file has none: nothing to suppress.
    assert codes(lint(root, ["PAR007", "SUP"])) == []
    root2 = ws({"memory/cards/b.md": "---\ntopic: A: b\n---\n<!-- clawlint-disable-file PAR007 -->\n"})
    assert codes(lint(root2, ["PAR007", "SUP"])) == []


def test_json5_comments(tmp_path):
    text = '{\n  // clawlint-disable-next-line CFG001\n  "a": "x // not a comment",\n  /* clawlint-disable-file */\n}\n'
    (tmp_path / "openclaw.json").write_text(text)
    f = SourceFile(tmp_path / "openclaw.json", "openclaw.json", Kind.CONFIG)
    ds = suppressions.collect(f)
    assert [(d.action, d.codes, d.line) for d in ds] == [
        ("disable-next-line", ["CFG001"], 2),
        ("disable-file", [], 4),
    ]
    assert ds[0].covers(3) and not ds[0].covers(4)


def test_fix_removes_unused_codes_and_comments(ws):
    root = ws({
        "AGENTS.md": "# A\n<!-- clawlint-disable-next-line PAR007 -->\ntext\n"
                     "Keep me <!-- clawlint-disable-line PAR003 PAR007 --> too\n",
        "memory/cards/a.md": "---\ntopic: A: b\n---\n<!-- clawlint-disable-file PAR007 PAR003 -->\n",
    })
    from clawlint.runner import Selection

    report = run([root], selection=Selection(select=["SUP", "PAR007", "PAR003"]), fix=True)
    assert codes(report.diagnostics) == []
    assert (root / "AGENTS.md").read_text() == "# A\ntext\nKeep me too\n"
    assert (root / "memory/cards/a.md").read_text() == (
        "---\ntopic: A: b\n---\n<!-- clawlint-disable-file PAR007 -->\n"
    )
    # Idempotent: a second run changes nothing.
    before = {p: p.read_bytes() for p in root.rglob("*.md")}
    report = run([root], selection=Selection(select=["SUP", "PAR007", "PAR003"]), fix=True)
    assert not report.fixes
    assert before == {p: p.read_bytes() for p in root.rglob("*.md")}


def test_diff_writes_nothing(ws):
    from test_cli import run_cli

    text = "# A\n<!-- clawlint-disable-next-line PAR007 -->\ntext\n"
    root = ws({"AGENTS.md": text})
    code, out, _ = run_cli("check", str(root), "--select", "SUP,PAR007", "--diff")
    assert code == 1
    assert "-<!-- clawlint-disable-next-line PAR007 -->" in out
    assert "Would fix 1 problem." in out
    assert (root / "AGENTS.md").read_text() == text
    code, out, _ = run_cli("check", str(root), "--select", "PAR007", "--diff")
    assert code == 0 and "No fixes available." in out


def test_crlf_preserved_by_fix(ws):
    root = ws({"AGENTS.md": b"# A\r\n<!-- clawlint-disable-next-line PAR007 -->\r\ntext\r\n"})
    from clawlint.runner import Selection

    run([root], selection=Selection(select=["SUP", "PAR007"]), fix=True)
    assert (root / "AGENTS.md").read_bytes() == b"# A\r\ntext\r\n"


def test_diff_marks_missing_final_newline_and_applies(ws, tmp_path):
    import subprocess

    from test_cli import run_cli

    text = "# A\n<!-- clawlint-disable-next-line PAR007 -->\ntext"
    root = ws({"AGENTS.md": text})
    code, out, _ = run_cli("check", str(root), "--select", "SUP,PAR007", "--diff", "--quiet")
    assert code == 1
    assert "\\ No newline at end of file" in out
    patch = tmp_path / "fix.patch"
    patch.write_text(out)
    proc = subprocess.run(["git", "apply", "--unsafe-paths", "-p1", str(patch)], cwd=root,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (root / "AGENTS.md").read_text() == "# A\ntext"


def test_per_file_ignore_explains_unused_suppression(ws):
    from clawlint.config import Settings

    root = ws({"AGENTS.md": "# A\n<!-- clawlint-disable-next-line PAR007 -->\ntext\n"})
    s = Settings(per_file_ignores={"AGENTS.md": ["PAR007"]})
    (d,) = lint(root, ["SUP", "PAR007"], s)
    assert d.code == "SUP001"
    assert "already ignored by per-file-ignores: PAR007" in d.message


def test_fix_keeps_suppressions_of_rules_not_selected(ws):
    """A fix run with a narrow --select reports them but must not delete working suppressions."""
    from clawlint.runner import Selection

    text = "# A\n<!-- clawlint-disable-next-line PAR007 -->\ntext\n"
    root = ws({"AGENTS.md": text})
    report = run([root], selection=Selection(select=["SUP"]), fix=True)
    assert [d.message for d in report.diagnostics if d.code == "SUP001"][0].startswith(
        "Unused suppression (non-enabled: PAR007)")
    assert "keep it if you run that rule" in [d.message for d in report.diagnostics
                                              if d.code == "SUP001"][0]
    assert (root / "AGENTS.md").read_text() == text


STAMP = "Last updated: 2026-11-20 10:00\n"  # CV001 fires on it; CV002 does not


def _fix_text(ws, text: str) -> str:
    from clawlint.runner import Selection

    root = ws({"AGENTS.md": text})
    sel = Selection(select=["SUP", "CV001", "CV002"])
    run([root], selection=sel, fix=True)
    fixed = (root / "AGENTS.md").read_text()
    again = run([root], selection=sel, fix=True)  # idempotent, and nothing left to fix
    assert not again.fixes and (root / "AGENTS.md").read_text() == fixed
    assert "SUP001" not in codes(again.diagnostics)
    return fixed


def test_removing_an_unused_disable_removes_its_enable(ws):
    text = "# A\n\n<!-- clawlint-disable CV002 -->\nBe brief.\n<!-- clawlint-enable CV002 -->\n\nMore.\n"
    assert _fix_text(ws, text) == "# A\n\nBe brief.\n\nMore.\n"
    blanket = "# A\n<!-- clawlint-disable -->\nBe brief.\n<!-- clawlint-enable -->\nMore.\n"
    assert _fix_text(ws, blanket) == "# A\nBe brief.\nMore.\n"


def test_enable_keeps_only_the_codes_still_disabled(ws):
    text = (f"# A\n<!-- clawlint-disable CV002 CV001 -->\n{STAMP}"
            "<!-- clawlint-enable CV002 CV001 -->\nMore.\n")
    assert _fix_text(ws, text) == (f"# A\n<!-- clawlint-disable CV001 -->\n{STAMP}"
                                   "<!-- clawlint-enable CV001 -->\nMore.\n")
    two = (f"# A\n<!-- clawlint-disable CV002 -->\n<!-- clawlint-disable CV001 -->\n{STAMP}"
           "<!-- clawlint-enable CV002 CV001 -->\nMore.\n")
    assert _fix_text(ws, two) == (f"# A\n<!-- clawlint-disable CV001 -->\n{STAMP}"
                                  "<!-- clawlint-enable CV001 -->\nMore.\n")


def test_an_enable_still_ending_other_ranges_stays(ws):
    text = (f"# A\n<!-- clawlint-disable CV002 -->\n<!-- clawlint-disable CV001 -->\n{STAMP}"
            "<!-- clawlint-enable -->\nMore.\n")
    assert _fix_text(ws, text) == (f"# A\n<!-- clawlint-disable CV001 -->\n{STAMP}"
                                   "<!-- clawlint-enable -->\nMore.\n")
    both_unused = ("# A\n<!-- clawlint-disable CV002 -->\n<!-- clawlint-disable CV001 -->\nquiet\n"
                   "<!-- clawlint-enable CV002 CV001 -->\nMore.\n")
    assert _fix_text(ws, both_unused) == "# A\nquiet\nMore.\n"
