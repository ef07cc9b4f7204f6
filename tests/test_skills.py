"""SKL rules on realistic skill folders (the shapes found in public SKILL.md files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import codes, lint

from clawlint.config import Settings
from clawlint.diagnostics import Applicability
from clawlint.skillset import collation_key, json5_loads, openclaw_frontmatter, parse_skill
from clawlint.workspace import Workspace

WEATHER = """---
name: weather
description: "Current weather and forecast for a city. Use when the user asks about weather."
metadata: {"openclaw": {"emoji": "🌤", "requires": {"bins": ["curl"]}}}
---
# Weather

Run `curl wttr.in/{city}?format=3`.
"""

# The most common real-world breakage: an unquoted `: ` inside the description.
WEATHER_BAD_YAML = """---
name: weather
description: Current weather and forecast for a city. Use when: the user asks about weather.
---
# Weather
"""


def skill(name: str, description: str, extra: str = "") -> str:
    return f'---\nname: {name}\ndescription: "{description}"\n{extra}---\n# {name}\n'


def only(diags, code):
    return [d for d in diags if d.code == code]


def apply(text: str, fix) -> str:
    for e in sorted(fix.edits, key=lambda e: -e.start):
        text = text[: e.start] + e.content + text[e.end :]
    return text


# ---- OpenClaw's reading of frontmatter ------------------------------------------------------
def test_invalid_yaml_description_is_recovered_by_the_line_reader():
    fields = openclaw_frontmatter(WEATHER_BAD_YAML)
    assert fields["description"] == (
        "Current weather and forecast for a city. Use when: the user asks about weather."
    )
    assert fields["name"] == "weather"


def test_yaml_nested_key_misread_prefers_the_line_text():
    # Valid YAML that reads `Use when: x` as a nested mapping; OpenClaw keeps the plain line.
    text = "---\nname: w\ndescription:\n  Use when: asked\n---\n"
    assert "Use when" in openclaw_frontmatter(text)["description"]
    text2 = "---\nname: w\ndescription: {Use when: asked}\n---\n"
    assert openclaw_frontmatter(text2)["description"] == "{Use when: asked}"


def test_nested_yaml_metadata_becomes_json():
    text = (
        "---\nname: gh\ndescription: GitHub\nmetadata:\n  openclaw:\n    emoji: x\n"
        "    requires:\n      bins: [gh]\n---\n"
    )
    sk = parse_skill("skills/gh/SKILL.md", text)
    assert sk.metadata_status == "ok"
    assert sk.manifest == {"emoji": "x", "requires": {"bins": ["gh"]}}


def test_frontmatter_edge_cases_do_not_raise():
    for text in ("", "---", "---\n---\n", "\ufeff---\nname: a\n---\n", "---\n- a\n- b\n---\n",
                 "---\nname: [unclosed\n---\n", "---\r\nname: a\r\ndescription: b\r\n---\r\n",
                 "---\n" + "a:\n " * 500 + "\n---\n", "---\nmetadata: " + "[" * 5000 + "\n---\n"):
        sk = parse_skill("skills/x/SKILL.md", text)
        assert sk.name
    assert openclaw_frontmatter("\ufeff---\nname: a\n---\n") == {}  # BOM: no frontmatter
    assert openclaw_frontmatter("---\r\nname: a\r\n---\r\n") == {"name": "a"}


def test_json5_metadata_reader():
    assert json5_loads('{openclaw: {emoji: "x",},}') == ("ok", {"openclaw": {"emoji": "x"}})
    status, msg = json5_loads('{"openclaw": {"os": [darwin]}}')
    assert status == "error" and msg


def test_collation_matches_localecompare_for_ascii():
    names = ["Beta", "alpha2", "alpha10", "alpha-2", "alpha", "_tool"]
    assert sorted(names, key=collation_key) == ["_tool", "alpha", "alpha-2", "alpha10", "alpha2",
                                                "Beta"]


# ---- SKL001 ---------------------------------------------------------------------------------
def test_skl001_missing_and_empty_description(ws):
    root = ws({
        "skills/a/SKILL.md": "---\nname: a\n---\n# A\n",
        "skills/b/SKILL.md": "---\nname: b\ndescription:\n---\n# B\n",
        "skills/c/SKILL.md": "# C\n\nNo frontmatter at all.\n",
        "skills/ok/SKILL.md": WEATHER,
        "skills/yamlbad/SKILL.md": WEATHER_BAD_YAML.replace("weather", "yb", 1),
    })
    diags = only(lint(root, select=["SKL001"]), "SKL001")
    by = {d.path: d for d in diags}
    assert set(by) == {"skills/a/SKILL.md", "skills/b/SKILL.md", "skills/c/SKILL.md"}
    assert "empty" in by["skills/b/SKILL.md"].message and by["skills/b/SKILL.md"].line == 3
    assert "no frontmatter" in by["skills/c/SKILL.md"].message


def test_skl001_ignores_hidden_and_too_deep_folders(ws):
    root = ws({
        "skills/.archive/old/SKILL.md": "---\nname: old\n---\n",
        "skills/node_modules/pkg/SKILL.md": "---\nname: pkg\n---\n",
        "skills/a/b/c/d/e/f/g/SKILL.md": "---\nname: deep\n---\n",
        "memory/x.md": "x\n",
    })
    assert only(lint(root, select=["SKL"]), "SKL001") == []


# ---- SKL002 / SKL003 ------------------------------------------------------------------------
def test_skl002_missing_name_fix_inserts_folder_name(ws):
    text = '---\ndescription: "Trim videos with ffmpeg."\n---\n# ffmpeg\n'
    root = ws({"skills/ffmpeg/SKILL.md": text})
    [d] = only(lint(root, select=["SKL002"]), "SKL002")
    assert "`ffmpeg`" in d.message
    fixed = apply(text, d.fix)
    assert openclaw_frontmatter(fixed)["name"] == "ffmpeg"
    assert d.fix.applicability is Applicability.SAFE


def test_skl003_skill_key_instead_of_name(ws):
    same = '---\nskill: github-pr\ndescription: "Review pull requests."\n---\n'
    other = '---\nskill: github-pr\ndescription: "Review pull requests."\n---\n'
    root = ws({"skills/github-pr/SKILL.md": same, "skills/gh-helper/SKILL.md": other})
    diags = lint(root, select=["SKL002", "SKL003"])
    assert codes(diags) == ["SKL003", "SKL003"]  # SKL002 stays quiet when `skill:` is present
    by = {d.path: d for d in diags}
    safe, unsafe = by["skills/github-pr/SKILL.md"], by["skills/gh-helper/SKILL.md"]
    assert safe.fix.applicability is Applicability.SAFE
    assert unsafe.fix.applicability is Applicability.UNSAFE
    assert "listed as `gh-helper`" in unsafe.message
    assert openclaw_frontmatter(apply(other, unsafe.fix))["name"] == "github-pr"
    assert (unsafe.line, unsafe.column, unsafe.end_column) == (2, 1, 6)


def test_skl003_works_when_yaml_is_broken(ws):
    text = "---\nskill: weather\ndescription: Weather. Use when: asked.\n---\n"
    root = ws({"skills/weather/SKILL.md": text})
    diags = lint(root, select=["SKL003", "PAR007", "SKL001"])
    assert sorted(codes(diags)) == ["PAR007", "SKL003"]


# ---- SKL004 ---------------------------------------------------------------------------------
def test_skl004_duplicate_reports_the_loser_and_names_the_winner(ws):
    root = ws({
        "skills/weather/SKILL.md": WEATHER,
        "skills/weather-old/SKILL.md": skill("weather", "Old weather skill, kept for reference."),
    })
    [d] = lint(root, select=["SKL004"])
    assert d.path == "skills/weather/SKILL.md"
    assert "skills/weather-old/SKILL.md, which wins" in d.message
    assert d.line == 2


def test_skl004_three_copies_and_folder_fallback(ws):
    root = ws({
        "skills/a/SKILL.md": skill("dup", "one"),
        "skills/b/SKILL.md": skill("dup", "two"),
        "skills/group/c/SKILL.md": skill("dup", "three"),
        "skills/dup/SKILL.md": '---\ndescription: "folder named dup"\n---\n',
    })
    diags = lint(root, select=["SKL004"])
    # Path order: a < b < dup < group/c, so group/c wins over all three.
    assert sorted(d.path for d in diags) == [
        "skills/a/SKILL.md", "skills/b/SKILL.md", "skills/dup/SKILL.md"]
    assert all("skills/group/c/SKILL.md, which wins" in d.message for d in diags)


def test_skl004_ignores_nested_and_undescribed_skills(ws):
    root = ws({
        "skills/tool/SKILL.md": skill("tool", "outer"),
        "skills/tool/examples/SKILL.md": skill("tool", "not discovered: inside a skill"),
        "skills/other/SKILL.md": "---\nname: tool\n---\n",  # skipped: no description
    })
    assert lint(root, select=["SKL004"]) == []


# ---- SKL005 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("meta, hint", [
    ('metadata: {"openclaw": {"os": [darwin]}}\n', "quotes"),
    ('metadata:\n  openclaw: {"emoji": "x"}\n', "single indented line"),
    ("metadata: {openclaw: {emoji: x}}\n", "quotes"),
])
def test_skl005_unparseable_metadata(ws, meta, hint):
    root = ws({"skills/m/SKILL.md": skill("m", "Metadata test.", meta)})
    [d] = lint(root, select=["SKL005"])
    assert hint in d.message and d.line == 4


@pytest.mark.parametrize("meta", [
    'metadata: {"openclaw": {"emoji": "x"}}\n',
    "metadata: {openclaw: {emoji: 'x', requires: {bins: ['jq'],},},}\n",  # JSON5 is fine
    "metadata:\n  openclaw:\n    emoji: x\n    os: [darwin]\n",  # nested YAML becomes JSON
    'metadata: {"author": "me", "version": "1.0"}\n',  # Agent Skills metadata, no openclaw
])
def test_skl005_valid_metadata(ws, meta):
    root = ws({"skills/m/SKILL.md": skill("m", "Metadata test.", meta)})
    assert lint(root, select=["SKL005"]) == []


def test_skl005_openclaw_block_not_an_object(ws):
    root = ws({"skills/m/SKILL.md": skill("m", "x", 'metadata: {"openclaw": "yes"}\n'),
               "skills/n/SKILL.md": skill("n", "x", "metadata: [1, 2]\n")})
    msgs = sorted(d.message for d in lint(root, select=["SKL005"]))
    assert len(msgs) == 2
    assert "metadata.openclaw` must be a non-empty object" in msgs[0]
    assert "must be an object" in msgs[1]


# ---- SKL006 ---------------------------------------------------------------------------------
def test_skl006_unknown_keys_and_values(ws):
    meta = ('metadata: {"openclaw": {"require": {"bins": ["ffmpeg"]}, "os": ["macos"], '
            '"always": "yes", "install": [{"kind": "apt", "package": "ffmpeg"}], '
            '"requires": {"bin": ["x"]}}}\n')
    root = ws({"skills/ff/SKILL.md": skill("ff", "Video tools.", meta)})
    msgs = [d.message for d in lint(root, select=["SKL006"])]
    joined = "\n".join(msgs)
    assert "unknown key `require` (did you mean `requires`?)" in joined
    assert '"macos"' in joined
    assert "`always` must be true or false" in joined
    assert 'install kind "apt"' in joined
    assert "unknown `requires.bin` (did you mean `bins`?)" in joined
    assert len(msgs) == 5


def test_skl006_known_keys_are_quiet(ws):
    meta = ('metadata: {"openclaw": {"emoji": "🎞", "homepage": "https://x", "os": "darwin,linux",'
            ' "always": false, "primaryEnv": "FF_KEY", "skillKey": "ff", "requires": {"bins": '
            '["ffmpeg"], "anyBins": ["a", "b"], "env": ["FF_KEY"], "config": ["skills.x"]}, '
            '"install": [{"kind": "brew", "formula": "ffmpeg"}, {"type": "node", "package": "x"}]}}\n')
    root = ws({"skills/ff/SKILL.md": skill("ff", "Video tools.", meta)})
    assert lint(root, select=["SKL006"]) == []


# ---- SKL007 ---------------------------------------------------------------------------------
def test_skl007_legacy_only_has_a_safe_fix(ws):
    text = skill("jq", "JSON tool.", 'metadata: {"clawdbot": {"requires": {"bins": ["jq"]}}}\n')
    root = ws({"skills/jq/SKILL.md": text})
    [d] = lint(root, select=["SKL007"])
    fixed = apply(text, d.fix)
    assert parse_skill("skills/jq/SKILL.md", fixed).manifest_key == "openclaw"


def test_skl007_both_blocks(ws):
    meta = 'metadata: {"openclaw": {"emoji": "x"}, "clawdbot": {"emoji": "y"}}\n'
    root = ws({"skills/jq/SKILL.md": skill("jq", "JSON tool.", meta)})
    [d] = lint(root, select=["SKL007"])
    assert "ignored" in d.message and d.fix is None


# ---- SKL008 ---------------------------------------------------------------------------------
def test_skl008_booleans(ws):
    root = ws({
        "skills/a/SKILL.md": skill("a", "x", "disable-model-invocation: yes\nuser-invocable: off\n"),
        "skills/b/SKILL.md": skill("b", "x", "disable-model-invocation: sometimes\n"),
        "skills/c/SKILL.md": skill("c", "x", 'user-invocable: "maybe"\n'),
    })
    diags = lint(root, select=["SKL008"])
    assert sorted(d.path for d in diags) == ["skills/b/SKILL.md", "skills/c/SKILL.md"]
    assert any("default (false)" in d.message for d in diags)
    assert any("default (true)" in d.message for d in diags)


# ---- SKL009 ---------------------------------------------------------------------------------
def test_skl009_hashtag_tags_fix(ws):
    text = skill("weather", "Weather.", "tags: #weather #api\n")
    root = ws({"skills/weather/SKILL.md": text})
    [d] = lint(root, select=["SKL009"])
    assert d.line == 4 and d.column == 7
    import yaml

    fixed = apply(text, d.fix)
    assert yaml.safe_load(fixed.split("---")[1])["tags"] == ["weather", "api"]


def test_skl009_quiet_cases(ws):
    root = ws({
        "skills/a/SKILL.md": skill("a", "x", "tags: [weather, api]\n"),
        "skills/b/SKILL.md": skill("b", "x", 'tags: "#weather"\n'),
        "skills/c/SKILL.md": skill("c", "x", "color: #fff\ncolor2: x #comment\n").replace(
            "color: #fff\n", ""),
    })
    assert lint(root, select=["SKL009"]) == []


def test_skl009_mixed_text_has_no_fix(ws):
    root = ws({"skills/a/SKILL.md": skill("a", "x", "tags: #weather and more\n")})
    [d] = lint(root, select=["SKL009"])
    assert d.fix is None


# ---- SKL010 ---------------------------------------------------------------------------------
def test_skl010_size_limit_and_config_override(ws):
    big = skill("big", "Big.") + "x" * 256_001
    small = skill("small", "Small.") + "y" * 2_000
    root = ws({"skills/big/SKILL.md": big, "skills/small/SKILL.md": small})
    assert [d.path for d in lint(root, select=["SKL010"])] == ["skills/big/SKILL.md"]
    (root / "openclaw.json").write_text('{skills: {limits: {maxSkillFileBytes: 1000}}}')
    assert sorted(d.path for d in lint(root, select=["SKL010"])) == [
        "skills/big/SKILL.md", "skills/small/SKILL.md"]


# ---- SKL011 ---------------------------------------------------------------------------------
def test_skl011_symlinked_skill_outside_root(ws, tmp_path_factory):
    root = ws({"tools/deploy/SKILL.md": skill("deploy", "Deploy."),
               "skills/ok/SKILL.md": skill("ok", "ok")})
    os.symlink("../tools/deploy", root / "skills" / "deploy")
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "SKILL.md").write_text(skill("far", "far"))
    os.symlink(str(outside), root / "skills" / "far")
    diags = lint(root, select=["SKL011", "PAR006"])
    assert sorted((d.code, d.path) for d in diags) == [
        ("PAR006", "skills/far"), ("SKL011", "skills/deploy")]
    (root / "openclaw.json").write_text(
        '{skills: {load: {allowSymlinkTargets: ["%s"]}}}' % (root / "tools"))
    assert only(lint(root, select=["SKL011"]), "SKL011") == []


def test_skl011_links_inside_skills_are_fine(ws):
    root = ws({"skills/real/SKILL.md": skill("real", "Real.")})
    os.symlink("real", root / "skills" / "alias")
    assert lint(root, select=["SKL011"]) == []


# ---- SKL012 ---------------------------------------------------------------------------------
def test_skl012_classic_allowlists(ws):
    root = ws({
        "openclaw.json": '{\n  agents: {\n    defaults: { skills: ["wether"] },\n'
                         '    list: [{ id: "main", skills: ["weather", "githb-pr", "canvas"] }],\n'
                         "  },\n}\n",
        "skills/weather/SKILL.md": WEATHER,
        "skills/github-pr/SKILL.md": skill("github-pr", "PRs."),
    })
    diags = lint(root, select=["SKL012"])
    assert [d.line for d in diags] == [3, 4]
    assert "Did you mean `weather`?" in diags[0].message
    assert "Did you mean `github-pr`?" in diags[1].message
    assert diags[0].path == "openclaw.json" and "agents.defaults.skills" in diags[0].message
    assert "agents.list[0].skills" in diags[1].message
    assert diags[0].column == 26 and diags[0].end_column == 34  # the "wether" string
    try:
        import clawlint.checks.config_common  # noqa: F401
    except ImportError:
        return
    fix = diags[0].fix
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    text = (root / "openclaw.json").read_text()
    assert '["weather"]' in apply(text, fix)


def test_skl012_current_entries_and_report_unmatched(ws):
    root = ws({
        "openclaw.json": '{ meta: { lastTouchedVersion: "2026.9.1" },\n'
                         '  agents: { entries: { ops: { skills: ["canvas", "wheather"] } } } }\n',
        "skills/weather/SKILL.md": WEATHER,
    })
    diags = lint(root, select=["SKL012"])
    assert len(diags) == 1 and "`wheather`" in diags[0].message
    settings = Settings(rules={"SKL012": {"report-unmatched": True}})
    diags = lint(root, select=["SKL012"], settings=settings)
    assert sorted(d.message.split("`")[3] for d in diags) == ["canvas", "wheather"]


def test_skl012_without_config_is_quiet(ws):
    root = ws({"skills/weather/SKILL.md": WEATHER})
    assert lint(root, select=["SKL012"]) == []


# ---- robustness -----------------------------------------------------------------------------
def test_hostile_skill_files_never_raise(ws):
    root = ws({
        "skills/bin/SKILL.md": b"---\nname: \x00\n---\n",
        "skills/latin/SKILL.md": b"---\nname: caf\xe9\n---\n",
        "skills/list/SKILL.md": "---\n- a\n---\n",
        "skills/open/SKILL.md": "---\nname: open\ndescription: never closed\n",
        "skills/deep/SKILL.md": "---\nmetadata: " + "{\"a\":" * 3000 + "1" + "}" * 3000 + "\n---\n",
        "skills/dates/SKILL.md": "---\nname: 2026-01-01\ndescription: 12.50\nuser-invocable: 1\n---\n",
        "memory/x.md": "x\n",
    })
    lint(root, select=["SKL", "HK"])  # lint() asserts no internal errors


def test_example_workspace_finds_the_duplicate():
    root = Path(__file__).resolve().parent.parent / "examples" / "workspace"
    if not (root / "skills").is_dir():
        pytest.skip("example workspace has no skills")
    diags = lint(root, select=["SKL", "HK"])
    assert ("SKL004", "skills/weather/SKILL.md") in {(d.code, d.path) for d in diags}
    ws = Workspace(root, Settings())
    from clawlint.skills_budget import skills_prompt_block

    assert "Old weather skill" in skills_prompt_block(ws)


def test_skl006_message_says_what_to_do(ws):
    meta = 'metadata: {"openclaw": {"require": {"bins": ["ffmpeg"]}}}\n'
    root = ws({"skills/ff/SKILL.md": skill("ff", "Video tools.", meta)})
    (d,) = lint(root, select=["SKL006"])
    assert d.message.endswith("the gate or hint has no effect; correct it as suggested or delete it")
