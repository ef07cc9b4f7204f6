"""The estimated <available_skills> block and its budget, checked against hand arithmetic."""

from __future__ import annotations

from pathlib import Path

from helpers import lint

from clawlint.config import Settings
from clawlint.knowledge import skills as K
from clawlint.skills_budget import (
    Entry,
    apply_limits,
    budget,
    format_compact,
    format_full,
    skills_prompt_block,
)
from clawlint.workspace import Workspace

LOC = "~/.openclaw/workspace/skills/{}/SKILL.md"

# Hand count of OpenClaw's block (skill-contract.ts formatSkillsForPrompt):
#   header lines  "\n\nThe following skills ... tasks."      75 chars
#                 "Use the read tool ... its description."   79
#                 "When a skill file references ... commands." 172
#                 ""                                           0
#                 "<available_skills>"                        18
#   joined with 4 newlines                                     -> 348
#   per skill: "  <skill>" 9 + "    <name></name>" 17 + "    <description></description>" 31
#              + "    <location></location>" 25 + "  </skill>" 10 + 5 newlines = 97 + fields
#   footer: "\n</available_skills>"                            -> 20
HEADER = 75 + 79 + 172 + 0 + 18 + 4
FOOTER = 1 + 19
# Compact header: the second line ends "...matches its name." (72 chars) -> 341; per skill 65.
COMPACT_HEADER = 75 + 72 + 172 + 0 + 18 + 4


def skill(name: str, description: str, extra: str = "") -> str:
    return f'---\nname: {name}\ndescription: "{description}"\n{extra}---\n# {name}\n'


def test_hand_computed_block_length():
    weather = Entry("weather", "Current weather.", LOC.format("weather"))
    jq = Entry("jq", "Query JSON & YAML.", LOC.format("jq"))
    # weather: 97 + 7 + 16 + 45 = 165;  jq: 97 + 2 + (18 - 1 + 5 for "&amp;") + 40 = 161
    assert weather.full_chars == 165
    assert jq.full_chars == 161
    assert len(format_full([weather, jq])) == HEADER + 165 + 161 + FOOTER == 694
    # compact: weather 65 + 7 + 45 = 117; jq 65 + 2 + 40 = 107
    assert len(format_compact([weather, jq])) == COMPACT_HEADER + 117 + 107 + FOOTER == 585
    assert "Query JSON &amp; YAML." in format_full([jq])


def test_budget_fits_compacts_then_drops():
    es = [Entry(n, "d" * 100, LOC.format(n)) for n in ("gamma", "alpha", "beta")]
    # alpha: 97 + 5 + 100 + 43 = 245; beta: 97 + 4 + 100 + 42 = 243; gamma: 245
    full = HEADER + 245 + 243 + 245 + FOOTER
    fits = apply_limits(es, full, 150, True)
    assert fits.full_chars == full and not fits.over_budget
    assert [e.name for e in fits.included] == ["alpha", "beta", "gamma"]  # sorted by name
    compact = apply_limits(es, full - 1, 150, True)
    assert compact.compact and compact.dropped == []
    assert compact.block.startswith(K.COMPACT_NOTE)
    assert "<description>" not in compact.block
    # Compact must fit in limit - 150; give room for two compact entries only.
    two = COMPACT_HEADER + (65 + 5 + 43) + (65 + 4 + 42) + FOOTER
    cut = apply_limits(es, two + K.COMPACT_WARNING_OVERHEAD, 150, True)
    assert [e.name for e in cut.included] == ["alpha", "beta"]
    assert [e.name for e in cut.dropped] == ["gamma"]
    assert "included 2 of 3 (compact format, descriptions omitted)" in cut.block


def test_early_versions_drop_without_compacting():
    es = [Entry(n, "d" * 100, LOC.format(n)) for n in ("gamma", "alpha", "beta")]
    one_entry = 97 + 5 + 100 + 43
    res = apply_limits(es, HEADER + 2 * one_entry + FOOTER, 150, False)
    assert not res.compact
    assert [e.name for e in res.dropped] == ["gamma"]
    assert res.block.startswith("⚠️ Skills truncated: included 2 of 3. Run")
    assert len(res.block.split("\n", 1)[1]) <= HEADER + 2 * one_entry + FOOTER


def test_count_limit():
    es = [Entry(f"s{i}", "x", LOC.format(i)) for i in range(5)]
    res = apply_limits(es, 100_000, 3, True)
    assert [e.name for e in res.dropped] == ["s3", "s4"] and res.over_count
    assert "included 3 of 5" in res.block


def test_default_limits_by_version():
    assert K.default_prompt_chars("2026.3.2") == 30_000
    assert K.default_prompt_chars("2026.7.1") == 18_000
    assert K.default_prompt_chars(None) == 18_000
    assert not K.has_compact_fallback("2026.2.17")


def test_workspace_block_eligibility_and_order(ws):
    root = ws({
        "skills/weather/SKILL.md": skill("weather", "Current weather."),
        "skills/Zeta/SKILL.md": skill("Zeta", "Last."),
        "skills/deploy/SKILL.md": skill("deploy", "Deploy.", "disable-model-invocation: true\n"),
        "skills/off/SKILL.md": skill("off", "Disabled in config."),
        "skills/keyed/SKILL.md": skill("keyed", "Disabled by skillKey.",
                                       'metadata: {"openclaw": {"skillKey": "kk"}}\n'),
        "skills/nodesc/SKILL.md": "---\nname: nodesc\n---\n",
        "skills/alpha/SKILL.md": skill("alpha", "First."),
        "openclaw.json": '{ skills: { entries: { off: { enabled: false }, kk: { enabled: false } } },'
                         ' agents: { defaults: { workspace: "/srv/claw" } } }',
    })
    block = skills_prompt_block(Workspace(root, Settings()))
    names = [line.strip()[6:-7] for line in block.splitlines() if "<name>" in line]
    assert names == ["alpha", "weather", "Zeta"]
    assert "<location>/srv/claw/skills/alpha/SKILL.md</location>" in block


def test_agent_allowlist_filters_the_block(ws):
    root = ws({
        "skills/a/SKILL.md": skill("a", "A."),
        "skills/b/SKILL.md": skill("b", "B."),
        "openclaw.json": '{ agents: { list: [{ id: "main", default: true, skills: ["b"] }] } }',
    })
    block = skills_prompt_block(Workspace(root, Settings()))
    assert "<name>b</name>" in block and "<name>a</name>" not in block


def test_empty_block(ws):
    root = ws({"memory/x.md": "x\n"})
    w = Workspace(root, Settings())
    assert skills_prompt_block(w) == ""
    assert budget(w).limit_chars == 18_000


def test_skl013_reports_cut_and_compacted_skills(ws):
    files = {f"skills/s{i:02d}/SKILL.md": skill(f"s{i:02d}", "word " * 61) for i in range(40)}
    root = ws(files)
    # description "word word ... word" = 61 * 5 - 1 = 304 chars; location
    # "~/.openclaw/workspace/skills/s00/SKILL.md" = 41 chars.
    # 40 x (97 + 3 + 304 + 41) = 17,800 + 348 + 20 -> 18,168 chars: just over the 18,000 default.
    [d] = lint(root, select=["SKL013"])
    assert "18,168 chars" in d.message and "loses its description" in d.message
    assert "cut" not in d.message
    # With the 30,000 default of early versions the same skills fit.
    assert lint(root, select=["SKL013"], settings=Settings(openclaw_version="2026.3.2")) == []
    # A tight configured limit cuts skills from the end of the alphabetical list.
    (root / "openclaw.json").write_text("{ skills: { limits: { maxSkillsPromptChars: 2000 } } }")
    [d] = lint(root, select=["SKL013"])
    assert "`skills.limits.maxSkillsPromptChars` (2,000" in d.message
    # compact entries are 65 + 3 + 41 = 109 chars; (2,000 - 150 - 341 - 20) // 109 = 13 fit
    assert "27 of 40 skills are cut" in d.message
    assert "`s13`, `s14`, `s15`, `s16`, `s17` and 22 more" in d.message
    assert d.path == "skills/s13/SKILL.md"


def test_skl013_quiet_under_budget(ws):
    root = ws({"skills/a/SKILL.md": skill("a", "A.")})
    assert lint(root, select=["SKL013"]) == []


def test_example_workspace_block_is_deterministic():
    root = Path(__file__).resolve().parent.parent / "examples" / "workspace"
    a = skills_prompt_block(Workspace(root, Settings()))
    b = skills_prompt_block(Workspace(root, Settings()))
    assert a == b
