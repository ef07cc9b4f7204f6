"""A small Ollama-compatible HTTP server for tests (never touches the network).

It binds 127.0.0.1 on an ephemeral port and implements the endpoints clawlint uses, with the
request/response shapes and error bodies of Ollama (linter-and-api-anchors.md §6.1):

- ``GET /api/tags``, ``GET /api/version``
- ``POST /api/show``        (capabilities incl. ``"embedding"``, model_info lengths)
- ``POST /api/embed``       (batched ``input``, ``truncate``, ``dimensions``; L2-normalised)
- ``POST /api/embeddings``  (legacy, one ``prompt``, not normalised)
- ``POST /v1/embeddings``   (OpenAI-compatible, ``float`` or ``base64`` encoding)

Vectors are deterministic: a signed, hashed bag of words and word bigrams, so near-identical
texts get a cosine close to 1 and unrelated texts a cosine near 0.

Use it as a context manager::

    with FakeOllama() as srv:
        srv.url            # "http://127.0.0.1:PORT"
        srv.embed_calls    # number of embed requests served
        srv.embedded       # number of input texts embedded

or through the ``fake_ollama`` pytest fixture (``from fake_ollama import fake_ollama``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

try:  # the fixture is optional: the module also works without pytest
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]


@dataclass
class FakeModel:
    name: str  # with tag, e.g. "nomic-embed-text:latest"
    dims: int = 768
    context_length: int = 2048
    embedding: bool = True  # False = a completion model (capability "completion" only)
    family: str = "nomic-bert"
    digest: str = ""

    def __post_init__(self) -> None:
        if not self.digest:
            self.digest = hashlib.sha256(self.name.encode()).hexdigest()


DEFAULT_MODELS: tuple[FakeModel, ...] = (
    FakeModel("nomic-embed-text:latest", 768, 2048, True, "nomic-bert"),
    FakeModel("all-minilm:latest", 384, 512, True, "bert"),
    FakeModel("qwen3-embedding:0.6b", 1024, 32768, True, "qwen3"),
    FakeModel("embeddinggemma:latest", 768, 2048, True, "gemma3"),
    FakeModel("llama3.1:8b", 4096, 131072, False, "llama"),
)

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)


def normalize_name(name: str) -> str:
    """Ollama's rule: a name without a tag means ``:latest``."""
    name = name.strip()
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


def fake_vector(text: str, dims: int) -> list[float]:
    """Deterministic unit vector: signed feature hashing of words and word bigrams."""
    words = [w.lower() for w in _WORD.findall(text)]
    feats = Counter(words)
    feats.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    vec = [0.0] * dims
    for feat, count in feats.items():
        h = hashlib.blake2b(feat.encode("utf-8"), digest_size=8).digest()
        idx = int.from_bytes(h[:4], "little") % dims
        sign = 1.0 if h[4] & 1 else -1.0
        vec[idx] += sign * (1.0 + math.log(count))
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:  # empty text: a fixed direction, like a real model would still return
        vec[0] = 1.0
        return vec
    return [v / norm for v in vec]


def _renormalize(vec: list[float]) -> list[float]:
    norm = max(math.sqrt(sum(v * v for v in vec)), 1e-12)
    return [v / norm for v in vec]


@dataclass
class FakeOllama:
    """The server. Attributes set by tests change its behaviour for later requests."""

    models: tuple[FakeModel, ...] = DEFAULT_MODELS
    # Seconds to sleep before answering an embed request (to provoke client timeouts).
    delay: float = 0.0
    # (status, json body) returned by the next embed request instead of a real answer.
    fail_next: tuple[int, Any] | None = None
    # model name -> dims to return instead of the model's own (simulates a model swap).
    dims_override: dict[str, int] = field(default_factory=dict)
    # Counters (reset with reset_counts()).
    embed_calls: int = 0
    embedded: int = 0
    requests: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, body)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeOllama:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset_counts(self) -> None:
        with self._lock:
            self.embed_calls = 0
            self.embedded = 0
            self.requests.clear()

    # ---- model table -----------------------------------------------------------------
    def find(self, name: Any) -> FakeModel | None:
        if not isinstance(name, str) or not name.strip():
            return None
        want = normalize_name(name)
        return next((m for m in self.models if m.name == want), None)

    def vectors(self, model: FakeModel, texts: list[str], dimensions: int | None) -> list[list[float]]:
        dims = self.dims_override.get(model.name, model.dims)
        out = []
        for t in texts:
            v = fake_vector(t, dims)
            if dimensions and 0 < dimensions < len(v):
                v = _renormalize(v[:dimensions])
            out.append(v)
        return out

    def take_failure(self) -> tuple[int, Any] | None:
        with self._lock:
            fail, self.fail_next = self.fail_next, None
        return fail

    def count(self, n_inputs: int) -> None:
        with self._lock:
            self.embed_calls += 1
            self.embedded += n_inputs


def _tokens(text: str) -> int:
    return len(text.split())


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOllama
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    # ---- plumbing ----------------------------------------------------------------------
    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> tuple[bool, Any]:
        """(present, parsed) — present is False for an empty body; parsed None if invalid."""
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        if not raw.strip():
            return False, None
        try:
            return True, json.loads(raw)
        except ValueError:
            return True, None

    def _record(self, body: Any) -> None:
        with self.fake._lock:
            self.fake.requests.append((self.command, self.path, body))

    # ---- routes ------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._record(None)
        if self.path == "/api/tags":
            self._send(200, {"models": [
                {
                    "name": m.name, "model": m.name, "modified_at": "2026-08-01T10:00:00Z",
                    "size": m.dims * 1000, "digest": m.digest,
                    "details": {"parent_model": "", "format": "gguf", "family": m.family,
                                "families": [m.family], "parameter_size": "137M",
                                "quantization_level": "F16"},
                }
                for m in self.fake.models
            ]})
        elif self.path == "/api/version":
            self._send(200, {"version": "0.12.0"})
        elif self.path == "/":
            self._send(200, "Ollama is running")
        else:
            self._send(404, {"error": "404 page not found"})

    def do_POST(self) -> None:
        present, body = self._body()
        self._record(body)
        route = {
            "/api/show": self._show,
            "/api/embed": self._embed,
            "/api/embeddings": self._embeddings_legacy,
            "/v1/embeddings": self._openai_embeddings,
        }.get(self.path)
        if route is None:
            self._send(404, {"error": "404 page not found"})
            return
        route(present, body)

    def _show(self, present: bool, body: Any) -> None:
        if not present or not isinstance(body, dict):
            self._send(400, {"error": "missing request body"})
            return
        name = body.get("model") or body.get("name")
        m = self.fake.find(name)
        if m is None:
            self._send(404, {"error": f"model '{name}' not found"})
            return
        arch = m.family.replace("-", "")
        self._send(200, {
            "modelfile": f"FROM {m.name}\n", "parameters": "", "template": "{{ .Prompt }}",
            "details": {"format": "gguf", "family": m.family, "families": [m.family]},
            "model_info": {
                "general.architecture": arch,
                f"{arch}.context_length": m.context_length,
                f"{arch}.embedding_length": m.dims,
            },
            "capabilities": ["embedding"] if m.embedding else ["completion"],
        })

    def _embed_common(self, body: Any) -> tuple[FakeModel, list[str]] | tuple[int, str]:
        """Validate an /api/embed-style body: (model, texts) or (status, error message)."""
        name = body.get("model")
        m = self.fake.find(name)
        if m is None:
            return 404, f"model '{name}' not found"
        if not m.embedding:
            return 400, f'"{m.name}" does not support embeddings'
        inp = body.get("input")
        if inp is None or inp == "":
            return m, []
        if isinstance(inp, str):
            return m, [inp]
        if isinstance(inp, list) and all(isinstance(x, str) for x in inp):
            return m, list(inp)
        return 400, "invalid input type"

    def _embed(self, present: bool, body: Any) -> None:
        if not present or not isinstance(body, dict):
            self._send(400, {"error": "missing request body"})
            return
        if self.fake.delay:
            time.sleep(self.fake.delay)
        fail = self.fake.take_failure()
        if fail is not None:
            self._send(*fail)
            return
        res = self._embed_common(body)
        if isinstance(res[0], int):
            self._send(res[0], {"error": res[1]})
            return
        m, texts = res  # type: ignore[misc]
        if body.get("truncate") is False and any(_tokens(t) > m.context_length for t in texts):
            self._send(400, {"error": "the input length exceeds the context length"})
            return
        dims = body.get("dimensions") if isinstance(body.get("dimensions"), int) else None
        self.fake.count(len(texts))
        payload: dict[str, Any] = {"model": m.name, "embeddings": self.fake.vectors(m, texts, dims)}
        if texts:
            payload.update(total_duration=1_000_000, load_duration=100_000,
                           prompt_eval_count=sum(_tokens(t) for t in texts))
        self._send(200, payload)

    def _embeddings_legacy(self, present: bool, body: Any) -> None:
        if not present or not isinstance(body, dict):
            self._send(400, {"error": "missing request body"})
            return
        m = self.fake.find(body.get("model"))
        if m is None:
            self._send(400 if not body.get("model") else 404,
                       {"error": "model is required" if not body.get("model")
                        else f"model '{body.get('model')}' not found"})
            return
        prompt = body.get("prompt") or ""
        if not prompt:
            self._send(200, {"embedding": []})
            return
        self.fake.count(1)
        vec = self.fake.vectors(m, [prompt], None)[0]
        self._send(200, {"embedding": [v * 3.0 for v in vec]})  # not normalised on this path

    def _openai_error(self, status: int, message: str) -> None:
        kind = {400: "invalid_request_error", 404: "not_found_error"}.get(status, "api_error")
        self._send(status, {"error": {"message": message, "type": kind, "param": None,
                                      "code": None}})

    def _openai_embeddings(self, present: bool, body: Any) -> None:
        if not present or not isinstance(body, dict):
            self._openai_error(400, "missing request body")
            return
        if self.fake.delay:
            time.sleep(self.fake.delay)
        fail = self.fake.take_failure()
        if fail is not None:
            status, err = fail
            msg = err.get("error") if isinstance(err, dict) else str(err)
            self._openai_error(status, msg if isinstance(msg, str) else json.dumps(msg))
            return
        if not body.get("input") and body.get("input") != []:
            self._openai_error(400, "invalid input")
            return
        res = self._embed_common(body)
        if isinstance(res[0], int):
            self._openai_error(res[0], res[1])
            return
        m, texts = res  # type: ignore[misc]
        dims = body.get("dimensions") if isinstance(body.get("dimensions"), int) else None
        self.fake.count(len(texts))
        vecs = self.fake.vectors(m, texts, dims)
        b64 = body.get("encoding_format") == "base64"
        data = []
        for i, v in enumerate(vecs):
            emb: Any = v
            if b64:
                emb = base64.b64encode(struct.pack(f"<{len(v)}f", *v)).decode("ascii")
            data.append({"object": "embedding", "embedding": emb, "index": i})
        n = sum(_tokens(t) for t in texts)
        self._send(200, {"object": "list", "data": data, "model": m.name,
                         "usage": {"prompt_tokens": n, "total_tokens": n}})


if pytest is not None:

    @pytest.fixture
    def fake_ollama():
        """A running FakeOllama for one test."""
        with FakeOllama() as srv:
            yield srv
