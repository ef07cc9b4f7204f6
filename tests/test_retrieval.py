"""Retrieval machinery: endpoint resolution, HTTP backends against the fake Ollama server,
the embedding cache, the lexical backend, chunking and the blocked cosine search."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from fake_ollama import FakeModel, FakeOllama, fake_ollama  # noqa: F401  (fixture)
from helpers import write_files

from clawlint.config import Settings
from clawlint.knowledge import embeddings as K
from clawlint.retrieval.backends import EmbedError, OllamaBackend, OpenAIBackend
from clawlint.retrieval.cache import EmbeddingCache, cache_root, namespace
from clawlint.retrieval.documents import card_unit, chunk_markdown, parse_tags
from clawlint.retrieval.endpoint import (
    Plan,
    is_loopback,
    normalize_base_url,
    ollama_api_base,
    parse_ollama_host,
    resolve_plan,
)
from clawlint.retrieval.lexical import KeywordIndex, TfIdf, cosine, fts_tokens, hashed, words
from clawlint.retrieval.run import Progress, Retrieval
from clawlint.retrieval.similarity import normalize_rows, pairs_above, top_k
from clawlint.workspace import Workspace

CARD = "---\ntopic: Backup plan\ntags: [backups, nas]\n---\nNightly restic backup at 02:30.\n"


# ---- OLLAMA_HOST and base URLs ------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "http://127.0.0.1:11434"),
        (None, "http://127.0.0.1:11434"),
        ("1.2.3.4", "http://1.2.3.4:11434"),
        ("example.com", "http://example.com:11434"),
        ("example.com:56789", "http://example.com:56789"),
        (":56789", "http://:56789"),
        ("http://example.com", "http://example.com:80"),
        ("https://example.com", "https://example.com:443"),
        ("http://example.com:1234", "http://example.com:1234"),
        ("ollama.com", "https://ollama.com:443"),
        ("[::1]:11434", "http://[::1]:11434"),
        ("::1", "http://[::1]:11434"),
        ("example.com:99999", "http://example.com:11434"),  # bad port -> default
        ("https://example.com/path", "https://example.com:443/path"),
        ("  0.0.0.0  ", "http://0.0.0.0:11434"),
    ],
)
def test_parse_ollama_host_like_envconfig(value, expected):
    assert parse_ollama_host(value) == expected


def test_base_url_helpers():
    assert ollama_api_base("http://127.0.0.1:11434/v1/") == "http://127.0.0.1:11434"
    assert ollama_api_base("http://h:1/api/embed") == "http://h:1/api/embed"  # like OpenClaw
    assert normalize_base_url("localhost:11434") == "http://localhost:11434"
    assert normalize_base_url("http://x:1/") == "http://x:1"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:11434", True), ("http://127.8.9.1", True), ("http://localhost:1", True),
        ("http://[::1]:11434", True), ("http://0.0.0.0:11434", True),
        ("http://192.168.1.5:11434", False), ("https://api.openai.com/v1", False),
        ("http://gpu-box.local:11435", False), ("not a url", False),
    ],
)
def test_is_loopback(url, local):
    assert is_loopback(url) is local


def _ws(tmp_path: Path, files: dict[str, str], **settings) -> Workspace:
    write_files(tmp_path, files)
    return Workspace(tmp_path, Settings(**settings))


def test_plan_default_is_lexical_without_config(tmp_path):
    plan = resolve_plan(_ws(tmp_path, {"memory/cards/a.md": CARD}))
    assert plan.kind == "lexical" and "no local embedding endpoint" in plan.reason


@pytest.mark.parametrize("cfg, block", [
    ('{agents: {defaults: {memorySearch: {provider: "ollama"}}}}', "agents.defaults.memorySearch"),
    ('{memory: {search: {provider: "ollama"}}}', "memory.search"),
])
def test_plan_names_the_block_of_the_configs_era(tmp_path, cfg, block):
    from clawlint.retrieval.backends import _not_embedding

    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert plan.block == block and f'{block}.provider "ollama"' in plan.reason
    assert f"set {block}.model to an embedding model" in _not_embedding("llama3", plan.block).hint
    off = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg.replace('provider: "ollama"',
                                                                    "enabled: false")}))
    assert off.reason == f"{block} is disabled"


@pytest.mark.parametrize("cfg, block, line", [
    # The block in force, not the era's default: a per-agent block, and a Classic-version
    # config that writes memory.search.
    ('{agents: {entries: {main: {memory: {search: {provider: "ollama"}}}}}}',
     "agents.entries.main.memory.search", 1),
    ('{meta: {lastTouchedVersion: "2026.4.9"},\n memory: {search: {provider: "ollama"}}}',
     "memory.search", 2),
])
def test_plan_names_and_anchors_the_block_in_force(tmp_path, cfg, block, line):
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert plan.block == block and f'{block}.provider "ollama"' in plan.reason
    assert plan.where is not None and plan.where[1] == line and plan.where[2] > 1


def test_plan_lexical_when_requested_even_with_config(tmp_path):
    cfg = '{agents: {defaults: {memorySearch: {provider: "ollama"}}}}'
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}, embeddings="lexical"))
    assert plan.kind == "lexical"


def test_plan_from_classic_memory_search_strips_v1(tmp_path):
    cfg = ('{agents: {defaults: {memorySearch: {provider: "ollama", model: "qwen3-embedding:0.6b",'
           ' remote: {baseUrl: "http://localhost:11434/v1/"}}}}}')
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert (plan.kind, plan.model, plan.base_url) == (
        "ollama", "qwen3-embedding:0.6b", "http://localhost:11434")
    assert plan.refusal is None
    assert plan.where is not None and plan.where[0] == "openclaw.json"


def test_plan_from_current_era_memory_search(tmp_path):
    cfg = ('{meta: {lastTouchedVersion: "2026.9.6"}, memory: {search: {provider: "ollama", '
           'model: "all-minilm"}}}')
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert (plan.kind, plan.model, plan.base_url) == ("ollama", "all-minilm", K.OLLAMA_DEFAULT_URL)


def test_plan_custom_provider_with_ollama_api(tmp_path):
    cfg = ('{models: {providers: {"ollama-5080": {api: "ollama", baseUrl: "http://127.0.0.1:11435"}}},'
           ' agents: {defaults: {memorySearch: {provider: "ollama-5080", model: "qwen3-embedding:0.6b"}}}}')
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert (plan.kind, plan.base_url) == ("ollama", "http://127.0.0.1:11435")


def test_plan_openai_provider_local_v1(tmp_path):
    cfg = ('{agents: {defaults: {memorySearch: {provider: "openai", model: "nomic-embed-text",'
           ' remote: {baseUrl: "http://localhost:11434/v1", apiKey: "ollama"}}}}}')
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert (plan.kind, plan.base_url, plan.api_key) == ("openai", "http://localhost:11434/v1", "ollama")


def test_plan_cloud_openai_stays_lexical_in_auto(tmp_path):
    cfg = '{agents: {defaults: {memorySearch: {provider: "openai"}}}}'
    plan = resolve_plan(_ws(tmp_path, {"openclaw.json": cfg}))
    assert plan.kind == "lexical" and "not a local endpoint" in plan.reason


def test_plan_disabled_memory_search_is_lexical(tmp_path):
    cfg = '{agents: {defaults: {memorySearch: {enabled: false, provider: "ollama"}}}}'
    assert resolve_plan(_ws(tmp_path, {"openclaw.json": cfg})).kind == "lexical"


def test_plan_remote_needs_allow_remote(tmp_path):
    files = {"memory/cards/a.md": CARD}
    plan = resolve_plan(_ws(tmp_path, files, embeddings="ollama", ollama_url="http://10.0.0.5:11434"))
    assert plan.refusal and "--allow-remote" in plan.refusal
    plan = resolve_plan(_ws(tmp_path, files, embeddings="ollama", ollama_url="http://10.0.0.5:11434",
                            allow_remote=True))
    assert plan.refusal is None


def test_plan_settings_beat_config_and_env(tmp_path, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:9999")
    cfg = '{agents: {defaults: {memorySearch: {provider: "ollama", model: "all-minilm"}}}}'
    ws = _ws(tmp_path, {"openclaw.json": cfg}, embed_model="nomic-embed-text")
    plan = resolve_plan(ws)
    assert (plan.model, plan.base_url) == ("nomic-embed-text", "http://127.0.0.1:9999")
    ws2 = Workspace(tmp_path, Settings(ollama_url="localhost:1234"))
    assert resolve_plan(ws2).base_url == "http://localhost:1234"


def test_plan_cli_model_alone_enables_ollama(tmp_path):
    plan = resolve_plan(_ws(tmp_path, {"memory/cards/a.md": CARD}, embed_model="all-minilm"))
    assert (plan.kind, plan.base_url) == ("ollama", K.OLLAMA_DEFAULT_URL)


# ---- model knowledge ----------------------------------------------------------------------
def test_model_profiles_and_names():
    assert K.base_model_name("library/nomic-embed-text:latest") == "nomic-embed-text"
    assert K.normalize_model_tag("all-minilm") == "all-minilm:latest"
    assert K.normalize_model_tag("qwen3-embedding:0.6b") == "qwen3-embedding:0.6b"
    nomic = K.profile_for("nomic-embed-text:v1.5")
    assert nomic.dedup_template.startswith("clustering: ")
    assert nomic.query_template == "search_query: {text}"
    gemma = K.profile_for("embeddinggemma")
    assert gemma.document_template == "title: none | text: {text}"
    assert K.profile_for("qwen3-embedding:8b").query_template.startswith("Instruct: ")
    assert K.profile_for("unknown-model") is K.GENERIC_PROFILE


# ---- backends against the fake server ---------------------------------------------------
def _plan(srv: FakeOllama, model: str = "nomic-embed-text", kind: str = "ollama", **kw) -> Plan:
    base = srv.url + ("/v1" if kind == "openai" else "")
    return Plan(kind, model=model, base_url=base, **kw)


def test_ollama_preflight_reads_digest_dims_context(fake_ollama):  # noqa: F811
    b = OllamaBackend(_plan(fake_ollama))
    b.preflight()
    assert b.info.dims == 768 and b.info.context == 2048 and len(b.info.digest) == 64
    vecs = b.embed(["a b c", "a b d"])
    assert len(vecs) == 2 and len(vecs[0]) == 768
    body = fake_ollama.requests[-1][2]
    assert body["input"] == ["a b c", "a b d"] and body["truncate"] is True
    assert body["keep_alive"] == "5m"


def test_ollama_dimensions_request(fake_ollama):  # noqa: F811
    b = OllamaBackend(_plan(fake_ollama, dimensions=256))
    b.preflight()
    assert len(b.embed(["x y"])[0]) == 256
    assert fake_ollama.requests[-1][2]["dimensions"] == 256


@pytest.mark.parametrize(
    ("model", "kind", "hint"),
    [("nope-embed", "model-missing", "ollama pull nope-embed"),
     ("llama3.1:8b", "not-embedding", "ollama pull nomic-embed-text")],
)
def test_ollama_model_errors(fake_ollama, model, kind, hint):  # noqa: F811
    b = OllamaBackend(_plan(fake_ollama, model=model))
    with pytest.raises(EmbedError) as ei:
        b.preflight()
    assert ei.value.kind == kind and hint in ei.value.hint


def test_ollama_embed_404_model_vanished(fake_ollama):  # noqa: F811
    b = OllamaBackend(_plan(fake_ollama))
    b.preflight()
    fake_ollama.fail_next = (404, {"error": "model 'nomic-embed-text' not found"})
    with pytest.raises(EmbedError) as ei:
        b.embed(["x"])
    assert ei.value.kind == "model-missing" and "ollama pull nomic-embed-text" in ei.value.hint


def test_ollama_http_500_and_bad_url(fake_ollama):  # noqa: F811
    b = OllamaBackend(_plan(fake_ollama))
    b.preflight()
    fake_ollama.fail_next = (500, {"error": "llama runner process has terminated"})
    with pytest.raises(EmbedError) as ei:
        b.embed(["x"])
    assert ei.value.kind == "http" and "llama runner" in ei.value.message
    wrong = OllamaBackend(Plan("ollama", model="nomic-embed-text",
                               base_url=fake_ollama.url + "/api/embed"))
    with pytest.raises(EmbedError) as ei:
        wrong.preflight()
    assert ei.value.kind == "http" and "base URL" in ei.value.message


def test_ollama_timeout(fake_ollama):  # noqa: F811
    b = OllamaBackend(_plan(fake_ollama), timeout=0.2)
    b.preflight()
    fake_ollama.delay = 1.0
    with pytest.raises(EmbedError) as ei:
        b.embed(["x"])
    assert ei.value.kind == "timeout"


def test_dimension_mismatch_detected(fake_ollama):  # noqa: F811
    fake_ollama.dims_override["nomic-embed-text:latest"] = 512
    b = OllamaBackend(_plan(fake_ollama))
    b.preflight()  # /api/show says 768
    with pytest.raises(EmbedError) as ei:
        b.embed(["x"])
    assert ei.value.kind == "dimension-mismatch" and "512" in ei.value.message


def test_server_down():
    srv = FakeOllama().start()
    url = srv.url
    srv.stop()  # the port is now closed
    b = OllamaBackend(Plan("ollama", model="nomic-embed-text", base_url=url), timeout=2)
    with pytest.raises(EmbedError) as ei:
        b.preflight()
    assert ei.value.kind == "server-down" and "ollama serve" in ei.value.hint


def test_not_ollama_server(tmp_path):
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        b = OllamaBackend(Plan("ollama", model="m", base_url=f"http://127.0.0.1:{httpd.server_address[1]}"))
        with pytest.raises(EmbedError) as ei:
            b.preflight()
        assert ei.value.kind == "bad-response"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_openai_compatible_backend(fake_ollama):  # noqa: F811
    b = OpenAIBackend(_plan(fake_ollama, kind="openai", api_key="ollama"))
    vecs = b.embed(["one two", "three four", "five"])
    assert len(vecs) == 3 and len(vecs[0]) == 768
    method, path, body = fake_ollama.requests[-1]
    assert (method, path, body["encoding_format"]) == ("POST", "/v1/embeddings", "float")
    missing = OpenAIBackend(_plan(fake_ollama, model="nope", kind="openai"))
    with pytest.raises(EmbedError) as ei:
        missing.embed(["x"])
    assert ei.value.kind == "model-missing"


def test_fake_server_error_bodies(fake_ollama):  # noqa: F811
    import urllib.error
    import urllib.request

    def post(path, data: bytes):
        req = urllib.request.Request(fake_ollama.url + path, data=data, method="POST")
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    assert post("/api/embed", b"") == (400, {"error": "missing request body"})
    assert post("/api/embed", json.dumps({"model": "all-minilm", "input": [1]}).encode()) == (
        400, {"error": "invalid input type"})
    assert post("/api/embed", json.dumps({"model": "all-minilm", "input": []}).encode()) == (
        200, {"model": "all-minilm:latest", "embeddings": []})
    status, body = post("/api/embed", json.dumps(
        {"model": "all-minilm", "input": "w " * 600, "truncate": False}).encode())
    assert (status, body["error"]) == (400, "the input length exceeds the context length")
    status, body = post("/v1/embeddings", json.dumps({"model": "x", "input": "a"}).encode())
    assert status == 404 and body["error"]["type"] == "not_found_error"


# ---- session: batching, cache, fallback -----------------------------------------------------
def _session(tmp_path: Path, srv: FakeOllama, **settings) -> Retrieval:
    ws = _ws(tmp_path, {"memory/cards/a.md": CARD}, embeddings="ollama", ollama_url=srv.url,
             embed_model="nomic-embed-text", **settings)
    return Retrieval(ws, {"batch_size": 4, "timeout": 5})


def test_batching_and_warm_cache(tmp_path, fake_ollama):  # noqa: F811
    texts = [f"card number {i} about backups" for i in range(10)]
    r = _session(tmp_path, fake_ollama)
    m = r.embed(texts, "clustering: {text}")
    assert m is not None and m.shape == (10, 768)
    assert fake_ollama.embed_calls == 3 and fake_ollama.embedded == 10  # batches of 4
    sent = [b for (_, p, b) in fake_ollama.requests if p == "/api/embed"]
    assert sent[0]["input"][0] == "clustering: card number 0 about backups"
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-5)
    root = tmp_path / ".clawlint_cache"
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    # One cache folder, one writer: the same .gitignore whichever cache creates the folder.
    assert (root / ".gitignore").read_text() == "# Automatically created by clawlint.\n*\n"
    fake_ollama.reset_counts()
    r2 = _session(tmp_path, fake_ollama)
    m2 = r2.embed(texts, "clustering: {text}")
    assert fake_ollama.embed_calls == 0 and np.allclose(m, m2)
    # One changed text: one text embedded.
    r3 = _session(tmp_path, fake_ollama)
    r3.embed([*texts[:9], "card number 9 about restores"], "clustering: {text}")
    assert fake_ollama.embedded == 1
    # Another prefix is another namespace.
    fake_ollama.reset_counts()
    _session(tmp_path, fake_ollama).embed(texts, "{text}")
    assert fake_ollama.embedded == 10


def test_duplicate_texts_embedded_once(tmp_path, fake_ollama):  # noqa: F811
    r = _session(tmp_path, fake_ollama, no_cache=True)
    m = r.embed(["same text", "same text", "other"], "{text}")
    assert fake_ollama.embedded == 2 and m is not None and np.allclose(m[0], m[1])


def test_no_cache_setting_writes_nothing(tmp_path, fake_ollama):  # noqa: F811
    r = _session(tmp_path, fake_ollama, no_cache=True)
    r.embed(["a", "b"], "{text}")
    assert not (tmp_path / ".clawlint_cache" / "embeddings").exists()
    fake_ollama.reset_counts()
    _session(tmp_path, fake_ollama, no_cache=True).embed(["a", "b"], "{text}")
    assert fake_ollama.embedded == 2


def test_cache_keyed_by_digest(tmp_path, fake_ollama):  # noqa: F811
    _session(tmp_path, fake_ollama).embed(["a b"], "{text}")
    fake_ollama.reset_counts()
    fake_ollama.models = tuple(
        FakeModel(m.name, m.dims, m.context_length, m.embedding, m.family, digest="f" * 64)
        if m.name.startswith("nomic") else m for m in fake_ollama.models)
    _session(tmp_path, fake_ollama).embed(["a b"], "{text}")  # model re-pulled: new digest
    assert fake_ollama.embedded == 1


def test_session_failure_is_remembered(tmp_path, fake_ollama):  # noqa: F811
    r = _session(tmp_path, fake_ollama)
    fake_ollama.models = tuple(m for m in fake_ollama.models if not m.name.startswith("nomic"))
    assert r.embed(["a"], "{text}") is None
    assert r.failure is not None and r.failure.kind == "model-missing"
    assert not r.network and "lexical fallback" in r.label()
    assert r.embed(["b"], "{text}") is None  # no second attempt


def test_corrupt_cache_file_is_ignored(tmp_path):
    d = tmp_path / "c"
    d.mkdir()
    (d / "ns.npz").write_bytes(b"not a zip")
    c = EmbeddingCache(d, "ns")
    assert c.get("k") is None
    c.put("k", np.ones(3, dtype=np.float32))
    c.save({"k"})
    assert EmbeddingCache(d, "ns").get("k", 3) is not None
    assert EmbeddingCache(d, "ns").get("k", 4) is None  # wrong length = miss


def test_cache_root_unwritable_is_none(tmp_path):
    (tmp_path / "blocker").write_text("a file, not a directory")
    ws = Workspace(tmp_path, Settings(cache_dir="blocker/cache"))
    assert cache_root(ws) is None


def test_namespace_parts_matter():
    base = namespace("ollama", "m", "d", 768, "p")
    assert base != namespace("ollama", "m", "d", 512, "p")
    assert base != namespace("ollama", "m", "e", 768, "p")
    assert base != namespace("ollama", "m", "d", 768, "q")
    assert base != namespace("openai", "m", "d", 768, "p")


def test_progress_only_on_tty():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    s = Tty()
    p = Progress(10, "cards", stream=s, delay=0.0)
    p.update(5)
    p.close()
    assert "5/10" in s.getvalue()
    q = io.StringIO()
    p2 = Progress(10, "cards", stream=q, delay=0.0)
    p2.update(5)
    assert q.getvalue() == ""


# ---- lexical, chunking, similarity ----------------------------------------------------------
def test_tfidf_cosine_basics():
    tf = TfIdf(["the backup runs at night", "the backup runs at night", "coffee with oat milk"])
    assert cosine(tf.vectors[0], tf.vectors[1]) == pytest.approx(1.0)
    assert cosine(tf.vectors[0], tf.vectors[2]) == 0.0
    h = normalize_rows(hashed(tf.vectors))
    assert float(h[0] @ h[1]) == pytest.approx(1.0, abs=1e-5)


def test_keyword_index_requires_all_tokens():
    kw = KeywordIndex(["backup plan nightly", "backup drill", "plan for travel"])
    assert kw.search("backup plan") == [0]
    assert kw.search("Backup") == [0, 1] or kw.search("Backup") == [1, 0]
    assert kw.search("") == [] and kw.search("zzz") == []


def test_chunk_markdown_matches_openclaw_rules():
    text = "\n".join(f"line {i} " + "x" * 50 for i in range(100))
    chunks = chunk_markdown(text, tokens=100, overlap=20)  # 400 chars, 80 overlap
    assert all(len(c.text) <= 400 for c in chunks)
    assert chunks[0].start_line == 1 and chunks[-1].end_line == 100
    assert chunks[1].start_line <= chunks[0].end_line  # overlap carried
    long = chunk_markdown("y" * 1000, tokens=100, overlap=0)
    assert [len(c.text) for c in long] == [400, 400, 200]
    assert chunk_markdown("") == []
    assert len(chunk_markdown("short", 1, 0)) == 1  # max(32, 4) chars


def test_parse_tags_forms():
    assert parse_tags(["Backups", "#nas"]) == ("backups", "nas")
    assert parse_tags("backups, restic, nas") == ("backups", "restic", "nas")
    assert parse_tags("#ssh #keys") == ("ssh", "keys")
    assert parse_tags(None) == () and parse_tags({"a": 1}) == ()


def test_card_unit_text_and_order(tmp_path):
    ws = _ws(tmp_path, {"memory/cards/a.md": "---\ntopic: T\ntags: [x]\ncreated: 2026-01-02\n---\nBody\n",
                        "memory/cards/b.md": "no frontmatter at all\n"})
    a = card_unit(ws.get("memory/cards/a.md"))
    assert a is not None and a.text == "T\nx\nBody" and a.order[0] == "2026-01-02" and a.line == 2
    b = card_unit(ws.get("memory/cards/b.md"))
    assert b is not None and b.text == "no frontmatter at all" and b.topic == ""


def test_pairs_above_blocks_equal_full_matrix():
    rng = np.random.default_rng(0)
    m = normalize_rows(rng.normal(size=(300, 16)).astype(np.float32))
    m[150] = m[3]
    full = m @ m.T
    want = {(i, j) for i in range(300) for j in range(i + 1, 300) if full[i, j] >= 0.7}
    got = pairs_above(m, 0.7, block=64)
    assert {(i, j) for i, j, _ in got} == want and (3, 150) in want


def test_top_k_order_and_ties():
    s = np.array([0.1, 0.9, 0.5, 0.9, 0.2], dtype=np.float32)
    assert top_k(s, 3).tolist() == [1, 3, 2]
    assert top_k(s, 10).tolist() == [1, 3, 2, 4, 0]
    assert top_k(np.zeros(0), 3).tolist() == []


# ---- fast lexical all-pairs: candidates never miss, similarities unchanged -------------------
def _random_corpus(seed: int, n: int) -> list[str]:
    import random

    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(400)] + ["the", "of", "and", "Backup", "NAS", "straße"]
    topics = [rng.sample(vocab, 30) for _ in range(8)]
    docs = []
    for _ in range(n):
        t = rng.choice(topics)
        docs.append(" ".join(rng.choice(t) if rng.random() < 0.5 else rng.choice(vocab)
                             for _ in range(rng.randint(0, 60))))
    for k in range(0, n, 9):  # lightly edited copies, some of them heavily edited
        w = docs[k].split()
        for _ in range(rng.randint(0, max(1, len(w) // 3))):
            if w:
                w[rng.randrange(len(w))] = rng.choice(vocab)
        docs.append(" ".join(w))
    return docs + ["", "the of and", "!!"]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.8])
def test_lexical_candidates_never_miss_an_exact_pair(seed, threshold):
    from clawlint.retrieval.lexical import candidate_pairs

    tf = TfIdf(_random_corpus(seed, 250))
    vecs = tf.vectors
    n = len(vecs)
    exact = {(i, j): cosine(vecs[i], vecs[j]) for i in range(n) for j in range(i + 1, n)}
    want = {k for k, s in exact.items() if s >= threshold}
    assert want  # the corpus has pairs at every threshold tested
    for dims in (16, 64, 512):  # tiny projections collide a lot: still an upper bound
        ci, cj = candidate_pairs(tf.projection(dims), threshold, block=37)
        assert want <= set(zip(ci.tolist(), cj.tolist(), strict=True))
    got = {(i, j): s for i, j, s in tf.pairs_above(threshold, dims=64, block=50, budget=0)}
    assert set(got) == want  # budget=0: the hashed projection path
    assert all(got[k] == pytest.approx(exact[k], abs=1e-9) for k in got)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.6, 0.8, 0.9, 0.97, 1.0])
def test_prefix_filter_never_misses_an_exact_pair(seed, threshold):
    docs = _random_corpus(seed, 250)
    docs += [docs[3], docs[3], "w1 w2", "w2 w1", "w1 w1 w1 w2"]  # exact copies, order, tf
    tf = TfIdf(docs)
    vecs = tf.vectors
    n = len(vecs)
    exact = {(i, j): cosine(vecs[i], vecs[j]) for i in range(n) for j in range(i + 1, n)}
    want = {k for k, s in exact.items() if s >= threshold}
    found = tf.prefix_candidates(threshold, budget=10**9)
    assert found is not None
    cands = list(zip(found[0].tolist(), found[1].tolist(), strict=True))
    assert cands == sorted(set(cands)) and all(i < j for i, j in cands)
    assert want <= set(cands)
    got = tf.pairs_above(threshold, budget=10**9)
    assert [(i, j) for i, j, _ in got] == sorted(want)
    assert all(s == pytest.approx(exact[(i, j)], abs=1e-9) for i, j, s in got)
    # the projection fallback reports the very same pairs and similarities
    assert tf.pairs_above(threshold, budget=0) == got
    # dropping single-document features (DUP001's memory saver) changes no pair
    pruned = TfIdf(docs, pairs_only=True)
    assert len(pruned.indices) < len(tf.indices)
    for budget in (10**9, 0):
        again = pruned.pairs_above(threshold, budget=budget)
        assert [(i, j) for i, j, _ in again] == [(i, j) for i, j, _ in got]
        assert all(a[2] == pytest.approx(b[2], abs=1e-9) for a, b in zip(again, got, strict=True))


def test_prefix_filter_prunes_and_edge_corpora():
    tf = TfIdf(_random_corpus(0, 250))
    found = tf.prefix_candidates(0.9, budget=10**9)
    assert found is not None and len(found[0]) < 250 * 250 // 50  # far from all pairs
    assert tf.prefix_candidates(0.3, budget=0) is None  # too large a join: caller falls back
    for docs in ([], ["only one"], ["", ""], ["the", "the"], ["of the", "Of the", ""]):
        got = TfIdf(docs).pairs_above(0.8)  # stop words alone have no features; bigrams do
        assert got == ([(0, 1, pytest.approx(1.0))] if len(docs) == 3 else [])
    # threshold 0: every pair, including ones with nothing in common
    assert [(i, j) for i, j, _ in TfIdf(["x y", "z", "x y"]).pairs_above(0.0)] == [
        (0, 1), (0, 2), (1, 2)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("threshold", [0.05, 0.3, 0.6, 0.8, 0.9, 0.97, 1.0])
def test_small_corpus_python_path_equals_numpy(seed, threshold, monkeypatch):
    from clawlint.retrieval import lexical as L

    monkeypatch.setattr(L, "SMALL_VERIFY_BUDGET", 10**9)  # low thresholds: many candidates

    docs = _random_corpus(seed, 120)
    docs += [docs[3], docs[3], "w1 w2", "w2 w1", "w1 w1 w1 w2", "Straße straße 東京タワー 東京",
             "it's the cat's", "its the cats", "日本語のテキスト 日本語のテキスト"]
    want = TfIdf(docs, pairs_only=True).pairs_above(threshold, budget=10**9)
    got = L.pairs_above_small(docs, threshold)
    assert got is not None
    assert [(i, j) for i, j, _ in got] == [(i, j) for i, j, _ in want]
    # Same features, weights and summation order: the same floats (up to `log`'s last bit).
    assert all(a[2] == pytest.approx(b[2], rel=1e-12, abs=1e-15)
               for a, b in zip(got, want, strict=True))


def test_small_corpus_python_path_edges_and_limits(monkeypatch):
    from clawlint.retrieval import lexical as L

    for docs in ([], ["only one"], ["", ""], ["the", "the"], ["of the", "Of the", ""]):
        assert L.pairs_above_small(docs, 0.8) == TfIdf(docs, pairs_only=True).pairs_above(0.8)
    assert L.pairs_above_small(["x y", "x y"], 0.0) is None  # every pair: numpy's job
    assert L.pairs_above_small(["x " * L.SMALL_CORPUS_CHARS], 0.8) is None  # too big
    # A corpus whose candidate set outgrows the budget is handed to numpy, not ground through.
    same = ["alpha beta gamma delta"] * 30
    assert L.pairs_above_small(same, 0.8) is not None
    monkeypatch.setattr(L, "SMALL_CANDIDATE_BUDGET", 100)
    assert L.pairs_above_small(same, 0.8) is None
    # Few pairs, but long near-identical texts: verifying them would cost more than numpy.
    monkeypatch.setattr(L, "SMALL_CANDIDATE_BUDGET", 20_000)
    long_docs = [" ".join(f"w{k}" for k in range(400)) + f" tail{i}" for i in range(60)]
    assert sum(map(len, long_docs)) < L.SMALL_CORPUS_CHARS
    assert L.pairs_above_small(long_docs, 0.8) is None
    assert L.pairs_above_small(long_docs[:3], 0.8) is not None


def test_dup001_on_a_small_workspace_does_not_import_numpy(tmp_path):
    import subprocess
    import sys

    cards = tmp_path / "memory" / "cards"
    cards.mkdir(parents=True)
    body = ("Nightly restic snapshot of the NAS to the offsite bucket, kept for thirty days; "
            "the repository check runs on Sundays and mails a report to the admin account.")
    texts = [body, body.replace("thirty", "forty"), "Completely different: the garden hose."]
    for i, text in enumerate(texts):
        (cards / f"c{i}.md").write_text(
            f"---\ntopic: backup\ncategory: c\ntags: [a]\ncreated: 2026-01-01\n"
            f"updated: 2026-01-01\n---\n# Backup\n\n{text}\n", encoding="utf-8")
    (tmp_path / "AGENTS.md").write_text("# Agents\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from helpers import lint; "
            f"found = lint(Path({str(tmp_path)!r}), select=['DUP001']); "
            "print(sorted(d.path for d in found), 'numpy' in sys.modules)")
    here = Path(__file__).resolve().parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=here, env={**os.environ, "PYTHONPATH": f"{here}{os.pathsep}{here.parent}",
                                        "CLAWLINT_NO_REGEX_CACHE": "1"}, check=True)
    assert out.stdout.split() == ["['memory/cards/c1.md']", "False"], out.stdout + out.stderr


def test_words_ascii_fast_path_matches_regex():
    import random
    import re

    word = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
    rng = random.Random(3)
    alphabet = "aZ9_ '’\t\x1c\x1f-.,#/:é\u00a0Ⅻ٣İ\n"
    for _ in range(5000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert words(s) == [w.lower() for w in word.findall(s)], s


def test_tfidf_id_view_matches_string_view():
    tf = TfIdf(_random_corpus(5, 60))
    for q in ["w1 w2 w3", "Backup NAS straße", "zzz w1", "the", "", "w7 w7 w7 unknown"]:
        fids, wts = tf.transform_ids(q)
        by_name = {tf.name(f): w for f, w in zip(fids, wts, strict=True)}
        full = tf.transform(q)
        assert set(by_name) == {k for k in full if k in tf._idf}
        assert all(by_name[k] == pytest.approx(full[k]) for k in by_name)
    i = np.arange(0, 60, dtype=np.int64)
    j = np.arange(59, -1, -1, dtype=np.int64)
    got = tf.cosines(i, j)
    assert got.tolist() == pytest.approx(
        [cosine(tf.vectors[a], tf.vectors[b]) for a, b in zip(i, j, strict=True)])


def _reference_fts(text: str) -> list[str]:
    import re

    return [t.casefold() for t in re.findall(r"[^\W_]+|_+", text) if t.strip("_")]


@pytest.mark.parametrize("text", [
    "Backup_plan NIGHTLY backup-drill __x__ 2026.4.9 restic's", "Straße İstanbul ǅemal ﬁle",
    "备份计划 nightly", "", "___", "café CAFÉ Cafe\u0301",
])
def test_fts_tokens_fast_path_matches_reference(text):
    assert fts_tokens(text) == _reference_fts(text)


def test_keyword_index_with_query_vocabulary_ranks_like_the_full_index():
    import random

    rng = random.Random(3)
    words = "backup plan nightly drill travel ssh key router vpn photos nas Straße İstanbul".split()
    docs = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(80)]
    queries = [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(40)]
    full = KeywordIndex(docs)
    vocab = {t for q in queries for t in fts_tokens(q)}
    small = KeywordIndex(docs, vocabulary=vocab)
    assert len(small.post) < len(full.post) or vocab >= set(full.post)
    for q in queries:
        assert small.search(q) == full.search(q)
    with pytest.raises(ValueError):
        small.search("zebra")
