"""HK rules on realistic hook folders (`hooks/<name>/HOOK.md` + handler)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import codes, lint

HANDLER = """export default async function handler(event: any) {
  event.messages.push("Daily note ready.");
}
"""


def hook_md(name: str, metadata: str | None) -> str:
    meta = f"metadata: {metadata}\n" if metadata is not None else ""
    return f'---\nname: {name}\ndescription: "Test hook {name}."\n{meta}---\n# {name}\n'


def apply(text: str, fix) -> str:
    for e in sorted(fix.edits, key=lambda e: -e.start):
        text = text[: e.start] + e.content + text[e.end :]
    return text


def test_a_valid_hook_is_quiet(ws):
    root = ws({
        "hooks/daily-note/HOOK.md": hook_md("daily-note", '{"openclaw": {"events": ["command:new"]}}'),
        "hooks/daily-note/handler.ts": HANDLER,
        "hooks/multi/HOOK.md": "---\nname: multi\nmetadata:\n  openclaw:\n    events:\n"
                               "      - command:new\n      - command:reset\n---\n",
        "hooks/multi/index.js": "module.exports = async () => {};\n",
    })
    assert lint(root, select=["HK"]) == []


@pytest.mark.parametrize("metadata, why", [
    (None, "no `metadata.openclaw` block"),
    ('{"openclaw": {"emoji": "📝"}}', "empty or missing"),
    ('{"openclaw": {"events": []}}', "empty or missing"),
    ('{"openclaw": {"events": [command:new]}}', "cannot parse"),
])
def test_hk001_no_events(ws, metadata, why):
    root = ws({"hooks/h/HOOK.md": hook_md("h", metadata), "hooks/h/handler.ts": HANDLER})
    [d] = lint(root, select=["HK001"])
    assert why in d.message and "never registers" in d.message


def test_hk001_no_frontmatter_at_all(ws):
    root = ws({"hooks/h/HOOK.md": "# h\n\nDoes things.\n", "hooks/h/handler.ts": HANDLER})
    assert codes(lint(root, select=["HK001"])) == ["HK001"]


def test_hk002_handler_names(ws):
    root = ws({
        "hooks/a/HOOK.md": hook_md("a", '{"openclaw": {"events": ["command:new"]}}'),
        "hooks/a/main.ts": HANDLER,
        "hooks/b/HOOK.md": hook_md("b", '{"openclaw": {"events": ["command:new"]}}'),
        "hooks/b/index.ts": HANDLER,
    })
    diags = lint(root, select=["HK002"])
    assert [d.path for d in diags] == ["hooks/a/HOOK.md"]
    # Adding the handler later clears it (the rule is not keyed on HOOK.md alone).
    (root / "hooks/a/handler.js").write_text("module.exports = async () => {};\n")
    assert lint(root, select=["HK002"]) == []


def test_hk003_legacy_only_fix_and_hk001_defers(ws):
    text = hook_md("h", '{"clawdbot": {"events": ["command:new"]}}')
    root = ws({"hooks/h/HOOK.md": text, "hooks/h/handler.ts": HANDLER})
    diags = lint(root, select=["HK001", "HK003"])
    assert codes(diags) == ["HK003"]
    fixed = apply(text, diags[0].fix)
    (root / "hooks/h/HOOK.md").write_text(fixed)
    assert lint(root, select=["HK"]) == []


def test_hk003_both_blocks(ws):
    meta = '{"openclaw": {"events": ["command:new"]}, "clawdbot": {"events": ["command:new"]}}'
    root = ws({"hooks/h/HOOK.md": hook_md("h", meta), "hooks/h/handler.ts": HANDLER})
    [d] = lint(root, select=["HK"])
    assert d.code == "HK003" and d.fix is None and "ignored" in d.message


def test_hk004_shadows_bundled(ws):
    ev = '{"openclaw": {"events": ["command:new"]}}'
    root = ws({
        "hooks/session-memory/HOOK.md": "---\ndescription: x\nmetadata: " + ev + "\n---\n",
        "hooks/session-memory/handler.ts": HANDLER,
        "hooks/mine/HOOK.md": hook_md("mine", '{"openclaw": {"events": ["command:new"], '
                                              '"hookKey": "boot-md"}}'),
        "hooks/mine/handler.ts": HANDLER,
        "hooks/logger/HOOK.md": hook_md("command-logger", ev),
        "hooks/logger/handler.ts": HANDLER,
        "hooks/fine/HOOK.md": hook_md("session-memory-lite", ev),
        "hooks/fine/handler.ts": HANDLER,
    })
    diags = lint(root, select=["HK004"])
    got = {d.path: d.message for d in diags}
    assert set(got) == {"hooks/session-memory/HOOK.md", "hooks/mine/HOOK.md",
                        "hooks/logger/HOOK.md"}
    assert "folder name" in got["hooks/session-memory/HOOK.md"]
    assert "`hookKey`" in got["hooks/mine/HOOK.md"]
    assert "`name`" in got["hooks/logger/HOOK.md"]


def test_hk005_handler_without_hook_md(ws):
    root = ws({"hooks/orphan/handler.ts": HANDLER, "hooks/orphan/index.js": "x\n",
               "memory/x.md": "x\n"})
    diags = lint(root, select=["HK005"])
    assert [d.path for d in diags] == ["hooks/orphan/handler.ts"]


def test_hk005_handler_with_its_hook_md_is_fine(ws):
    root = ws({"hooks/h/HOOK.md": "---\nname: h\ndescription: d\n---\n# h\n",
               "hooks/h/handler.ts": HANDLER, "memory/x.md": "x\n"})
    assert lint(root, select=["HK005"]) == []


def test_hk006_unknown_event(ws):
    meta = '{"openclaw": {"events": ["bootstrap", "agent:bootstrap", "comand:new", "tick"]}}'
    root = ws({"hooks/h/HOOK.md": hook_md("h", meta), "hooks/h/handler.ts": HANDLER})
    msgs = [d.message for d in lint(root, select=["HK006"])]
    assert len(msgs) == 3
    assert "did you mean `agent:bootstrap`?" in msgs[0]
    assert "did you mean `command:new`?" in msgs[1]


def test_hostile_hook_files_never_raise(ws):
    root = ws({
        "hooks/a/HOOK.md": b"---\nname: \xff\n---\n",
        "hooks/b/HOOK.md": "---\nmetadata: {\"openclaw\": {\"events\": 5, \"hookKey\": [1]}}\n---\n",
        "hooks/c/HOOK.md": "---\nmetadata: {\"openclaw\": {\"events\": [1, null, \"\"]}}\n---\n",
        "hooks/d/HOOK.md": "---\n",
        "memory/x.md": "x\n",
    })
    diags = lint(root, select=["HK"])
    assert {d.path for d in diags if d.code == "HK001"} >= {"hooks/b/HOOK.md", "hooks/c/HOOK.md"}


def test_example_workspace_hook_registers():
    root = Path(__file__).resolve().parent.parent / "examples" / "workspace"
    if not (root / "hooks").is_dir():
        pytest.skip("example workspace has no hooks")
    # stamp-context declares agent:bootstrap, has handler.ts and is enabled in the example
    # openclaw.json: it registers and runs (its Date-stamped content is CV006's business).
    diags = lint(root, select=["HK"])
    assert diags == []
    assert [d.path for d in lint(root, select=["CV006"])] == ["hooks/stamp-context/handler.ts"]


def _enabled_ws(ws, config: str | None):
    files = {
        "hooks/daily-note/HOOK.md": hook_md("daily-note", '{"openclaw": {"events": ["command:new"], '
                                                          '"hookKey": "notes"}}'),
        "hooks/daily-note/handler.ts": HANDLER,
        "memory/x.md": "x\n",
    }
    if config is not None:
        files["openclaw.json"] = config
    return ws(files)


@pytest.mark.parametrize("config, fires", [
    (None, False),  # no config: cannot tell
    ("{}", True),
    ('{hooks: {internal: {entries: {notes: {enabled: true}}}}}', False),
    ('{hooks: {internal: {entries: {"daily-note": {enabled: true}}}}}', False),
    ('{hooks: {internal: {entries: {notes: {enabled: false}}}}}', True),
    ('{hooks: {internal: {enabled: false, entries: {notes: {enabled: true}}}}}', True),
    ("{hooks: {enabled: true}}", True),  # HTTP webhooks, not internal hooks
])
def test_hk007_enabled(ws, config, fires):
    diags = lint(_enabled_ws(ws, config), select=["HK007"])
    assert bool(diags) == fires
    if config and "enabled: false, entries" in config:
        assert "turns off all internal hooks" in diags[0].message
        assert "enable the hook itself" not in diags[0].message  # it is opted in already


def test_hk007_internal_off_without_opt_in_names_both_steps(ws):
    diags = lint(_enabled_ws(ws, "{hooks: {internal: {enabled: false}}}"), select=["HK007"])
    (d,) = diags
    assert "turns off all internal hooks" in d.message
    assert "enable the hook itself (`hooks.internal.entries." in d.message
