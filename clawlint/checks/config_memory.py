"""MS001-MS010: memory-search semantics that the schema cannot see (facts §2.2, §3.2, §3.3,
§3.5; anchors §6)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from clawlint.checks.config_common import agents_to_check, at, config_of, fmt, string_fix
from clawlint.diagnostics import Diagnostic
from clawlint.knowledge import config as kc
from clawlint.openclaw_config import KeyPath, OpenClawConfig, state_dir
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.workspace import Kind


@dataclass
class Effective:
    """The memory-search view of one agent."""

    agent: str
    ms: dict[str, Any]
    provider: str | None  # as written (None = unset)
    kind: str  # "ollama" | "openai-compatible" | the provider id | "default"
    custom: dict[str, Any] | None  # models.providers.<provider> when it names one

    def path(self, cfg: OpenClawConfig, key: str) -> KeyPath | None:
        return cfg.memory_search_value_path(key, None if self.agent == "" else self.agent)


def effective(cfg: OpenClawConfig) -> Iterator[Effective]:
    for aid in agents_to_check(cfg):
        ms = cfg.memory_search(aid)
        provider = ms.get("provider") if isinstance(ms.get("provider"), str) else None
        custom = cfg.get("models", "providers", provider) if provider else None
        custom = custom if isinstance(custom, dict) else None
        if provider in kc.KNOWN_PROVIDERS or provider == kc.LEGACY_AUTO_PROVIDER:
            kind = provider
        elif custom is not None and custom.get("api") == "ollama":
            kind = "ollama"
        elif custom is not None:
            kind = "openai-compatible"
        else:
            kind = provider or "default"
        if provider in ("ollama",):
            kind = "ollama"
        yield Effective(aid or "", ms, provider, kind, custom)


def _dedupe(diags: Iterator[Diagnostic]) -> Iterator[Diagnostic]:
    seen = set()
    for d in diags:
        key = (d.path, d.line, d.column, d.message)
        if key not in seen:
            seen.add(key)
            yield d


def _enabled(ms: dict[str, Any]) -> bool:
    return ms.get("enabled") is not False


# ---- URLs ---------------------------------------------------------------------------------
def looks_like_ollama(url: str) -> bool:
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    return port == kc.OLLAMA_DEFAULT_PORT or "ollama" in host


def ollama_url_paths(cfg: OpenClawConfig, e: Effective) -> list[KeyPath]:
    """Where the base URL(s) for this agent's Ollama embeddings are written."""
    out: list[KeyPath] = []
    p = e.path(cfg, "remote.baseUrl")
    if p is not None:
        out.append(p)
    for prov in (e.provider, "ollama"):
        if prov and isinstance(cfg.get("models", "providers", prov, "baseUrl"), str):
            out.append(("models", "providers", prov, "baseUrl"))
            break
    return out


@rule("MS001", inputs=kinds_inputs(Kind.CONFIG))
def ollama_base_url(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            if e.kind != "ollama" or not _enabled(e.ms):
                continue
            for p in ollama_url_paths(cfg, e):
                url = cfg.get(*p)
                if not isinstance(url, str) or "${" in url:
                    continue
                try:
                    parts = urlsplit(url.strip()) if "://" in url else None
                except ValueError:
                    continue
                if parts is None:
                    continue
                path = parts.path.rstrip("/")
                bad = next((s for s in kc.OLLAMA_BAD_SUFFIXES if path.lower().endswith(s)), None)
                # OpenClaw appends `/api/embed` to the text of the URL: after a query string
                # or fragment (even an empty `?` or `#`) it lands inside them, not the path.
                # Into the fragment when there is one, which the HTTP client never sends: the
                # request then goes to the path as written (and keeps any query).
                frag = "#" in url
                if frag and path.lower().endswith("/api/embed"):
                    continue  # works: the request reaches /api/embed with its query intact
                has_query = "?" in url.split("#", 1)[0]
                query = has_query and not frag
                if bad is None and not query and not frag:
                    continue
                root = path[: -len(bad)] if bad else parts.path
                fixed = urlunsplit(parts._replace(path=root, query="", fragment="")) or url
                if query or frag:
                    # The query may carry a credential: show neither it nor the fragment.
                    shown = urlunsplit(parts._replace(query="", fragment="")) + (
                        ("?..." if has_query else "") + ("#..." if frag else ""))
                    where = "query string" if query else "fragment"
                    if path.lower().endswith("/api/embed"):  # the right path by accident
                        effect = (f"requests reach `/api/embed` only because the path already "
                                  f"names it, and the {where} arrives with `/api/embed` glued "
                                  "to its end (a proxy token in it stops matching)")
                    else:
                        effect = (f"requests go to `{parts.path or '/'}` on the server, not to "
                                  "`/api/embed`")
                    yield at(ctx, cfg, p, (
                        f"`{fmt(p)}` is {json.dumps(shown)}: the Ollama provider appends "
                        f"`/api/embed` to the base URL as text, so it lands inside the {where}; "
                        f"{effect}. Use {json.dumps(fixed)} and send credentials in "
                        "`remote.headers` (a header, not the URL)"), value=True)
                    continue  # no automatic fix: it would drop what the query carries
                yield at(ctx, cfg, p, (
                    f"`{fmt(p)}` is {json.dumps(url)}: the Ollama provider appends `/api/embed` "
                    f"to the base URL (after stripping a trailing `/v1`), so requests go to "
                    f"`{url.rstrip('/')}/api/embed` and fail. Use the server root "
                    f"{json.dumps(fixed)}"), value=True,
                    fix=string_fix(ctx, cfg, p, fixed, f"Use {fixed}"))

    yield from _dedupe(gen())


def _openai_ollama(cfg: OpenClawConfig) -> Iterator[tuple[Effective, KeyPath, str]]:
    for e in effective(cfg):
        if e.kind not in kc.OPENAI_COMPAT_PROVIDERS or not _enabled(e.ms):
            continue
        p = e.path(cfg, "remote.baseUrl")
        url = cfg.get(*p) if p is not None else None
        if isinstance(url, str) and "${" not in url and looks_like_ollama(url):
            yield e, p, url  # type: ignore[misc]


@rule("MS002", inputs=kinds_inputs(Kind.CONFIG))
def openai_compatible_needs_v1(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e, p, url in _openai_ollama(cfg):
            path = urlsplit(url if "://" in url else f"http://{url}").path.rstrip("/")
            if path.endswith("/v1"):
                continue
            if path.endswith("/v1/embeddings"):
                fixed = url.rstrip("/")[: -len("/embeddings")]
            elif path in ("", "/api", "/api/embed", "/api/embeddings"):
                root = url.rstrip("/")
                for s in ("/api/embeddings", "/api/embed", "/api"):
                    if root.endswith(s):
                        root = root[: -len(s)]
                fixed = root + "/v1"
            else:
                continue
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}` is {json.dumps(url)} with provider {json.dumps(e.provider)}: the "
                "OpenAI-compatible client posts to `<baseUrl>/embeddings`, and Ollama serves "
                f"that under `/v1`, so this returns 404. Use {json.dumps(fixed)}"), value=True,
                fix=string_fix(ctx, cfg, p, fixed, f"Use {fixed}"))

    yield from _dedupe(gen())


@rule("MS003", inputs=kinds_inputs(Kind.CONFIG))
def prefer_native_ollama(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e, _p, url in _openai_ollama(cfg):
            pp = e.path(cfg, "provider") or ()
            yield at(ctx, cfg, pp, (
                f"provider {json.dumps(e.provider)} points at an Ollama server ({url}); "
                "`provider: \"ollama\"` uses Ollama's native `/api/embed` (batched, normalised, "
                "no placeholder API key). Consider switching and setting `remote.baseUrl` to "
                "the server root"), value=True)

    yield from _dedupe(gen())


def model_name(model: str) -> str:
    """`openai/text-embedding-3-small` -> `text-embedding-3-small`; `library/x:tag` -> `x:tag`."""
    return model.strip().rsplit("/", 1)[-1]


def is_chat_model(model: str) -> bool:
    m = model.strip()
    if not m or kc.EMBEDDING_MODEL_RE.search(m):
        return False
    return bool(kc.CHAT_MODEL_RE.match(model_name(m)))


@rule("MS004", inputs=kinds_inputs(Kind.CONFIG))
def chat_model_as_embedding_model(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            model = e.ms.get("model")
            if not isinstance(model, str) or not _enabled(e.ms) or not is_chat_model(model):
                continue
            p = e.path(cfg, "model") or ()
            hint = "nomic-embed-text, qwen3-embedding or embeddinggemma" if e.kind == "ollama" \
                else "an embedding model such as text-embedding-3-small"
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}` is {json.dumps(model)}, a chat/generation model, not an embedding "
                "model: it has no embedding capability (Ollama answers 400) or yields poor "
                f"vectors. Use {hint}"), value=True)

    yield from _dedupe(gen())


# ---- keys -----------------------------------------------------------------------------------
def _env_vars(cfg: OpenClawConfig) -> set[str]:
    names = {k for k, v in os.environ.items() if v}
    env = cfg.get("env")
    if isinstance(env, dict):
        for src in (env.get("vars"), env):
            if isinstance(src, dict):
                names |= {k for k, v in src.items() if isinstance(v, str) and v}
    try:
        text = (state_dir() / ".env").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            k, v = line.split("=", 1)
            if v.strip().strip("\"'"):
                names.add(k.removeprefix("export ").strip())
    return names


def _present(v: Any) -> bool:
    if isinstance(v, str):
        return bool(v.strip())
    return isinstance(v, dict) and bool(v)


def has_key(cfg: OpenClawConfig, e: Effective, provider: str) -> bool:
    """Mirror `openclaw doctor`: remote.apiKey, models.providers.<p>.apiKey or the env var."""
    if _present((e.ms.get("remote") or {}).get("apiKey") if isinstance(e.ms.get("remote"), dict)
                else None):
        return True
    for pid in (*kc.PROVIDER_KEY_CONFIG.get(provider, ()), provider):
        if _present(cfg.get("models", "providers", pid, "apiKey")):
            return True
    env = _env_vars(cfg)
    return any(n in env for n in kc.PROVIDER_KEY_ENV.get(provider, ()))


def _loopback_remote(e: Effective) -> bool:
    remote = e.ms.get("remote")
    url = remote.get("baseUrl") if isinstance(remote, dict) else None
    if not isinstance(url, str):
        return False
    host = (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


@rule("MS005", inputs=kinds_inputs(Kind.CONFIG))
def missing_embedding_key(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            prov = e.provider
            if (prov not in kc.PROVIDER_KEY_ENV or not _enabled(e.ms) or _loopback_remote(e)
                    or has_key(cfg, e, prov)):
                continue
            env = " or ".join(kc.PROVIDER_KEY_ENV[prov])
            p = e.path(cfg, "provider") or ()
            yield at(ctx, cfg, p, (
                f"memory search provider is set to {json.dumps(prov)} but no API key was found "
                f"(no `remote.apiKey`, no `models.providers.{prov}.apiKey`, {env} not set); "
                f"memory_search will fail. Set {env} where the gateway runs, add "
                f"`remote.apiKey: \"${{{kc.PROVIDER_KEY_ENV[prov][0]}}}\"`, or switch to "
                "\"ollama\"/\"local\""), value=True)

    yield from _dedupe(gen())


@rule("MS006", inputs=kinds_inputs(Kind.CONFIG))
def default_provider_without_key(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok or cfg.get("memory", "backend") == "qmd":
        return

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            if e.provider not in (None, kc.LEGACY_AUTO_PROVIDER) or not _enabled(e.ms):
                continue
            if has_key(cfg, e, "openai"):
                continue
            if e.provider == kc.LEGACY_AUTO_PROVIDER or cfg.era == "classic":
                # Classic auto-detection also accepts a local model or other providers' keys.
                local = e.ms.get("local")
                if isinstance(local, dict) and local.get("modelPath"):
                    continue
                if any(has_key(cfg, e, p) for p in ("gemini", "voyage", "mistral")):
                    continue
            p = (e.path(cfg, "provider") or cfg.global_memory_search_path()
                 or (kc.CURRENT_MEMORY_SEARCH if cfg.era == "current"
                     else kc.CLASSIC_MEMORY_SEARCH))
            yield at(ctx, cfg, p, (
                "no memory search provider is set, so OpenClaw uses \"openai\", and no OpenAI "
                "key was found (OPENAI_API_KEY, `models.providers.openai.apiKey`, "
                "`remote.apiKey`): memory_search fails with \"No API key found for provider "
                "\\\"openai\\\"\". Set `provider` explicitly (\"ollama\" for local embeddings, "
                "\"none\" for keyword-only recall) or provide the key"))

    yield from _dedupe(gen())


# ---- sources, hooks, multimodal, qmd -------------------------------------------------------
def sessions_gate(cfg: OpenClawConfig, ms: dict[str, Any]) -> bool:
    exp = ms.get("experimental")
    classic_on = isinstance(exp, dict) and exp.get("sessionMemory") is True
    if cfg.era == "current":
        return ms.get("rememberAcrossConversations") is True or classic_on
    return classic_on


@rule("MS007", inputs=kinds_inputs(Kind.CONFIG))
def sessions_source_inert(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            sources = e.ms.get("sources")
            if not isinstance(sources, list) or kc.SESSIONS_SOURCE not in sources:
                continue
            if sessions_gate(cfg, e.ms) or not _enabled(e.ms):
                continue
            gate = ("`rememberAcrossConversations: true`" if cfg.era == "current"
                    else "`experimental.sessionMemory: true`")
            p = e.path(cfg, "sources") or ()
            idx = sources.index(kc.SESSIONS_SOURCE)
            yield at(ctx, cfg, (*p, idx) if cfg.loc(*p, idx) else p, (
                f"`{fmt(p)}` includes \"sessions\", but OpenClaw drops that source unless "
                f"{gate} is set in the same block; session transcripts are not searched. Add "
                f"{gate} or remove \"sessions\""), value=True)

    yield from _dedupe(gen())


@rule("MS008", inputs=kinds_inputs(Kind.CONFIG))
def sessions_double_indexing(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    hook = cfg.hook_entry(kc.SESSION_MEMORY_HOOK)
    if hook.get("enabled") is not True:
        return
    hook_path = ("hooks", "internal", "entries", kc.SESSION_MEMORY_HOOK, "enabled")

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            sources = e.ms.get("sources")
            srcs = sources if isinstance(sources, list) else ["memory"]
            sessions = (kc.SESSIONS_SOURCE in srcs and sessions_gate(cfg, e.ms)) or (
                cfg.era == "current" and e.ms.get("rememberAcrossConversations") is True)
            if not sessions or "memory" not in (srcs or ["memory"]) or not _enabled(e.ms):
                continue
            p = e.path(cfg, "sources") or e.path(cfg, "rememberAcrossConversations") or ()
            line = cfg.position(*hook_path)
            where = f" (line {line[1]})" if line else ""
            yield at(ctx, cfg, p, (
                "session transcripts are indexed (`sessions` source) and the `session-memory` "
                f"hook is enabled{where}, which writes a summary of each conversation into "
                "memory/: every conversation is indexed twice and duplicates crowd the top "
                "results. Use `sources: [\"memory\"]` when the hook is your recall path, or "
                "disable the hook"))

    yield from _dedupe(gen())


@rule("MS009", inputs=kinds_inputs(Kind.CONFIG))
def multimodal_constraints(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return

    def gen() -> Iterator[Diagnostic]:
        for e in effective(cfg):
            mm = e.ms.get("multimodal")
            if not isinstance(mm, dict) or mm.get("enabled") is not True or not _enabled(e.ms):
                continue
            en = e.path(cfg, "multimodal.enabled") or ()
            if e.provider != "gemini":
                yield at(ctx, cfg, e.path(cfg, "provider") or en, (
                    f"`multimodal.enabled` needs `provider: \"gemini\"` (Gemini Embedding 2 is "
                    f"the only multimodal embedder), but the provider is "
                    f"{json.dumps(e.provider)}; set the provider or disable multimodal"))
            model = e.ms.get("model")
            if e.provider == "gemini" and model != kc.MULTIMODAL_MODEL:
                yield at(ctx, cfg, e.path(cfg, "model") or en, (
                    f"`multimodal.enabled` needs `model: \"{kc.MULTIMODAL_MODEL}\"`, got "
                    f"{json.dumps(model)}; set that model or disable multimodal"),
                    value=e.path(cfg, "model") is not None)
            fb = e.ms.get("fallback")
            if fb is not None and fb != "none":
                yield at(ctx, cfg, e.path(cfg, "fallback") or en, (
                    f"`multimodal.enabled` needs `fallback: \"none\"` (a text-only fallback "
                    f"cannot embed images or audio), got {json.dumps(fb)}; set it to \"none\" or "
                    "disable multimodal"), value=True)
            xp = e.ms.get("extraPaths")
            if not isinstance(xp, list) or not xp:
                yield at(ctx, cfg, en, (
                    "`multimodal.enabled` only applies to files under `extraPaths`, and none "
                    "are configured, so no image or audio is ever indexed; add the folders to "
                    "`extraPaths`"))

    yield from _dedupe(gen())


_BUILTIN_KEYS = frozenset({"provider", "model", "remote", "local", "fallback", "store",
                           "chunking", "query", "outputDimensionality"})


@rule("MS010", inputs=kinds_inputs(Kind.CONFIG))
def qmd_backend_with_builtin_block(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok or cfg.era != "classic":
        return
    if cfg.get("memory", "backend") != "qmd":
        return
    for loc in cfg.memory_search_locations():
        block = cfg.get(*loc)
        keys = sorted(k for k in block if k in _BUILTIN_KEYS) if isinstance(block, dict) else []
        if not keys:
            continue
        yield at(ctx, cfg, loc, (
            f"`memory.backend` is \"qmd\", so QMD embeds and searches memory itself and the "
            f"builtin settings in `{fmt(loc)}` ({', '.join(keys)}) are ignored (doctor skips "
            "them too). Remove them, or set `memory.backend: \"builtin\"` to use them"))
