"""The openclaw.json loader: discovery, positions, $include, ${VAR}, eras, per-agent views."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write_files

from clawlint.config import Settings
from clawlint.openclaw_config import format_path, load_for_workspace, load_path
from clawlint.workspace import Workspace


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "_home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("OPENCLAW_STATE_DIR", "OPENCLAW_PROFILE", "OPENCLAW_HOME", "OPENCLAW_INCLUDE_ROOTS"):
        monkeypatch.delenv(var, raising=False)
    return home


def load(root: Path, **settings):
    return load_for_workspace(Workspace(root, Settings(**settings)))


def issues(cfg, kind=None):
    return [i for i in cfg.issues if kind is None or i.kind == kind]


# ---- discovery ---------------------------------------------------------------------------------
def test_no_config_anywhere_is_none(ws):
    assert load(ws({"AGENTS.md": "# a\n"})) is None


def test_workspace_json_then_json5(ws):
    root = ws({"openclaw.json5": "{a: 1}", "AGENTS.md": "x"})
    cfg = load(root)
    assert cfg.rel == "openclaw.json5" and cfg.get("a") == 1 and cfg.discovered_by == "workspace"
    write_files(root, {"openclaw.json": "{a: 2}"})
    assert load(root).get("a") == 2


def test_setting_wins_and_is_resolved_outside_the_workspace(ws, tmp_path_factory):
    root = ws({"openclaw.json": "{a: 1}", "AGENTS.md": "x"})
    other = tmp_path_factory.mktemp("other") / "elsewhere.json"
    other.write_text("{a: 3}")
    cfg = load(root, openclaw_config=str(other))
    assert cfg.get("a") == 3 and cfg.rel is None and cfg.display == str(other)
    assert cfg.position("a") == (str(other), 1, 2)


def test_missing_explicit_config_is_a_read_issue(ws, tmp_path):
    cfg = load(ws({"AGENTS.md": "x"}), openclaw_config=str(tmp_path / "nope.json"))
    assert not cfg.ok and issues(cfg, "read")


def test_state_dir_config(ws, tmp_path, monkeypatch):
    state = tmp_path / "state"
    state.mkdir()
    (state / "openclaw.json").write_text("{a: 'state'}")
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(state))
    cfg = load(ws({"AGENTS.md": "x"}))
    assert cfg.get("a") == "state" and cfg.discovered_by == "state-dir"


def test_home_config_only_when_it_names_this_workspace(ws, _isolated_home):
    root = ws({"AGENTS.md": "x"})
    cfgdir = _isolated_home / ".openclaw"
    cfgdir.mkdir()
    (cfgdir / "openclaw.json").write_text("{agents: {defaults: {workspace: '~/other'}}}")
    assert load(root) is None
    (cfgdir / "openclaw.json").write_text(
        json.dumps({"agents": {"entries": {"ops": {"workspace": str(root)}}}}))
    cfg = load(root)
    assert cfg is not None and cfg.discovered_by == "home"


def test_home_config_with_tilde_workspace(tmp_path, _isolated_home):
    root = _isolated_home / "ws"
    root.mkdir()
    (root / "AGENTS.md").write_text("x")
    (_isolated_home / ".openclaw").mkdir()
    (_isolated_home / ".openclaw" / "openclaw.json").write_text(
        "{agents: {defaults: {workspace: '~/ws'}}}")
    assert load(root) is not None


# ---- parsing and positions ------------------------------------------------------------------------
def test_comments_trailing_commas_and_positions(ws):
    root = ws({"openclaw.json": (
        "// my config\n"
        "{\n"
        "  agents: {\n"
        "    defaults: {\n"
        "      memorySearch: { provider: 'ollama', }, /* trailing */\n"
        "    },\n"
        "  },\n"
        "}\n")})
    cfg = load(root)
    assert cfg.ok and cfg.get("agents", "defaults", "memorySearch", "provider") == "ollama"
    assert cfg.position("agents", "defaults", "memorySearch") == ("openclaw.json", 5, 7)
    assert cfg.position("agents", "defaults", "memorySearch", "provider") == ("openclaw.json", 5, 23)
    assert cfg.position("nope") is None


def test_syntax_error_leaves_empty_data(ws):
    cfg = load(ws({"openclaw.json": "{\n  a: 1\n  b: 2\n}\n"}))
    assert not cfg.ok and cfg.data == {}
    (i,) = issues(cfg, "parse")
    assert (i.line, i.column) == (3, 3)


def test_top_level_must_be_an_object(ws):
    cfg = load(ws({"openclaw.json": "[1]"}))
    assert not cfg.ok and issues(cfg, "parse")


def test_duplicate_keys_reported_with_both_lines(ws):
    cfg = load(ws({"openclaw.json": "{\n a: 1,\n a: 2,\n}"}))
    (i,) = issues(cfg, "duplicate")
    assert i.line == 3 and "line 2" in i.message and cfg.get("a") == 2


def test_format_path():
    assert format_path(("agents", "list", 0, "memorySearch")) == "agents.list[0].memorySearch"
    assert format_path(()) == "(root)"


# ---- $include ---------------------------------------------------------------------------------------
def test_include_string_relative_and_sibling_wins(ws):
    root = ws({
        "openclaw.json": "{agents: {$include: './conf/agents.json5', defaults: {x: 'sib'}}}",
        "conf/agents.json5": "{defaults: {x: 'inc', y: 2}, list: [{id: 'main'}]}",
    })
    cfg = load(root)
    assert cfg.get("agents") == {"defaults": {"x": "sib", "y": 2}, "list": [{"id": "main"}]}
    assert cfg.position("agents", "defaults", "x") == ("openclaw.json", 1, 55)
    assert cfg.position("agents", "defaults", "y")[:2] == ("conf/agents.json5", 1)
    assert cfg.position("agents", "list", 0, "id")[0] == "conf/agents.json5"
    assert cfg.file_displays == ["openclaw.json", "conf/agents.json5"]
    assert cfg.files == [str(root / "openclaw.json"), str(root / "conf/agents.json5")]


def test_include_array_deep_merges_in_order(ws):
    root = ws({
        "openclaw.json": "{$include: ['a.json5', 'b.json5'], c: 3}",
        "a.json5": "{x: {p: 1, q: 1}, arr: [1, 2, 3]}",
        "b.json5": "{x: {q: 2}, arr: [9]}",
    })
    cfg = load(root)
    assert cfg.data == {"x": {"p": 1, "q": 2}, "arr": [9], "c": 3}
    assert cfg.position("arr", 0)[0] == "b.json5"
    assert cfg.position("arr", 2) is None  # replaced array items leave no stale positions


def test_include_relative_to_the_including_file(ws):
    root = ws({
        "openclaw.json": "{$include: 'sub/one.json5'}",
        "sub/one.json5": "{$include: 'two.json5', one: 1}",
        "sub/two.json5": "{two: 2}",
    })
    assert load(root).data == {"two": 2, "one": 1}


def test_include_missing_cycle_depth_and_confinement(ws):
    root = ws({
        "openclaw.json": "{\n m: {$include: 'missing.json5'},\n c: {$include: 'c1.json5'},\n"
                         " d: {$include: 'd0.json5'},\n o: {$include: '../outside.json5'},\n}",
        "c1.json5": "{$include: 'c2.json5'}",
        "c2.json5": "{$include: 'c1.json5'}",
        **{f"d{i}.json5": f"{{$include: 'd{i + 1}.json5'}}" for i in range(12)},
        "d12.json5": "{end: true}",
    })
    (root.parent / "outside.json5").write_text("{x: 1}")
    cfg = load(root)
    msgs = [i.message for i in issues(cfg, "include")]
    assert any("does not exist" in m for m in msgs)
    assert any("circular" in m for m in msgs)
    assert any("nested more than 10" in m for m in msgs)
    assert any("outside the config folder" in m for m in msgs)
    missing = next(i for i in issues(cfg, "include") if "does not exist" in i.message)
    assert (missing.file, missing.line) == ("openclaw.json", 2)


def test_include_roots_env_allows_outside(ws, tmp_path_factory, monkeypatch):
    shared = tmp_path_factory.mktemp("shared")
    (shared / "common.json5").write_text("{x: 1}")
    root = ws({"openclaw.json": f"{{$include: '{shared / 'common.json5'}'}}"})
    assert issues(load(root), "include")
    monkeypatch.setenv("OPENCLAW_INCLUDE_ROOTS", f"/nonexistent:{shared}")
    cfg = load(root)
    assert not issues(cfg, "include") and cfg.get("x") == 1


def test_include_parse_error_points_into_the_included_file(ws):
    cfg = load(ws({"openclaw.json": "{$include: 'bad.json5'}", "bad.json5": "{\n x: ,\n}"}))
    (i,) = issues(cfg, "parse")
    assert (i.file, i.line, i.column) == ("bad.json5", 2, 5)
    assert cfg.ok  # the main file itself parsed


def test_include_bad_value(ws):
    cfg = load(ws({"openclaw.json": "{$include: 42}"}))
    assert "array of file paths" in issues(cfg, "include")[0].message


# ---- ${VAR} ---------------------------------------------------------------------------------------
def test_env_substitution(ws, monkeypatch):
    monkeypatch.setenv("BASE", "http://h:1")
    monkeypatch.delenv("MISSING_VAR", raising=False)
    root = ws({"openclaw.json": (
        "{url: '${BASE}/v1', esc: '$${BASE}', lower: '${base}', miss: '${MISSING_VAR}',\n"
        " env: {vars: {FROM_CFG: 'c'}}, cfg: '${FROM_CFG}'}")})
    cfg = load(root)
    assert cfg.get("url") == "http://h:1/v1"
    assert cfg.get("esc") == "${BASE}"
    assert cfg.get("lower") == "${base}"
    assert cfg.get("miss") == "${MISSING_VAR}"
    assert cfg.get("cfg") == "c"
    assert cfg.raw["url"] == "${BASE}/v1"
    assert [i.path for i in issues(cfg, "env-unresolved")] == [("miss",)]
    assert [i.path for i in issues(cfg, "env-name")] == [("lower",)]


def test_empty_env_var_stays_unresolved(ws, monkeypatch):
    monkeypatch.setenv("EMPTY_ONE", "")
    cfg = load(ws({"openclaw.json": "{k: '${EMPTY_ONE}'}"}))
    assert cfg.get("k") == "${EMPTY_ONE}" and issues(cfg, "env-unresolved")


def test_state_dir_dotenv_counts(ws, tmp_path, monkeypatch):
    state = tmp_path / "st"
    state.mkdir()
    (state / ".env").write_text("# c\nexport DOT_KEY='v1'\n")
    monkeypatch.setenv("OPENCLAW_STATE_DIR", str(state))
    cfg = load(ws({"openclaw.json": "{k: '${DOT_KEY}'}"}))
    assert cfg.get("k") == "v1"


# ---- eras and agents ----------------------------------------------------------------------------
@pytest.mark.parametrize("text,era,source", [
    ("{}", "current", "default"),
    ("{agents: {list: [{id: 'a'}]}}", "classic", "keys"),
    ("{agents: {defaults: {memorySearch: {}}}}", "classic", "keys"),
    ("{memory: {search: {}}}", "current", "keys"),
    ("{agents: {entries: {main: {}}}}", "current", "keys"),
    ("{meta: {lastTouchedVersion: '2026.4.27'}, memory: {search: {}}}", "classic", "version"),
    ("{meta: {lastTouchedVersion: '2026.8.1'}}", "current", "version"),
])
def test_era_detection(ws, text, era, source):
    cfg = load(ws({"openclaw.json": text}))
    assert (cfg.era, cfg.era_source) == (era, source)


def test_settings_version_wins(ws):
    cfg = load(ws({"openclaw.json": "{meta: {lastTouchedVersion: '2026.9.6'}}"}),
               openclaw_version="2026.3.1")
    assert (cfg.era, cfg.version, cfg.era_source) == ("classic", "2026.3.1", "settings")


def test_classic_roster_memory_search_and_caps(ws):
    root = ws({"openclaw.json": """{
      agents: {
        defaults: {bootstrapMaxChars: 15000, bootstrapTotalMaxChars: 50000,
                   memorySearch: {provider: 'openai', extraPaths: [' notes ', 'a'],
                                  query: {minScore: 0.3, maxResults: 4}}},
        list: [
          {id: 'main'},
          {id: 'ops', default: true, bootstrapMaxChars: 'big', bootstrapTotalMaxChars: 9999.7,
           memorySearch: {provider: 'ollama', extraPaths: ['a', 'b'], query: {minScore: 0.5}}},
        ],
      },
    }"""})
    cfg = load(root)
    assert cfg.era == "classic"
    assert cfg.agent_ids() == ["main", "ops"] and cfg.default_agent_id() == "ops"
    # An invalid per-agent value is not a number > 0: OpenClaw uses its built-in default.
    assert cfg.bootstrap_caps() == (None, 9999)
    assert cfg.bootstrap_caps("main") == (15000, 50000)
    ms = cfg.memory_search()
    assert ms["provider"] == "ollama" and ms["query"] == {"minScore": 0.5, "maxResults": 4}
    assert ms["extraPaths"] == ["notes", "a", "b"]
    assert cfg.memory_search("main")["provider"] == "openai"
    assert cfg.memory_search_value_path("provider") == ("agents", "list", 1, "memorySearch",
                                                        "provider")


def test_current_roster(ws):
    root = ws({"openclaw.json": """{
      memory: {search: {provider: 'openai', model: 'text-embedding-3-small'}},
      agents: {defaults: {bootstrapMaxChars: -5},
               entries: {main: {}, ops: {memory: {search: {model: 'text-embedding-3-large'}},
                                         bootstrapMaxChars: Infinity}}},
      hooks: {internal: {entries: {'session-memory': {enabled: true}}}},
    }"""})
    cfg = load(root)
    assert cfg.default_agent_id() == "main"
    assert cfg.bootstrap_caps("ops") == (None, None)
    assert cfg.memory_search("ops") == {"provider": "openai", "model": "text-embedding-3-large"}
    assert cfg.memory_search("nobody")["model"] == "text-embedding-3-small"
    assert cfg.hook_entry("session-memory") == {"enabled": True}
    assert cfg.hook_entry("boot-md") == {}
    assert cfg.agent_setting("bootstrapMaxChars", "main") == -5


def test_selected_agent_from_settings(ws):
    root = ws({"openclaw.json": "{agents: {entries: {main: {}, ops: {bootstrapMaxChars: 7}}}}"})
    assert load(root, agent="ops").bootstrap_caps() == (7, None)


def test_default_agent_is_main_without_roster(ws):
    cfg = load(ws({"openclaw.json": "{}"}))
    assert cfg.default_agent_id() == "main" and cfg.agent_ids() == []
    assert cfg.memory_search() == {}


def test_load_path_without_workspace(tmp_path):
    p = tmp_path / "c.json"
    p.write_text("{a: {b: 1}}")
    cfg = load_path(p)
    assert cfg.get("a", "b") == 1 and cfg.position("a", "b") == (str(p), 1, 6)
