"""Edge cases of the config rules (PAR008, CFG*, MS*) beyond the rule-doc examples."""

from __future__ import annotations

import os

import pytest
from helpers import codes, lint

from clawlint.config import Settings
from clawlint.diagnostics import Severity


@pytest.fixture(autouse=True)
def _clean_env(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    for var in ("OPENCLAW_STATE_DIR", "OPENCLAW_PROFILE", "OPENCLAW_INCLUDE_ROOTS",
                "OPENAI_API_KEY", "GEMINI_API_KEY", "VOYAGE_API_KEY", "MISTRAL_API_KEY"):
        monkeypatch.delenv(var, raising=False)


def run(ws, text: str, select: list[str], files: dict[str, str] | None = None, **settings):
    root = ws({"openclaw.json": text, "AGENTS.md": "# a\n", **(files or {})})
    return [d for d in lint(root, select=select, settings=Settings(**settings))
            if any(d.code.startswith(s) for s in select)]


def test_par008_points_at_syntax_error_line(ws):
    (d,) = run(ws, "{\n  // ok\n  a: 1,\n  b: 'x\n}\n", ["PAR008"])
    assert (d.path, d.line) == ("openclaw.json", 4)


def test_par008_in_included_file(ws):
    (d,) = run(ws, "{$include: 'x.json5'}", ["PAR008"], {"x.json5": "{a: 1,, }"})
    assert (d.path, d.line, d.column) == ("x.json5", 1, 7)


def test_valid_json5_with_comments_and_trailing_commas_is_clean(ws):
    text = "/* c */ {a: [1, 2,], 'b': {c: .5,},} // end\n"
    # Only the (correct) "default provider without a key" finding remains.
    assert codes(run(ws, text, ["PAR008", "CFG", "MS0"])) == ["MS006"]


def test_cfg005_mixed_list_and_entries(ws):
    diags = run(ws, "{agents: {list: [{id: 'a'}], entries: {a: {}}}}", ["CFG005"])
    assert len(diags) == 1 and "agents.list" in diags[0].message


def test_cfg006_not_reported_for_classic_config(ws):
    text = "{meta: {lastTouchedVersion: '2026.5.1'}, agents: {defaults: {memorySearch: {}}}}"
    assert run(ws, text, ["CFG006"]) == []


def test_cfg006_top_level_memory_search_and_entries_spelling(ws):
    text = "{memorySearch: {}, agents: {entries: {main: {memorySearch: {provider: 'ollama'}}}}}"
    msgs = [d.message for d in run(ws, text, ["CFG006"])]
    assert any("top-level" in m for m in msgs)
    assert any("agents.entries.main.memory.search" in m for m in msgs)


def test_cfg006_is_an_error_with_include(ws):
    diags = run(ws, "{meta: {lastTouchedVersion: '2026.9.1'}, $include: 'a.json5'}", ["CFG006"],
                {"a.json5": "{agents: {defaults: {memorySearch: {provider: 'ollama'}}}}"})
    (d,) = diags
    assert d.severity is Severity.ERROR and d.path == "a.json5"


def test_cfg007_per_agent_blocks_and_classic(ws):
    text = """{agents: {
      defaults: {memorySearch: {chunking: {tokens: 200}}},
      list: [{id: 'main', memorySearch: {chunking: {overlap: 250}, query: {hybrid: {vectorWeight: 2}},
              Provider: 'x', dimensions: 768}}]}}"""
    msgs = [d.message for d in run(ws, text, ["CFG007"])]
    assert any("vectorWeight" in m and "0 to 1" in m for m in msgs)
    assert any("Provider" in m and "case-sensitive" in m for m in msgs)
    assert any("dimensions" in m and "outputDimensionality" in m for m in msgs)
    assert any("chunking.overlap" in m and "(250)" in m for m in msgs)  # across blocks


def test_cfg007_overlap_clamp_is_not_called_a_refusal_to_start(ws):
    text = "{agents: {defaults: {memorySearch: {provider: 'ollama', chunking: {tokens: 400, overlap: 400}}}}}"
    (d,) = run(ws, text, ["CFG007"])
    assert "OpenClaw clamps it to 399" in d.message
    assert "refuses to start" not in d.message
    bad = "{memory: {search: {provider: 'ollama', fallbackRemote: 'openai'}}}"
    assert "refuses to start the gateway" in run(ws, bad, ["CFG007"])[0].message


def test_cfg007_types_and_current_only_keys(ws):
    cur = "{memory: {search: {enabled: 'yes', rememberAcrossConversations: true, " \
          "extraPaths: [{path: 'a', pattern: '*.md'}], chunking: {tokens: 0}}}}"
    msgs = [d.message for d in run(ws, cur, ["CFG007"])]
    assert len(msgs) == 2
    assert any("enabled" in m and "boolean" in m for m in msgs)
    # OpenClaw 2026.9.6 no longer accepts chunking in memory.search (checked with the real CLI).
    assert any("chunking" in m and "Unrecognized key" in m for m in msgs)
    classic = "{agents: {defaults: {memorySearch: {rememberAcrossConversations: true, " \
              "extraPaths: [{path: 'a'}]}}}}"
    msgs = [d.message for d in run(ws, classic, ["CFG007"])]
    assert len(msgs) == 2


def test_cfg007_valid_full_block_is_clean(ws):
    text = """{memory: {search: {
      enabled: true, provider: 'ollama', model: 'nomic-embed-text', fallback: 'none',
      sources: ['memory'], extraPaths: ['notes', {path: 'docs', pattern: '**/*.md'}],
      remote: {baseUrl: 'http://127.0.0.1:11434', apiKey: {source: 'env', provider: 'default',
               id: 'K'}, batch: {enabled: false}},
      local: {modelPath: 'hf:x/y.gguf'}, store: {fts: {tokenizer: 'trigram'},
      vector: {enabled: true}},
      query: {maxResults: 6, minScore: 0.35},
      cache: {enabled: true},
      multimodal: {enabled: false, modalities: ['image', 'audio'], maxFileBytes: 10000000},
    }}}"""
    assert run(ws, text, ["CFG007"]) == []


def test_cfg007_classic_keeps_tuning_keys(ws):
    text = """{agents: {defaults: {memorySearch: {
      chunking: {tokens: 400, overlap: 80}, sync: {watch: true},
      query: {hybrid: {enabled: true, vectorWeight: 0.7, textWeight: 0.3}},
      cache: {enabled: true, maxEntries: 50000}}}}}"""
    assert run(ws, text, ["CFG007"]) == []


def test_cfg008_classic_store_path_is_warning_and_auto_is_info(ws):
    text = "{agents: {defaults: {memorySearch: {provider: 'auto', store: {path: 'x'}}}}}"
    sev = {d.message.split("`")[1]: d.severity for d in run(ws, text, ["CFG008"])}
    assert sev["agents.defaults.memorySearch.store.path"] is Severity.WARNING
    assert sev["agents.defaults.memorySearch.provider"] is Severity.INFO


def test_cfg008_truncation_warning_key(ws):
    cl = "{agents: {defaults: {bootstrapPromptTruncationWarning: 'once'}, list: [{id: 'a'}]}}"
    assert "turn 2" in run(ws, cl, ["CFG008"])[0].message
    ok = "{agents: {defaults: {bootstrapPromptTruncationWarning: 'always'}, list: [{id: 'a'}]}}"
    assert run(ws, ok, ["CFG008"]) == []
    cur = "{agents: {entries: {main: {bootstrapPromptTruncationWarning: 'always'}}}}"
    assert "not part of the Current schema" in run(ws, cur, ["CFG008"])[0].message


def test_user_severity_overrides_per_finding_severity(ws):
    text = "{agents: {defaults: {memorySearch: {provider: 'auto'}}}}"
    (d,) = run(ws, text, ["CFG008"], severity={"CFG008": "error"})
    assert d.severity is Severity.ERROR


def test_cfg009_fix_rewrites_key_and_value(ws):
    root = ws({"openclaw.json": "{agents: {defaults: {params: {'cacheControlTtl': '5m'}}}}"})
    (d,) = [x for x in lint(root, select=["CFG009"]) if x.code == "CFG009"]
    text = (root / "openclaw.json").read_text()
    for e in sorted(d.fix.edits, key=lambda e: -e.start):
        text = text[: e.start] + e.content + text[e.end :]
    assert text == "{agents: {defaults: {params: {'cacheRetention': \"short\"}}}}"


def test_cfg009_per_model_params(ws):
    text = "{agents: {entries: {main: {models: {'anthropic/claude-sonnet-4-6': " \
           "{params: {cacheRetention: 'forever'}}}}}}}"
    (d,) = run(ws, text, ["CFG009"])
    assert "models.anthropic/claude-sonnet-4-6.params.cacheRetention" in d.message


def test_cfg009_checks_an_agent_id_written_in_both_rosters(ws):
    # A half-migrated config: the same agent in the Classic list and the Current entries.
    text = ("{agents: {list: [{id: 'main', params: {cacheRetention: 'forever'}}],\n"
            " entries: {main: {params: {cacheRetention: 'always'}}}}}")
    msgs = [d.message for d in run(ws, text, ["CFG009"])]
    assert any("agents.list[0].params.cacheRetention" in m or "agents.list.0" in m for m in msgs)
    assert any("agents.entries.main.params.cacheRetention" in m for m in msgs)


@pytest.mark.parametrize("every,hit", [("55m", False), ("60m", True), ("1h30m", True),
                                       ("0m", False), ("90s", False), ("2h", True)])
def test_cfg010_heartbeat_thresholds(ws, every, hit):
    text = f"{{agents: {{defaults: {{params: {{cacheRetention: 'long'}}, " \
           f"heartbeat: {{every: '{every}'}}}}}}}}"
    assert bool(run(ws, text, ["CFG010"])) is hit


def test_cfg010_per_agent_override(ws):
    text = """{agents: {defaults: {heartbeat: {every: '2h'}},
      entries: {main: {}, warm: {params: {cacheRetention: 'long'}, heartbeat: {every: '55m'}},
                cold: {params: {cacheRetention: 'long'}}}}}"""
    (d,) = run(ws, text, ["CFG010"])
    assert "'cold'" in d.message and d.line == 1


def test_cfg011_ignores_refs_and_placeholders(ws):
    text = """{models: {providers: {
      ollama: {apiKey: 'ollama-local'}, a: {apiKey: '${A_KEY}'},
      b: {apiKey: {source: 'env', provider: 'default', id: 'B'}}, c: {apiKey: 'sk-xxxxxxxxxxxxxxxx'},
    }}}"""
    assert run(ws, text, ["CFG011"]) == []


def test_cfg011_literal_key_is_reported_masked(ws):
    text = "{models: {providers: {openai: {apiKey: 'sk-proj-4fT9qLmZ2xVb8NcR1sWe6YuJ'}}}}"
    (d,) = run(ws, text, ["CFG011"])
    assert "sk-proj-4fT9qLmZ2xVb8NcR1sWe6YuJ" not in d.message and "${" in d.message


def test_cfg011_agent_blocks_inherit_the_provider_and_web_search_is_not_memory_search(ws):
    key = "'sk-proj-4fT9qLmZ2xVb8NcR1sWe6YuJ'"
    text = (f"{{agents: {{defaults: {{memorySearch: {{provider: 'gemini'}}}},\n"
            f" list: [{{id: 'main', memorySearch: {{remote: {{apiKey: {key}}}}}}}]}},\n"
            f" tools: {{web: {{search: {{apiKey: {key}}}}}}}}}")
    msgs = {d.message.split("`")[1]: d.message for d in run(ws, text, ["CFG011"])}
    agent = next(m for p, m in msgs.items() if p.startswith("agents.list"))
    web = next(m for p, m in msgs.items() if p.startswith("tools.web.search"))
    assert "export GEMINI_API_KEY" in agent
    assert "OPENAI_API_KEY" not in web and "GEMINI_API_KEY" not in web


@pytest.mark.parametrize("block, env", [
    ("{agents: {defaults: {memorySearch: {provider: 'gemini', remote: {apiKey: KEY}}}}}",
     "GEMINI_API_KEY"),
    ("{memory: {search: {provider: 'voyage', remote: {apiKey: KEY}}}}", "VOYAGE_API_KEY"),
    ("{memory: {search: {remote: {apiKey: KEY}}}}", "OPENAI_API_KEY"),  # openai by default
    ("{memory: {search: {provider: 'openai-compatible', remote: {apiKey: KEY}}}}",
     "MEMORY_SEARCH_API_KEY"),
])
def test_cfg011_suggests_the_variable_of_the_blocks_provider(ws, block, env):
    text = block.replace("KEY", "'sk-proj-4fT9qLmZ2xVb8NcR1sWe6YuJ'")
    (d,) = run(ws, text, ["CFG011"])
    assert f'"${{{env}}}"' in d.message and f"export {env}" in d.message


def test_cfg012_world_writable(ws):
    root = ws({"openclaw.json": "{}", "AGENTS.md": "x"})
    os.chmod(root / "openclaw.json", 0o666)
    assert "world-writable" in [d for d in lint(root, select=["CFG012"])][0].message
    os.chmod(root / "openclaw.json", 0o644)
    assert lint(root, select=["CFG012"]) == []


def test_ms001_custom_provider_and_v1_ok(ws):
    text = """{memory: {search: {provider: 'gpu', model: 'qwen3-embedding:0.6b'}},
      models: {providers: {gpu: {api: 'ollama', baseUrl: 'http://gpu:11435/api/embeddings'}}}}"""
    (d,) = run(ws, text, ["MS001"])
    assert "models.providers.gpu.baseUrl" in d.message and d.fix is not None
    ok = "{memory: {search: {provider: 'ollama', remote: {baseUrl: 'http://h:11434/v1/'}}}}"
    assert run(ws, ok, ["MS001"]) == []


def test_ms002_v1_embeddings_suffix(ws):
    text = "{memory: {search: {provider: 'openai-compatible', remote: " \
           "{baseUrl: 'http://ollama.lan:8080/v1/embeddings'}}}}"
    (d,) = run(ws, text, ["MS002"])
    assert '"http://ollama.lan:8080/v1"' in d.message


def test_ms002_ignores_other_servers(ws):
    text = "{memory: {search: {provider: 'openai', remote: {baseUrl: 'http://localhost:1234'}}}}"
    assert run(ws, text, ["MS002", "MS003"]) == []


def test_ms003_openai_compatible_provider_on_an_ollama_port(ws):
    text = ("{memory: {search: {provider: 'openai-compatible', model: 'nomic-embed-text', "
            "remote: {baseUrl: 'http://127.0.0.1:11434/v1'}}}}")
    assert codes(run(ws, text, ["MS003"])) == ["MS003"]


@pytest.mark.parametrize("model,hit", [
    ("llama3.1:8b", True), ("qwen3:8b", True), ("gpt-4o", True), ("gemma3", True),
    ("openai/gpt-4.1", True), ("mistral", True),
    ("qwen3-embedding:0.6b", False), ("nomic-embed-text", False), ("bge-m3", False),
    ("mxbai-embed-large", False), ("all-minilm", False), ("text-embedding-3-small", False),
    ("gemini-embedding-001", False), ("voyage-4-large", False), ("embeddinggemma", False),
    ("mistral-embed", False), ("my-custom-model", False),
])
def test_ms004_model_families(ws, model, hit):
    text = f"{{memory: {{search: {{provider: 'ollama', model: '{model}'}}}}}}"
    assert bool(run(ws, text, ["MS004"])) is hit


def test_ms005_key_sources(ws, monkeypatch):
    base = "{memory: {search: {provider: 'voyage'}}%s}"
    assert run(ws, base % "", ["MS005"])
    assert not run(ws, base % ", models: {providers: {voyage: {apiKey: '${V}'}}}", ["MS005"])
    assert not run(ws, base % ", env: {vars: {VOYAGE_API_KEY: 'x'}}", ["MS005"])
    monkeypatch.setenv("VOYAGE_API_KEY", "k")
    assert not run(ws, base % "", ["MS005"])


@pytest.mark.parametrize("provider", ["ollama", "local", "none", "bedrock"])
def test_ms005_keyless_providers(ws, provider):
    assert run(ws, f"{{memory: {{search: {{provider: '{provider}'}}}}}}", ["MS005"]) == []


def test_ms006_variants(ws, monkeypatch):
    assert run(ws, "{}", ["MS006"])  # no block at all: default provider openai, no key
    assert not run(ws, "{memory: {search: {enabled: false}}}", ["MS006"])
    classic = "{agents: {defaults: {memorySearch: {local: {modelPath: '/m.gguf'}}}}}"
    assert not run(ws, classic, ["MS006"])
    monkeypatch.setenv("OPENAI_API_KEY", "sk")
    assert not run(ws, "{}", ["MS006"])


def test_ms007_classic_gate(ws):
    bad = "{agents: {defaults: {memorySearch: {sources: ['memory', 'sessions']}}}}"
    assert "experimental.sessionMemory" in run(ws, bad, ["MS007"])[0].message
    ok = "{agents: {defaults: {memorySearch: {sources: ['sessions'], " \
         "experimental: {sessionMemory: true}}}}}"
    assert run(ws, ok, ["MS007"]) == []


def test_ms008_needs_hook_enabled(ws):
    text = "{memory: {search: {rememberAcrossConversations: true}}, hooks: {internal: " \
           "{entries: {'session-memory': {enabled: %s}}}}}"
    assert run(ws, text % "true", ["MS008"])
    assert not run(ws, text % "false", ["MS008"])


def test_ms009_each_constraint(ws):
    text = "{memory: {search: {provider: 'gemini', model: 'gemini-embedding-001', " \
           "fallback: 'openai', multimodal: {enabled: true}}}}"
    msgs = [d.message for d in run(ws, text, ["MS009"])]
    assert len(msgs) == 3  # model, fallback, extraPaths


def test_ms011_offline_only_checks_the_url(ws):
    text = "{memory: {search: {provider: 'ollama', remote: {baseUrl: 'http://127.0.0.1:9'}}}}"
    assert run(ws, text, ["MS011"]) == []
    bad = "{memory: {search: {provider: 'ollama', remote: {baseUrl: 'ftp://x'}}}}"
    assert "scheme" in run(ws, bad, ["MS011"])[0].message


def test_ms011_example_url_fits_the_server_kind(ws):
    ollama = "{memory: {search: {provider: 'ollama', remote: {baseUrl: 'localhost:11434'}}}}"
    assert 'e.g. "http://127.0.0.1:11434"' in run(ws, ollama, ["MS011"])[0].message
    compat = ("{memory: {search: {provider: 'openai', model: 'text-embedding-3-small', "
              "remote: {baseUrl: 'embeddings.internal/v1'}}}}")
    (d,) = run(ws, compat, ["MS011"])
    assert 'e.g. "http://127.0.0.1:1234/v1"' in d.message and "11434" not in d.message


def test_config_outside_workspace_reports_absolute_path(ws, tmp_path_factory):
    ext = tmp_path_factory.mktemp("ext") / "openclaw.json"
    ext.write_text("{memory: {search: {provider: 'ollama', model: 'llama3'}}}")
    root = ws({"AGENTS.md": "x"})
    diags = lint(root, select=["MS004"], settings=Settings(openclaw_config=str(ext)))
    assert [d.path for d in diags] == [str(ext)]


def test_no_config_no_findings(ws):
    root = ws({"AGENTS.md": "x"})
    assert [c for c in codes(lint(root, select=["CFG", "MS", "PAR008"]))] == []


def test_credentials_in_a_base_url_never_reach_the_report(ws, tmp_path):
    from clawlint.emitters import EmitContext, emit

    cfg = ('{ agents: { defaults: { memorySearch: { provider: "ollama", model: "nomic-embed-text", '
           'remote: { baseUrl: "http://bob:hunter2secret@gpu.lan:11434/api?api_key=sk-live-1" } } } } }')
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": cfg})
    diags = lint(root, select=["MS"])
    assert diags, "the malformed base URL is reported"
    lines = (root / "openclaw.json").read_text().splitlines()
    ctx = EmitContext(source_line=lambda d: lines[d.line - 1] if 0 < d.line <= len(lines) else "")
    for fmt in ("full", "concise", "grouped", "pylint", "sarif", "github", "gitlab", "junit"):
        out = emit(fmt, diags, ctx)
        assert "hunter2secret" not in out and "sk-live-1" not in out, fmt
    # JSON carries fixes as applicable edits (the user's own text); its prose does not leak.
    import json

    for d in json.loads(emit("json", diags, ctx)):
        told = [d["message"], d.get("help") or "", (d.get("fix") or {}).get("title", "")]
        assert not any("hunter2secret" in t or "sk-live-1" in t for t in told)


# ---- CFG013 / MS010: dedicated cases beyond the doc pair ------------------------------------


def test_symlinked_config_is_reported_with_its_target(ws):
    root = ws({"AGENTS.md": "# A\n", "dotfiles/openclaw.json": "{ agents: { defaults: {} } }"})
    (root / "openclaw.json").symlink_to("dotfiles/openclaw.json")
    diags = lint(root, select=["CFG013"])
    assert codes(diags) == ["CFG013"]
    assert str((root / "dotfiles/openclaw.json").resolve()) in diags[0].message
    assert "OPENCLAW_CONFIG_PATH" in diags[0].message  # says what to do


def test_regular_config_file_is_not_cfg013(ws):
    root = ws({"AGENTS.md": "# A\n", "openclaw.json": "{ agents: { defaults: {} } }"})
    assert lint(root, select=["CFG013"]) == []


def test_qmd_backend_names_the_ignored_builtin_keys(ws):
    cfg = ('{ memory: { backend: "qmd" }, agents: { defaults: { memorySearch: '
           '{ provider: "ollama", model: "nomic-embed-text", query: { maxResults: 5 } } } } }')
    diags = lint(ws({"AGENTS.md": "# A\n", "openclaw.json": cfg}), select=["MS010"])
    assert codes(diags) == ["MS010"]
    assert "model, provider, query" in diags[0].message
    assert 'memory.backend: "builtin"' in diags[0].message


@pytest.mark.parametrize("cfg", [
    '{ memory: { backend: "qmd" }, agents: { defaults: {} } }',  # qmd, no builtin settings
    '{ agents: { defaults: { memorySearch: { provider: "ollama", model: "nomic-embed-text" } } } }',
])
def test_qmd_alone_or_builtin_alone_is_fine(ws, cfg):
    assert lint(ws({"AGENTS.md": "# A\n", "openclaw.json": cfg}), select=["MS010"]) == []


@pytest.mark.parametrize("url, root, goes_to", [
    ("http://gpu:11434/api/embed?token=abc123", "http://gpu:11434", None),
    ("http://gpu:11434/?token=abc123", "http://gpu:11434/", "/"),
    ("http://gpu:11434/v1?auth=abc123", "http://gpu:11434/v1", "/v1"),
    ("http://gpu:11434#token=abc123", "http://gpu:11434", "/"),
    ("http://gpu:11434?x-api-key=abc123", "http://gpu:11434", "/"),
    ("http://gpu:11434?", "http://gpu:11434", "/"),  # even an empty query swallows the path
    ("http://gpu:11434/v1#", "http://gpu:11434/v1", "/v1"),
    ("http://gpu:11434/?token=abc123#f", "http://gpu:11434/", "/"),  # glued into the fragment
])
def test_ms001_query_or_fragment_swallows_the_appended_path(ws, url, root, goes_to):
    text = f"{{memory: {{search: {{provider: 'ollama', remote: {{baseUrl: '{url}'}}}}}}}}"
    (d,) = run(ws, text, ["MS001"])
    assert f'Use "{root}"' in d.message and "remote.headers" in d.message
    if goes_to is None:  # the path names the endpoint: the query value is what breaks
        assert "glued to its end" in d.message
    else:
        assert f"requests go to `{goes_to}` on the server" in d.message
    assert d.fix is None  # dropping the query would lose what it carries: no automatic fix
    assert "abc123" not in d.message  # neither the query nor the fragment is shown


def test_ms001_plain_root_and_v1_have_no_query_finding(ws):
    # A fragment is never sent: behind a path that names the endpoint, the appended
    # `/api/embed` lands in it and the request reaches /api/embed, query and all.
    for url in ("http://gpu:11434", "http://gpu:11434/v1", "http://gpu:11434/",
                "http://gpu:11434/api/embed#x", "http://gpu:11434/api/embed?k=v#f"):
        text = f"{{memory: {{search: {{provider: 'ollama', remote: {{baseUrl: '{url}'}}}}}}}}"
        assert run(ws, text, ["MS001"]) == []


def test_cfg006_current_keys_in_a_config_for_a_classic_version(ws):
    text = ("{meta: {lastTouchedVersion: '2026.4.9'}, memory: {search: {provider: 'ollama'}},\n"
            " agents: {entries: {main: {workspace: '~/w'}}}}")
    found = run(ws, text, ["CFG006"])
    assert sorted(d.message.split("`")[1] for d in found) == ["agents.entries", "memory.search"]
    # Only the version that last wrote the file: the user may have upgraded since.
    assert all(d.severity is Severity.WARNING and "2026.4.9" in d.message for d in found)
    ms = next(d for d in found if "`memory.search`" in d.message)
    assert "agents.defaults.memorySearch" in ms.message and "meta.lastTouchedVersion" in ms.message
    assert "if you have upgraded" in ms.message
    # The same keys without a declared Classic version, or declared Current: nothing.
    assert run(ws, text.replace("2026.4.9", "2026.9.6"), ["CFG006"]) == []
    assert run(ws, text.replace("meta: {lastTouchedVersion: '2026.4.9'}, ", ""), ["CFG006"]) == []
    # The Classic layout in a Classic config is fine.
    ok = ("{meta: {lastTouchedVersion: '2026.4.9'}, "
          "agents: {defaults: {memorySearch: {provider: 'ollama'}}}}")
    assert run(ws, ok, ["CFG006"]) == []


def test_cfg006_names_the_setting_when_the_version_comes_from_it(ws):
    text = "{memory: {search: {provider: 'ollama'}}}"
    (d,) = run(ws, text, ["CFG006"], openclaw_version="2026.4.9")
    assert "`openclaw-version` setting" in d.message
    assert d.severity is Severity.ERROR  # the version the user says they run


def test_cfg006_a_current_only_setting_is_to_be_removed(ws):
    text = "{meta: {lastTouchedVersion: '2026.4.9'}, modelPolicy: {}}"
    (d,) = run(ws, text, ["CFG006"])
    assert "`modelPolicy`" in d.message and "Classic versions have no such setting" in d.message


def test_ms009_messages_say_what_to_set(ws):
    text = "{memory: {search: {provider: 'openai', multimodal: {enabled: true}}}}"
    msgs = [d.message for d in run(ws, text, ["MS009"])]
    assert any(m.endswith("set the provider or disable multimodal") for m in msgs)
    assert any(m.endswith("add the folders to `extraPaths`") for m in msgs)
    ok = ("{memory: {search: {provider: 'gemini', model: 'gemini-embedding-2-preview', "
          "fallback: 'none', extraPaths: ['media'], multimodal: {enabled: true}}}}")
    assert run(ws, ok, ["MS009"]) == []
