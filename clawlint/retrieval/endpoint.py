"""Which embedding backend to use, with which model at which URL, and why."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from clawlint.knowledge import embeddings as K

if TYPE_CHECKING:
    from clawlint.workspace import Workspace


def parse_ollama_host(value: str | None) -> str:
    """Base URL from an OLLAMA_HOST-style value, parsed the way Ollama's envconfig.Host() does:
    empty -> http://127.0.0.1:11434; bare host -> http with port 11434; `http://h` -> port 80,
    `https://h` -> 443; bare `ollama.com` -> https://ollama.com:443; a bad port -> the default."""
    s = (value or "").strip()
    default_port = str(K.OLLAMA_DEFAULT_PORT)
    if "://" in s:
        scheme, hostport = s.split("://", 1)
        scheme = scheme.lower()
        if scheme == "http":
            default_port = "80"
        elif scheme == "https":
            default_port = "443"
    else:
        scheme, hostport = K.OLLAMA_DEFAULT_SCHEME, s
        if s == "ollama.com":
            scheme, hostport = "https", "ollama.com:443"
    hostport, _, path = hostport.partition("/")
    host, port = _split_host_port(hostport)
    if host is None:  # no port given (or unparsable): Go's net.SplitHostPort failed
        bare = hostport.strip("[]")
        try:
            host = str(ipaddress.ip_address(bare))
        except ValueError:
            host = hostport or K.OLLAMA_DEFAULT_HOST
        port = default_port
    if not port.isdigit() or int(port) > 65535:
        port = default_port
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    url = f"{scheme}://{host}:{port}"
    return f"{url}/{path}" if path else url


def _split_host_port(hostport: str) -> tuple[str | None, str]:
    """Go's net.SplitHostPort: `h:p` or `[v6]:p`; anything else is an error (None)."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or not hostport[end + 1:].startswith(":"):
            return None, ""
        return hostport[1:end], hostport[end + 2:]
    if hostport.count(":") != 1:
        return None, ""
    host, port = hostport.split(":")
    return host, port


def normalize_base_url(url: str) -> str:
    """A base URL as given by a user: add http:// when there is no scheme (Ollama's rule)."""
    url = url.strip()
    if "://" not in url:
        return parse_ollama_host(url)
    return url.rstrip("/")


def ollama_api_base(url: str) -> str:
    """OpenClaw's resolveOllamaApiBase: strip trailing slashes and one trailing /v1."""
    url = url.strip().rstrip("/")
    if url.endswith(K.OPENCLAW_OLLAMA_STRIP_SUFFIX):
        url = url[: -len(K.OPENCLAW_OLLAMA_STRIP_SUFFIX)].rstrip("/")
    return url


def is_loopback(url: str) -> bool:
    """True when the URL's host is this machine (localhost, 127/8, ::1, or the any-address)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


@dataclass
class Plan:
    """The resolved backend choice (before any network call)."""

    kind: str  # "ollama" | "openai" | "lexical"
    model: str = ""
    base_url: str = ""
    api_key: str | None = None
    dimensions: int | None = None  # requested output dimensions (MRL), None = native
    # Why this choice was made, for the output ("from memorySearch", "--embed-model", ...).
    reason: str = ""
    # A problem known before any request (e.g. a remote URL without --allow-remote).
    refusal: str | None = None
    # Where the configuration lives, for diagnostics: (rel path, line, column) or None.
    where: tuple[str, int, int] | None = None
    memory_search: dict[str, Any] = field(default_factory=dict)
    # The memory-search block's name in this config's era, for messages.
    block: str = "agents.defaults.memorySearch"

    @property
    def network(self) -> bool:
        return self.kind in ("ollama", "openai")


def _openclaw(ws: Workspace) -> Any:
    return ws.openclaw_or_none()


def memory_search_config(ws: Workspace) -> dict[str, Any]:
    cfg = _openclaw(ws)
    if cfg is None:
        return {}
    try:
        ms = cfg.memory_search(ws.settings.agent)
    except Exception:
        return {}
    return ms if isinstance(ms, dict) else {}


def _config_where(ws: Workspace, key: str) -> tuple[str, int, int] | None:
    cfg = _openclaw(ws)
    if cfg is None:
        return None
    era = getattr(cfg, "era", "classic")
    paths: list[tuple[Any, ...]] = []
    block = _block_path(ws)
    if block is not None:  # where the values in force are written
        paths += [(*block, key), tuple(block)]
    agent = ws.settings.agent
    if era == "current":
        if agent:
            paths.append(("agents", "entries", agent, "memory", "search", key))
        paths += [("memory", "search", key), ("memory", "search")]
    else:
        paths += [("agents", "defaults", "memorySearch", key),
                  ("agents", "defaults", "memorySearch")]
    for p in paths:
        try:
            pos = cfg.position(*p)
        except Exception:
            pos = None
        if pos:
            return pos
    rel = getattr(cfg, "rel", None)
    return (rel, 1, 1) if rel else None


def _str(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() else None


def _custom_provider(ws: Workspace, provider: str) -> dict[str, Any]:
    cfg = _openclaw(ws)
    if cfg is None:
        return {}
    try:
        entry = cfg.get("models", "providers", provider, default={})
    except Exception:
        return {}
    return entry if isinstance(entry, dict) else {}


def _block_path(ws: Workspace) -> Any:
    """Where the memory-search block in force is written: the block holding `provider`, else
    the agent's or the global block, else None."""
    cfg = _openclaw(ws)
    if cfg is None:
        return None
    agent = ws.settings.agent
    try:
        p = cfg.memory_search_value_path("provider", agent)
        if p is not None:
            return p[:-1]
        return cfg.agent_memory_search_path(agent) or cfg.global_memory_search_path()
    except Exception:  # noqa: BLE001 - an odd config: name the era's default block
        return None


def block_name(ws: Workspace) -> str:
    """The block's path as written in this config (`memory.search`, `agents.list[0].memorySearch`,
    ...), else the era's default: `memory.search` (Current) or `agents.defaults.memorySearch`."""
    path = _block_path(ws)
    if path is not None:
        from clawlint.openclaw_config import format_path

        return format_path(path)
    cfg = _openclaw(ws)
    return "memory.search" if getattr(cfg, "era", "classic") == "current" else \
        "agents.defaults.memorySearch"


def resolve_plan(ws: Workspace) -> Plan:
    s = ws.settings
    mode = (getattr(s, "embeddings", "auto") or "auto").lower()
    ms = memory_search_config(ws)
    block = block_name(ws)
    if mode == "lexical":
        return Plan("lexical", reason="--embeddings lexical", memory_search=ms, block=block)
    provider = (_str(ms.get("provider")) or "").lower()
    remote = ms.get("remote") if isinstance(ms.get("remote"), dict) else {}
    cfg_base = _str(remote.get("baseUrl"))
    custom = _custom_provider(ws, provider) if provider else {}
    custom_api = (_str(custom.get("api")) or "").lower()
    cli_model, cli_url = _str(s.embed_model), _str(s.ollama_url)
    enabled = ms.get("enabled") is not False

    kind: str | None = None
    reason = ""
    if mode in ("ollama", "openai"):
        kind, reason = mode, f"--embeddings {mode}"
    elif enabled and (provider in K.OLLAMA_PROVIDERS or custom_api in K.OLLAMA_API_KINDS):
        kind, reason = "ollama", f'{block}.provider "{provider}"'
    elif enabled and provider in K.OPENAI_PROVIDERS and cfg_base and is_loopback(cfg_base):
        kind, reason = "openai", f'{block}.provider "{provider}" with a local baseUrl'
    elif cli_model or cli_url:
        kind, reason = "ollama", "--embed-model/--ollama-url"
    if kind is None:
        why = "no local embedding endpoint configured"
        if not enabled:
            why = f"{block} is disabled"
        elif provider and provider not in ("none",):
            why = f'{block}.provider "{provider}" is not a local endpoint'
        return Plan("lexical", reason=why, memory_search=ms, block=block)

    model = cli_model or _str(ms.get("model")) or ""
    if kind == "ollama":
        base = (cli_url or cfg_base or _str(custom.get("baseUrl"))
                or (_str(os.environ.get(K.OLLAMA_HOST_ENV)) and
                    parse_ollama_host(os.environ.get(K.OLLAMA_HOST_ENV)))
                or K.OLLAMA_DEFAULT_URL)
        base = ollama_api_base(normalize_base_url(base))
        model = model or K.OPENCLAW_DEFAULT_OLLAMA_MODEL
    else:
        if cfg_base:
            base = normalize_base_url(cfg_base)
        else:
            host = cli_url or _str(os.environ.get(K.OLLAMA_HOST_ENV)) or K.OLLAMA_DEFAULT_URL
            base = ollama_api_base(normalize_base_url(host)) + "/v1"
        model = model or K.OPENCLAW_DEFAULT_OLLAMA_MODEL
    key = remote.get("apiKey")
    dims = ms.get("outputDimensionality")
    plan = Plan(
        kind, model=model, base_url=base.rstrip("/"),
        api_key=key.strip() if isinstance(key, str) and key.strip() else None,
        dimensions=dims if isinstance(dims, int) and not isinstance(dims, bool) and dims > 0 else None,
        reason=reason, memory_search=ms,
        where=_config_where(ws, "remote" if cfg_base else "provider") if ms else None,
        block=block,
    )
    if not is_loopback(plan.base_url) and not getattr(s, "allow_remote", False):
        plan.refusal = (
            f"embedding endpoint {plan.base_url} is not on this machine; card text is private, "
            "so clawlint does not send it there without --allow-remote (allow-remote = true)"
        )
    return plan
