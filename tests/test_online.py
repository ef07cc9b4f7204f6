"""`--online` preflight (MS011 + clawlint/online.py) against an Ollama-compatible server on
127.0.0.1 started inside the test (tests/fake_ollama.py)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fake_ollama import FakeModel, FakeOllama
from helpers import lint

from clawlint.config import Settings
from clawlint.diagnostics import Severity
from clawlint.online import Endpoint, is_loopback, ollama_root, preflight, url_problem


@pytest.fixture
def srv():
    with FakeOllama() as s:
        yield s


def ms(ws, block: str, **settings):
    root = ws({"openclaw.json": f"{{memory: {{search: {block}}}}}", "AGENTS.md": "x"})
    s = Settings(online=True, **settings)
    return [d for d in lint(root, select=["MS011"], settings=s) if d.code == "MS011"]


def test_ollama_ok_with_implicit_latest_and_v1_suffix(ws, srv):
    assert ms(ws, f"{{provider: 'ollama', model: 'nomic-embed-text', "
                  f"remote: {{baseUrl: '{srv.url}/v1'}}}}") == []
    paths = [p for _m, p, _b in srv.requests]
    assert "/api/tags" in paths and "/api/show" in paths


def test_model_not_pulled_points_at_model_key(ws, srv):
    (d,) = ms(ws, f"{{provider: 'ollama',\n model: 'mxbai-embed-large',\n"
                  f" remote: {{baseUrl: '{srv.url}'}}}}")
    assert "ollama pull mxbai-embed-large" in d.message and d.line == 2


def test_chat_model_has_no_embedding_capability(ws, srv):
    (d,) = ms(ws, f"{{provider: 'ollama', model: 'llama3.1:8b', remote: {{baseUrl: '{srv.url}'}}}}")
    assert "no `embedding` capability" in d.message and "completion" in d.message


def test_unreachable_server(ws):
    with FakeOllama() as s:
        url = s.url  # the port is closed once the server stops
    (d,) = ms(ws, f"{{provider: 'ollama', model: 'nomic-embed-text', remote: {{baseUrl: '{url}'}}}}")
    assert "cannot reach Ollama" in d.message and "ollama serve" in d.message


def test_openai_compatible_v1_embeddings(ws, srv):
    ok = f"{{provider: 'openai', model: 'nomic-embed-text', remote: {{baseUrl: '{srv.url}/v1', " \
         "apiKey: 'ollama'}}"
    assert ms(ws, ok) == []
    body = next(b for _m, p, b in srv.requests if p == "/v1/embeddings")
    assert body["input"] == ["clawlint preflight"]


def test_openai_compatible_missing_v1_and_missing_model(ws, srv):
    (d,) = ms(ws, f"{{provider: 'openai-compatible', model: 'nomic-embed-text', "
                  f"remote: {{baseUrl: '{srv.url}'}}}}")
    assert "HTTP 404" in d.message and "/v1" in d.message
    (d,) = ms(ws, f"{{provider: 'openai', model: 'nope-embed', remote: {{baseUrl: '{srv.url}/v1'}}}}")
    assert "HTTP 404" in d.message and "nope-embed" in d.message


def test_remote_endpoint_skipped_without_allow_remote(ws):
    (d,) = ms(ws, "{provider: 'ollama', remote: {baseUrl: 'http://gpu-box.example:11434'}}")
    assert "--allow-remote" in d.message and d.severity is Severity.INFO


def test_not_probed_without_online(ws, srv):
    root = ws({"openclaw.json": f"{{memory: {{search: {{provider: 'ollama', model: 'x', "
                                f"remote: {{baseUrl: '{srv.url}'}}}}}}}}"})
    assert lint(root, select=["MS011"]) == []
    assert srv.requests == []


def test_default_url_and_model_for_ollama(monkeypatch):
    ep = Endpoint("ollama", "http://127.0.0.1:1", "")
    (p,) = preflight(ep, timeout=0.5)
    assert p.kind == "unreachable"


def test_show_without_capabilities_is_accepted():
    """Older Ollama versions omit `capabilities`; only a list without "embedding" is a failure."""

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):  # noqa: D401 - quiet
            pass

        def _send(self, obj, status=200):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._send({"models": [{"name": "nomic-embed-text:latest"}]})

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._send({"modelfile": "", "details": {}})

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        assert preflight(Endpoint("ollama", url, "nomic-embed-text")) == []
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_tags_error_means_wrong_root():
    with FakeOllama(models=(FakeModel("nomic-embed-text:latest"),)) as s:
        (p,) = preflight(Endpoint("ollama", s.url + "/api", "nomic-embed-text"))
    assert p.kind == "http" and "server root" in p.message


@pytest.mark.parametrize("url,problem", [
    ("localhost:11434", "scheme"), ("ftp://h", "unsupported scheme"), ("http://", "host"),
    ("http://h:99999", "not a valid URL"), ("http://127.0.0.1:11434", None),
])
def test_url_problem(url, problem):
    got = url_problem(url)
    assert (got is None) if problem is None else (problem in got)


def test_helpers():
    assert is_loopback("http://localhost:1") and is_loopback("http://127.0.0.2")
    assert is_loopback("http://[::1]:11434") and not is_loopback("http://10.0.0.1")
    assert ollama_root("http://h:1/v1/") == "http://h:1"
