"""BS rules and the hook/extra-files rules, on small workspaces."""

from __future__ import annotations

import os

import pytest
from helpers import codes, lint


def _one(diags, code):
    got = [d for d in diags if d.code == code]
    assert len(got) == 1, [(d.code, d.message) for d in diags]
    return got[0]


def test_truncation_names_the_cut_section(ws):
    body = "# MEMORY\n\n## Pointers\n" + "- pointer line here\n" * 1200 + "## Decisions\n- keep\n"
    root = ws({"AGENTS.md": "# A\n", "MEMORY.md": body})
    d = _one(lint(root, select=["BS001"]), "BS001")
    assert "over its 20,000-char bootstrap cap" in d.message
    assert "section `## Pointers`" in d.message
    assert d.path == "MEMORY.md" and d.line > 3


def test_truncation_by_total_budget(ws):
    root = ws({"AGENTS.md": "a" * 2800, "MEMORY.md": "m" * 500,
               "openclaw.json": "{ agents: { defaults: { bootstrapTotalMaxChars: 3000 } } }"})
    d = _one(lint(root, select=["BS001"]), "BS001")
    assert "total bootstrap budget" in d.message
    assert "daily logs) or raise `agents.defaults.bootstrapTotalMaxChars`" in d.message


def test_user_md_cap_message(ws):
    root = ws({"AGENTS.md": "# A\n", "USER.md": "- Prefer tea.\n" * 400})
    d = _one(lint(root, select=["BS001"]), "BS001")
    assert "fixed 4,000-character cap" in d.message
    assert "daily logs); USER.md has a fixed" in d.message  # no stray " ; "


def test_near_cap_and_not_near(ws):
    root = ws({"AGENTS.md": "x" * 17000})
    assert "BS002" in codes(lint(root, select=["BS002"]))
    root2 = ws({"AGENTS.md": "x" * 16990})
    assert "BS002" not in codes(lint(root2, select=["BS002"]))


def test_dropped_lists_the_budget(ws):
    root = ws({"AGENTS.md": "a" * 2950, "MEMORY.md": "m" * 100,
               "openclaw.json": "{ agents: { defaults: { bootstrapTotalMaxChars: 3000 } } }"})
    d = _one(lint(root, select=["BS003"]), "BS003")
    assert "AGENTS.md 2,950" in d.message


def test_nothing_dropped_within_the_total_budget(ws):
    root = ws({"AGENTS.md": "a" * 2800, "MEMORY.md": "m" * 100,
               "openclaw.json": "{ agents: { defaults: { bootstrapTotalMaxChars: 3000 } } }"})
    assert lint(root, select=["BS003"]) == []


def test_missing_agents_only_required(ws):
    root = ws({"SOUL.md": "# S\n"})
    diags = lint(root, select=["BS004"])
    assert [d.path for d in diags] == ["AGENTS.md"]


def test_classic_needs_tools_md(ws):
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": '{ agents: { list: [{ id: "main" }] } }'})
    assert [d.path for d in lint(root, select=["BS004"])] == ["TOOLS.md"]


def test_legacy_files_only_in_current(ws):
    files = {"AGENTS.md": "# A\n" + "a" * 19990, "TOOLS.md": "# T\n" + "t" * 100,
             "HEARTBEAT.md": "- check\n"}
    root = ws(files)
    diags = lint(root, select=["BS005"])
    assert sorted(d.path for d in diags) == ["HEARTBEAT.md", "TOOLS.md"]
    assert any("over its 20,000-char cap" in d.message for d in diags)
    (root / "openclaw.json").write_text('{ meta: { lastTouchedVersion: "2026.6.1" } }')
    assert lint(root, select=["BS005"]) == []


def test_root_memory_variants(ws, tmp_path):
    root = ws({"AGENTS.md": "# A\n", "memory.md": "# m\n"})
    d = _one(lint(root, select=["BS006"]), "BS006")
    assert "Rename it to MEMORY.md" in d.message
    (root / "notes").mkdir()
    (root / "notes" / "mem.md").write_text("# mem\n")
    os.remove(root / "memory.md")
    os.symlink("notes/mem.md", root / "MEMORY.md")
    d = _one(lint(root, select=["BS006"]), "BS006")
    assert "symlink" in d.message


def test_stale_bootstrap_needs_evidence(ws):
    stock = "# BOOTSTRAP.md - Hello, World\n\nYou just woke up. Time to figure out who you are.\n"
    root = ws({"AGENTS.md": "# A\n", "BOOTSTRAP.md": stock})
    assert lint(root, select=["BS007"]) == []  # brand-new workspace: expected
    (root / "MEMORY.md").write_text("# M\n- fact\n")
    assert "BS007" in codes(lint(root, select=["BS007"]))


def test_custom_bootstrap_md_is_left_alone(ws):
    root = ws({"AGENTS.md": "# A\n", "MEMORY.md": "# M\n", "BOOTSTRAP.md": "# Setup\n- our own steps\n"})
    assert lint(root, select=["BS007"]) == []


def test_template_placeholders(ws):
    ident = ("# IDENTITY.md - Who Am I?\n\n- **Name:**\n  _(pick something you like)_\n"
             "- Vibe: [describe your vibe]\n- Emoji: 🦉\n")
    user = "# USER.md\n\n<!-- observed: YYYY-MM-DD | status: active -->\n\n- Prefer ...\n"
    root = ws({"AGENTS.md": "# A\n", "IDENTITY.md": ident, "USER.md": user})
    diags = lint(root, select=["BS008"])
    assert len([d for d in diags if d.path == "IDENTITY.md"]) == 2
    assert len([d for d in diags if d.path == "USER.md"]) == 2
    root2 = ws({"IDENTITY.md": "# IDENTITY.md\n- Name: Juno\n- Vibe: [calm] and dry\n"})
    assert [d for d in lint(root2, select=["BS008"]) if d.path == "IDENTITY.md"] == []


HOOK_MD = ('---\nname: {name}\ndescription: d\nmetadata: {{ "openclaw": {{ "events": ["{ev}"] }} }}\n'
           "---\n# {name}\n")


def test_bootstrap_hook_clock_and_env(ws):
    handler = ("// new Date() in a comment is fine\nconst s = 'Math.random()';\n"
               "export default async (e: any) => {\n  const id = crypto.randomUUID();\n"
               "  const home = process.env.HOME;\n};\n")
    root = ws({"AGENTS.md": "# A\n", "hooks/h/HOOK.md": HOOK_MD.format(name="h", ev="agent:bootstrap"),
               "hooks/h/handler.ts": handler})
    diags = lint(root, select=["CV006"])
    assert [d.line for d in diags] == [4, 5]
    assert "a fresh UUID" in diags[0].message and "the environment" in diags[1].message


def test_other_events_and_disabled_hooks_are_ignored(ws):
    root = ws({"AGENTS.md": "# A\n", "hooks/h/HOOK.md": HOOK_MD.format(name="h", ev="command:new"),
               "hooks/h/handler.ts": "const t = Date.now();\n",
               "hooks/g/HOOK.md": HOOK_MD.format(name="g", ev="agent:bootstrap"),
               "hooks/g/index.js": "const t = Date.now();\n",
               "openclaw.json": '{ hooks: { internal: { entries: { g: { enabled: false } } } } }'})
    assert lint(root, select=["CV006"]) == []


@pytest.mark.parametrize("config,fires", [
    (None, True),  # no openclaw.json: cannot tell, so the latent problem is reported
    ('{ hooks: { internal: { entries: { h: { enabled: true } } } } }', True),
    ('{ hooks: { internal: { entries: { other: { enabled: true } } } } }', False),  # no opt-in
    ('{ hooks: { internal: { enabled: false, entries: { h: { enabled: true } } } } }', False),
])
def test_clock_hook_reported_only_when_it_can_run(ws, config, fires):
    # Same reading as HK007: workspace hooks need an explicit opt-in; a hook that never runs
    # cannot break the cache.
    files = {"AGENTS.md": "# A\n", "hooks/h/HOOK.md": HOOK_MD.format(name="h", ev="agent:bootstrap"),
             "hooks/h/handler.ts": "const t = Date.now();\n"}
    if config:
        files["openclaw.json"] = config
    assert bool(lint(ws(files), select=["CV006"])) is fires


def test_comma_separated_events_count(ws):
    hook = ("---\nname: h\ndescription: d\n"
            'metadata: { "openclaw": { "events": "command:new, agent:bootstrap" } }\n---\n# h\n')
    root = ws({"AGENTS.md": "# A\n", "hooks/h/HOOK.md": hook, "hooks/h/handler.ts": "Date.now();\n"})
    assert [d.code for d in lint(root, select=["CV006"])] == ["CV006"]


def test_handler_discovery_order(ws):
    root = ws({"AGENTS.md": "# A\n", "hooks/h/HOOK.md": HOOK_MD.format(name="h", ev="agent:bootstrap"),
               "hooks/h/handler.js": "export default () => {};\n",
               "hooks/h/index.ts": "const t = Date.now();\n"})
    assert lint(root, select=["CV006"]) == []  # handler.js wins; index.ts is never loaded


def test_extra_files_paths(ws, tmp_path):
    cfg = ('{ hooks: { internal: { entries: { "bootstrap-extra-files": { paths: '
           '["pkg/AGENTS.md", "pkg/NOTES.md", "../outside/AGENTS.md", "gone/AGENTS.md", "pkg/*.md"] } } } } }')
    root = ws({"AGENTS.md": "# A\n", "pkg/AGENTS.md": "# pkg\n", "pkg/NOTES.md": "# n\n",
               "openclaw.json": cfg})
    msgs = [d.message for d in lint(root, select=["BS009"])]
    assert len(msgs) == 4, msgs
    assert any("`pkg/NOTES.md`" in m and "invalid-bootstrap-filename" in m for m in msgs)
    assert any("outside the workspace" in m for m in msgs)
    assert any("`gone/AGENTS.md`" in m and "missing" in m for m in msgs)
    assert any("`pkg/*.md`" in m and "pkg/NOTES.md" in m for m in msgs)


def test_extra_files_read_as_the_simulator_reads_them(ws):
    # A single-string `paths` is checked; a hook that does not run (internal hooks off) is not.
    one = '{ hooks: { internal: { entries: { "bootstrap-extra-files": { paths: "gone/AGENTS.md" } } } } }'
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": one})
    msgs = [d.message for d in lint(root, select=["BS009"])]
    assert len(msgs) == 1 and "`gone/AGENTS.md`" in msgs[0] and "missing" in msgs[0]
    off = ('{ hooks: { internal: { enabled: false, entries: { "bootstrap-extra-files": '
           '{ paths: ["gone/AGENTS.md"] } } } } }')
    (root / "openclaw.json").write_text(off)
    assert lint(root, select=["BS009"]) == []
    # A blank `paths` is skipped by the hook, which then reads `patterns`: so does BS009.
    blank = ('{ hooks: { internal: { entries: { "bootstrap-extra-files": '
             '{ paths: [""], patterns: ["docs/NOTES.md"] } } } } }')
    (root / "openclaw.json").write_text(blank)
    msgs = [d.message for d in lint(root, select=["BS009"])]
    assert len(msgs) == 1 and "`docs/NOTES.md`" in msgs[0], msgs


def test_extra_files_are_simulated(ws):
    cfg = '{ hooks: { internal: { entries: { "bootstrap-extra-files": { paths: ["pkg/*/AGENTS.md"] } } } } }'
    root = ws({"AGENTS.md": "# A\n", "pkg/api/AGENTS.md": "# api rules\n", "openclaw.json": cfg})
    from clawlint import prefix as P
    from clawlint.config import Settings
    from clawlint.workspace import Workspace

    res = P.simulate(Workspace(root, Settings()))
    # Same basename rank as AGENTS.md: right after it, before SOUL.md.
    assert [v.rel for v in res.prompt_files][:2] == ["AGENTS.md", "pkg/api/AGENTS.md"]


def test_volatile_only_counts_prefix_files(ws):
    root = ws({"AGENTS.md": "# A\n", "HEARTBEAT.md": "Last updated: 2026-11-20 09:14\n",
               "memory/cards/x.md": "Last updated: 2026-11-20 09:14\n",
               "MEMORY.md": "Last updated: 2026-11-20 09:14\n"})
    assert [d.path for d in lint(root, select=["CV001"])] == ["MEMORY.md"]


def test_cv004_points_time_placeholders_at_session_status(ws):
    from helpers import lint as _lint

    root = ws({"AGENTS.md": "# Agents\n\nToday is {{date}}.\n\nRequest id: {{uuid}}.\n"})
    msgs = {d.line: d.message for d in _lint(root, select=["CV004"])}
    assert msgs[3].endswith("Remove it; ask for the time with `session_status` instead")
    assert msgs[5].endswith("Remove it")  # not a time: no session_status advice
