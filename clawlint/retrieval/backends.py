"""Network embedding backends: Ollama's native API and OpenAI-compatible /v1/embeddings.

Every failure becomes an `EmbedError` with one clear message and a hint; nothing here raises
anything else to callers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from clawlint.knowledge import embeddings as K
from clawlint.retrieval.endpoint import Plan


class EmbedError(Exception):
    """A backend problem, reported once as DUP003."""

    def __init__(self, kind: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.kind = kind  # server-down | model-missing | not-embedding | http | timeout |
        #                  dimension-mismatch | bad-response | remote-refused
        self.message = message
        self.hint = hint


@dataclass
class ModelInfo:
    digest: str = ""
    dims: int | None = None
    context: int | None = None


class HttpBackend:
    """Shared HTTP plumbing (urllib, JSON bodies, Ollama/OpenAI error shapes)."""

    kind = "http"

    def __init__(self, plan: Plan, timeout: float = 30.0, batch_size: int = 64,
                 keep_alive: str = K.OLLAMA_KEEP_ALIVE) -> None:
        self.plan = plan
        self.model = plan.model
        self.base = plan.base_url.rstrip("/")
        self.timeout = timeout
        self.batch_size = max(1, int(batch_size))
        self.keep_alive = keep_alive
        self.info = ModelInfo()
        self.requests = 0

    @property
    def label(self) -> str:
        return f"{self.kind} {self.model} at {self.base}"

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        from clawlint.http import HTTPFailure, request_json

        url = self.base + path
        headers = {"Authorization": f"Bearer {self.plan.api_key}"} if self.plan.api_key else {}
        self.requests += 1
        try:
            return request_json(method, url, body, headers, self.timeout)
        except HTTPFailure as f:
            if f.timed_out:
                raise EmbedError(
                    "timeout", f"no answer from {url} within {self.timeout:g} s",
                    "the model may still be loading; retry, or raise the DUP003 `timeout` option",
                ) from None
            if f.not_json and "larger than" in f.detail:
                raise EmbedError(
                    "bad-response", f"{url} answered {f.detail.replace('the response is ', '')}",
                    "embed fewer texts per request (the DUP003 `batch_size` option)",
                ) from None
            if f.not_json:
                raise EmbedError(
                    "bad-response", f"{url} did not return JSON ({f.detail}); is {self.base} "
                    f"really the {'Ollama' if self.kind == 'ollama' else 'OpenAI-compatible'} API?",
                ) from None
            if f.status is None:
                raise EmbedError(
                    "server-down", f"cannot reach the embedding server at {self.base} ({f.detail})",
                    self._down_hint(),
                ) from None
            raise self._http_error(f.status, f.detail or "no detail", url) from None

    def _down_hint(self) -> str:
        return "start Ollama (`ollama serve`), or point clawlint at it with --ollama-url"

    def _http_error(self, status: int, detail: str, url: str) -> EmbedError:
        low = detail.lower()
        if status == 404 and "not found" in low and "model" in low:
            return EmbedError(
                "model-missing", f"model {self.model!r} is not available at {self.base} ({detail})",
                f"run `ollama pull {self.model}`",
            )
        if "does not support" in low and "embed" in low:
            return _not_embedding(self.model, self.plan.block)
        if status == 404:
            return EmbedError(
                "http", f"HTTP 404 from {url} ({detail}); the base URL is probably wrong",
                "use the server root (e.g. http://127.0.0.1:11434) for provider \"ollama\", "
                "or a URL ending in /v1 for OpenAI-compatible providers",
            )
        return EmbedError("http", f"HTTP {status} from {url}: {detail}")

    def preflight(self) -> None:
        """Check the server and model before embedding anything."""

    def embed(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    # ---- response checks ------------------------------------------------------------
    def _check_vectors(self, vecs: Any, n: int) -> list[list[float]]:
        if not isinstance(vecs, list) or len(vecs) != n:
            got = len(vecs) if isinstance(vecs, list) else type(vecs).__name__
            raise EmbedError("bad-response", f"asked for {n} embeddings, got {got}")
        dims = self.info.dims
        for v in vecs:
            if not isinstance(v, list) or not v or not all(
                isinstance(x, (int, float)) and math.isfinite(x) for x in v
            ):
                raise EmbedError("bad-response", "an embedding is empty or not a list of numbers")
            if dims is None:
                dims = len(v)
            elif len(v) != dims:
                raise EmbedError(
                    "dimension-mismatch",
                    f"model {self.model!r} returned {len(v)}-dimensional vectors where "
                    f"{dims} were expected",
                    "the model behind this name changed; check `ollama list` and "
                    f"{self.plan.block}.model, then re-run (clawlint's cache is keyed by model "
                    "digest)",
                )
        self.info.dims = dims
        return vecs


def _not_embedding(model: str, block: str) -> EmbedError:
    return EmbedError(
        "not-embedding", f"model {model!r} cannot produce embeddings (it is not an embedding model)",
        f"set {block}.model to an embedding model, e.g. `ollama pull "
        f"{K.OPENCLAW_DEFAULT_OLLAMA_MODEL}`",
    )


class OllamaBackend(HttpBackend):
    kind = "ollama"

    def preflight(self) -> None:
        tags = self._request("GET", K.OLLAMA_TAGS_PATH)
        models = tags.get("models") if isinstance(tags, dict) else None
        if not isinstance(models, list):
            raise EmbedError("bad-response", f"{self.base}{K.OLLAMA_TAGS_PATH} has no model list; "
                             "is this an Ollama server?")
        want = K.normalize_model_tag(self.model)
        found = None
        for m in models:
            if isinstance(m, dict) and K.normalize_model_tag(str(m.get("name") or m.get("model") or "")) == want:
                found = m
                break
        if found is None:
            raise EmbedError("model-missing", f"model {self.model!r} is not pulled on {self.base}",
                             f"run `ollama pull {self.model}`")
        self.info.digest = str(found.get("digest") or "")
        show = self._request("POST", K.OLLAMA_SHOW_PATH, {"model": self.model, "verbose": False})
        if isinstance(show, dict):
            caps = show.get("capabilities")
            if isinstance(caps, list) and K.OLLAMA_EMBED_CAPABILITY not in caps:
                raise _not_embedding(self.model, self.plan.block)
            info = show.get("model_info")
            if isinstance(info, dict):
                for k, v in info.items():
                    if isinstance(v, int) and not isinstance(v, bool):
                        if k.endswith(".embedding_length") and not self.plan.dimensions:
                            self.info.dims = v
                        elif k.endswith(".context_length"):
                            self.info.context = v
        if self.plan.dimensions:
            self.info.dims = self.plan.dimensions

    def embed(self, texts: list[str]) -> list[list[float]]:
        body: dict[str, Any] = {"model": self.model, "input": texts, "truncate": True,
                                "keep_alive": self.keep_alive}
        if self.plan.dimensions:
            body["dimensions"] = self.plan.dimensions
        resp = self._request("POST", K.OLLAMA_EMBED_PATH, body)
        vecs = resp.get("embeddings") if isinstance(resp, dict) else None
        if vecs is None:
            raise EmbedError("bad-response", "Ollama embed response missing embeddings[]")
        return self._check_vectors(vecs, len(texts))


class OpenAIBackend(HttpBackend):
    kind = "openai"

    def _down_hint(self) -> str:
        return f"start the local server, or fix {self.plan.block}.remote.baseUrl (it must end in /v1)"

    def embed(self, texts: list[str]) -> list[list[float]]:
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self.plan.dimensions:
            body["dimensions"] = self.plan.dimensions
        resp = self._request("POST", K.OPENAI_EMBED_PATH, body)
        data = resp.get("data") if isinstance(resp, dict) else None
        if not isinstance(data, list):
            raise EmbedError("bad-response", "OpenAI-compatible response has no data[] list")
        try:
            ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
            vecs = [d.get("embedding") for d in ordered]
        except (AttributeError, TypeError, ValueError):
            raise EmbedError("bad-response", "OpenAI-compatible response has malformed data[]") from None
        return self._check_vectors(vecs, len(texts))


def make_backend(plan: Plan, options: dict[str, Any]) -> HttpBackend:
    cls = OllamaBackend if plan.kind == "ollama" else OpenAIBackend
    timeout = options.get("timeout", 30.0)
    batch = options.get("batch_size", 64)
    return cls(
        plan,
        timeout=float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else 30.0,
        batch_size=int(batch) if isinstance(batch, int) and batch > 0 else 64,
        keep_alive=str(options.get("keep_alive") or K.OLLAMA_KEEP_ALIVE),
    )
