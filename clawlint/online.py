"""`clawlint check --online`: probe the embedding endpoint openclaw.json names.

Ollama (anchors §6.1): the server answers `GET /api/tags` (local models, names carry a tag;
no tag means `:latest`), `POST /api/show` lists `capabilities` (embedding models report
`"embedding"`). OpenAI-compatible servers get one `POST <baseUrl>/embeddings` with a single
input. Only loopback hosts are contacted unless remote probing is allowed. stdlib only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# One reading of "this machine" and of Ollama's API base, shared with the embedding backends.
from clawlint.http import HTTPFailure, request_json
from clawlint.knowledge.embeddings import (
    OLLAMA_DEFAULT_URL,
    OLLAMA_EMBED_CAPABILITY,
    OLLAMA_SHOW_PATH,
    OLLAMA_TAGS_PATH,
    OPENCLAW_DEFAULT_OLLAMA_MODEL,
    normalize_model_tag,
)
from clawlint.retrieval.endpoint import is_loopback
from clawlint.retrieval.endpoint import ollama_api_base as ollama_root

TIMEOUT = 3.0  # seconds per request: a local server answers in milliseconds
PROBE_TEXT = "clawlint preflight"


@dataclass
class Endpoint:
    api: str  # "ollama" | "openai"
    base_url: str  # as configured (or the default)
    model: str
    api_key: str | None = None
    url_path: tuple[str | int, ...] | None = None  # config key holding the URL
    model_path: tuple[str | int, ...] | None = None


@dataclass
class Problem:
    kind: str  # "invalid-url" | "remote" | "unreachable" | "http" | "missing-model" |
    #            "not-embedding" | "embeddings-failed"
    message: str
    at_model: bool = False  # anchor at the model key rather than the URL key
    level: str = "error"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched at all, or None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        if not parts.scheme or parts.netloc == "":
            return "has no `http://` scheme, so fetch() rejects it (\"fetch failed\")"
        return f"uses the unsupported scheme `{parts.scheme}:`; use http:// or https://"
    if not parts.hostname:
        return "has no host name (a URL is scheme://host:port/path)"
    return None




def _request(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None,
             timeout: float = TIMEOUT) -> Any:
    return request_json(method, url, body, headers, timeout, max_bytes=4 * 1024 * 1024)


def preflight(ep: Endpoint, allow_remote: bool = False, timeout: float = TIMEOUT
              ) -> list[Problem]:
    """Probe one endpoint; one Problem per failure (the first failing step ends the probe)."""
    bad = url_problem(ep.base_url)
    if bad is not None:
        return [Problem("invalid-url", f"the embedding base URL {json.dumps(ep.base_url)} {bad}")]
    if not is_loopback(ep.base_url) and not allow_remote:
        return [Problem("remote", (
            f"skipped the online check of {ep.base_url}: it is not a loopback address; pass "
            "--allow-remote to probe it"), level="info")]
    if ep.api == "ollama":
        return _preflight_ollama(ep, timeout)
    return _preflight_openai(ep, timeout)


def _preflight_ollama(ep: Endpoint, timeout: float) -> list[Problem]:
    root = ollama_root(ep.base_url)
    model = ep.model or OPENCLAW_DEFAULT_OLLAMA_MODEL
    try:
        tags = _request("GET", root + OLLAMA_TAGS_PATH, timeout=timeout)
    except HTTPFailure as f:
        if f.status is None:
            return [Problem("unreachable", (
                f"cannot reach Ollama at {root} ({f.detail}); start it (`ollama serve`) or fix "
                "the base URL"))]
        return [Problem("http", (
            f"GET {root}{OLLAMA_TAGS_PATH} answered HTTP {f.status}"
            f"{': ' + f.detail if f.detail else ''}; this is not an Ollama server root. Set the "
            f"base URL to the server root (e.g. {OLLAMA_DEFAULT_URL})"))]
    names: set[str] = set()
    for m in (tags.get("models") if isinstance(tags, dict) else None) or []:
        if isinstance(m, dict):
            for k in ("name", "model"):
                if isinstance(m.get(k), str):
                    names.add(normalize_model_tag(m[k]))
    want = normalize_model_tag(model)
    if want not in names:
        have = ", ".join(sorted(names)[:8]) or "none"
        return [Problem("missing-model", (
            f"model {json.dumps(model)} is not pulled on {root} (installed: {have}); run "
            f"`ollama pull {model}`"), at_model=True)]
    try:
        show = _request("POST", root + OLLAMA_SHOW_PATH, {"model": model, "verbose": False},
                        timeout=timeout)
    except HTTPFailure as f:
        return [Problem("http", (
            f"POST {root}{OLLAMA_SHOW_PATH} for {json.dumps(model)} failed "
            f"({f.status or 'no answer'}: {f.detail}); check the Ollama server"), at_model=True)]
    caps = show.get("capabilities") if isinstance(show, dict) else None
    if isinstance(caps, list) and OLLAMA_EMBED_CAPABILITY not in caps:
        return [Problem("not-embedding", (
            f"{json.dumps(model)} on {root} has no `embedding` capability (it reports "
            f"{', '.join(map(str, caps)) or 'none'}); it cannot embed memory. Use an embedding "
            "model such as nomic-embed-text (`ollama pull nomic-embed-text`)"), at_model=True)]
    return []


def _preflight_openai(ep: Endpoint, timeout: float) -> list[Problem]:
    base = ep.base_url.strip().rstrip("/")
    url = base + "/embeddings"
    headers = {"Authorization": f"Bearer {ep.api_key}"} if ep.api_key else {}
    try:
        body = _request("POST", url, {"model": ep.model, "input": [PROBE_TEXT]}, headers,
                        timeout=timeout)
    except HTTPFailure as f:
        if f.status is None:
            return [Problem("unreachable", (
                f"cannot reach the embedding endpoint {base} ({f.detail}); start the server or "
                "fix `remote.baseUrl`"))]
        if f.status == 404 and not base.endswith("/v1"):
            fix = f"; the base URL probably needs `/v1` ({base}/v1)"
        elif f.status == 404:
            fix = f"; check that {json.dumps(ep.model)} exists there (`ollama pull {ep.model}` " \
                  "for Ollama)"
        elif f.status in (401, 403):
            fix = "; set a valid `remote.apiKey`"
        else:
            fix = ""
        return [Problem("embeddings-failed", (
            f"POST {url} answered HTTP {f.status}{': ' + f.detail if f.detail else ''}{fix}"),
            at_model=f.status == 404 and base.endswith("/v1"))]
    data = body.get("data") if isinstance(body, dict) else None
    if not (isinstance(data, list) and data and isinstance(data[0], dict)
            and isinstance(data[0].get("embedding"), (list, str))):
        return [Problem("embeddings-failed", (
            f"POST {url} did not return an OpenAI-style embedding list (`data[0].embedding`); "
            "point `remote.baseUrl` at an OpenAI-compatible `/v1` endpoint"))]
    return []
