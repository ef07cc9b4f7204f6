"""CFG009-CFG011: prompt-cache settings and credentials written in openclaw.json (facts §4, §5.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from clawlint.checks.config_common import (
    agents_to_check,
    at,
    config_of,
    duration_minutes,
    fmt,
)
from clawlint.diagnostics import Applicability, Diagnostic, Edit, Fix
from clawlint.knowledge import config as kc
from clawlint.openclaw_config import KeyPath, OpenClawConfig
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.workspace import Kind


def params_objects(cfg: OpenClawConfig) -> Iterator[KeyPath]:
    """Every `params` object that can carry cacheRetention (facts §5.1 merge order)."""
    for base in (("agents", "defaults"), *cfg.agent_entry_paths()):
        if isinstance(cfg.get(*base, "params"), dict):
            yield (*base, "params")
        models = cfg.get(*base, "models")
        if isinstance(models, dict):
            for m, entry in models.items():
                if isinstance(entry, dict) and isinstance(entry.get("params"), dict):
                    yield (*base, "models", m, "params")


def _rename_fix(ctx: Context, cfg: OpenClawConfig, path: KeyPath, new_value: str) -> Fix | None:
    """`cacheControlTtl: "1h"` -> `cacheRetention: "long"` in a workspace file."""
    loc = cfg.loc(*path)
    if loc is None or loc.key is None or loc.value is None:
        return None
    f = ctx.ws.get(loc.file)
    if f is None or f.text is None:
        return None
    key_text = f.text[loc.key.start : loc.key.end]
    q = key_text[0] if key_text[:1] in ("'", '"') else ""
    return Fix(
        f"Replace with cacheRetention: \"{new_value}\"",
        (Edit(loc.key.start, loc.key.end, f"{q}cacheRetention{q}"),
         Edit(loc.value.start, loc.value.end, json.dumps(new_value))),
        Applicability.SAFE,
    )


@rule("CFG009", inputs=kinds_inputs(Kind.CONFIG))
def cache_retention_value(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    allowed = ", ".join(f'"{v}"' for v in kc.CACHE_RETENTION_VALUES)
    for params in params_objects(cfg):
        obj = cfg.get(*params)
        if "cacheRetention" in obj:
            v = obj["cacheRetention"]
            if v not in kc.CACHE_RETENTION_VALUES:
                hint = ' ("standard" is not an alias; the 5-minute cache is "short")' \
                    if v == "standard" else ""
                yield at(ctx, cfg, (*params, "cacheRetention"), (
                    f"`{fmt((*params, 'cacheRetention'))}` is {json.dumps(v)}{hint}; OpenClaw "
                    f"ignores invalid values with a warning. Use one of {allowed}"), value=True)
        if "cacheControlTtl" in obj:
            v = obj["cacheControlTtl"]
            p = (*params, "cacheControlTtl")
            mapped = kc.LEGACY_CACHE_TTL.get(v) if isinstance(v, str) else None
            if mapped is None:
                yield at(ctx, cfg, p, (
                    f"`{fmt(p)}` is the legacy cache setting and {json.dumps(v)} is not one of "
                    f"its values (\"5m\", \"1h\"); replace it with `cacheRetention` ({allowed})"))
                continue
            if "cacheRetention" in obj:
                yield at(ctx, cfg, p, (
                    f"`{fmt(p)}` is the legacy spelling of `cacheRetention`, which is also set "
                    "here; delete the legacy key"))
                continue
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}: {json.dumps(v)}` is the legacy spelling; write "
                f"`cacheRetention: \"{mapped}\"` instead"), fix=_rename_fix(ctx, cfg, p, mapped))


def effective_cache_retention(cfg: OpenClawConfig, agent_id: str | None
                              ) -> tuple[str | None, KeyPath | None]:
    """cacheRetention from agents.defaults.params, then the agent's params (later wins)."""
    value: str | None = None
    where: KeyPath | None = None
    bases: list[KeyPath] = [("agents", "defaults")]
    ap = cfg.agent_path(agent_id)
    if ap is not None:
        bases.append(ap)
    for base in bases:
        params = cfg.get(*base, "params")
        if not isinstance(params, dict):
            continue
        v = params.get("cacheRetention")
        if v is None and isinstance(params.get("cacheControlTtl"), str):
            v = kc.LEGACY_CACHE_TTL.get(params["cacheControlTtl"])
            key = "cacheControlTtl"
        else:
            key = "cacheRetention"
        if v in kc.CACHE_RETENTION_VALUES:
            value, where = v, (*base, "params", key)
    return value, where


@rule("CFG010", inputs=kinds_inputs(Kind.CONFIG))
def heartbeat_outlives_cache(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    seen: set[KeyPath] = set()
    for aid in agents_to_check(cfg):
        retention, rpath = effective_cache_retention(cfg, aid)
        if retention != "long":
            continue
        every = cfg.agent_setting("heartbeat.every", aid)
        minutes = duration_minutes(every)
        if minutes is None or minutes == 0 or minutes < kc.LONG_CACHE_TTL_MINUTES:
            continue
        hp = cfg.agent_setting_path("heartbeat.every", aid)
        if hp is None or hp in seen:
            continue
        seen.add(hp)
        name = aid or cfg.default_agent_id()
        yield at(ctx, cfg, hp, (
            f"heartbeat `every: {json.dumps(every)}` for agent {name!r} is at or above the 1-hour "
            f"cache TTL of `cacheRetention: \"long\"` (`{fmt(rpath or ())}`): the cache expires "
            "between heartbeats, so every heartbeat pays the full cache-write price. Set "
            f"`every: \"{kc.KEEP_WARM_EVERY}\"` to keep it warm, or use `cacheRetention: "
            "\"short\"`/`\"none\"` on agents that do not need a warm cache"), value=True)


def _is_secret_ref(v: Any) -> bool:
    return isinstance(v, dict) and v.get("source") in kc.SECRET_REF_SOURCES


def literal_secrets(cfg: OpenClawConfig) -> Iterator[tuple[KeyPath, str]]:
    """(path, value) of credential fields whose value is written literally."""
    from clawlint.checks.secrets import is_placeholder, known_secrets, looks_like_secret_value

    def walk(node: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
        if isinstance(node, dict):
            for k, v in node.items():
                p = (*path, k)
                if isinstance(v, str) and isinstance(k, str) and (
                        kc.SECRET_KEY_RE.match(k) or (len(path) and path[-1] == "headers"
                                                      and k.lower() in ("authorization",
                                                                        "x-api-key"))):
                    yield from check(p, v)
                else:
                    yield from walk(v, p)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, (*path, i))

    def check(p: KeyPath, v: str) -> Iterator[tuple[KeyPath, str]]:
        s = v.strip()
        if s.lower().startswith("bearer "):
            s = s[7:].strip()
        if not s or "${" in s or s.lower() in kc.PLACEHOLDER_KEYS or is_placeholder(s):
            return
        if known_secrets(s) or looks_like_secret_value(s, 16, 3.0):
            yield p, s

    yield from walk(cfg.raw, ())


@rule("CFG011", inputs=kinds_inputs(Kind.CONFIG))
def literal_secret(ctx: Context) -> Iterator[Diagnostic]:
    from clawlint.checks.secrets import mask

    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    for p, value in literal_secrets(cfg):
        name = str(p[-1])
        env = _env_name_for(cfg, p)
        d = at(ctx, cfg, p, (
            f"`{fmt(p)}` holds a literal credential ({mask(value)}); config files get copied, "
            f"backed up and shared. Write `\"${{{env}}}\"` and export {env} where the gateway "
            f"runs, or use a SecretRef `{{ source: \"env\", provider: \"default\", id: \"{env}\" "
            f"}}` (then rotate the key)"), value=True)
        d.extra = {"secret": True, "secret_kind": name}
        yield d


def _env_name_for(cfg: OpenClawConfig, p: KeyPath) -> str:
    """The environment variable to suggest for a literal credential at `p`."""
    strs = [str(x) for x in p if isinstance(x, str)]
    if len(strs) >= 3 and strs[0] == "models" and strs[1] == "providers":
        return f"{strs[2].upper().replace('-', '_')}_API_KEY"
    # A memory-search block: `memorySearch`, or `search` right under `memory` (not, say,
    # tools.web.search).
    block = next((i for i, x in enumerate(p) if x == "memorySearch"
                  or (x == "search" and i > 0 and p[i - 1] == "memory")), None)
    if block is not None:
        if strs[-1] != "apiKey":
            return "MEMORY_SEARCH_TOKEN"
        # The variable the effective provider reads: the block's own, else the global block's
        # (a per-agent block inherits it), else openai.
        provider = cfg.get(*p[: block + 1], "provider")
        if not isinstance(provider, str):
            glob = cfg.global_memory_search_path()
            provider = cfg.get(*glob, "provider") if glob is not None else None
        provider = provider if isinstance(provider, str) else kc.DEFAULT_PROVIDER
        known = kc.PROVIDER_KEY_ENV.get(provider)
        return known[0] if known else "MEMORY_SEARCH_API_KEY"
    base = "_".join(s for s in strs[-2:]).upper()
    return "".join(c if c.isalnum() else "_" for c in base)
