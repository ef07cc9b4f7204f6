"""CFG007 (memory-search schema) and CFG008 (retired keys), facts §0, §1.5, §3.1, §3.2, §3.4."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from clawlint.checks.config_common import agents_to_check, at, config_of, fmt
from clawlint.diagnostics import Diagnostic
from clawlint.didyoumean import closest
from clawlint.knowledge import config as kc
from clawlint.openclaw_config import KeyPath, OpenClawConfig
from clawlint.registry import Context, kinds_inputs, rule
from clawlint.workspace import Kind

# Keys people write that OpenClaw spells differently (facts §3.2, §9 rule 2).
_ALIASES = {
    "dimensions": "outputDimensionality",
    "dims": "outputDimensionality",
    "embeddingDimensions": "outputDimensionality",
    "topK": "query.maxResults",
    "k": "query.maxResults",
    "threshold": "query.minScore",
    "baseURL": "remote.baseUrl",
    "baseUrl": "remote.baseUrl",
    "apiKey": "remote.apiKey",
    "headers": "remote.headers",
    "modelPath": "local.modelPath",
    "tokenizer": "store.fts.tokenizer",
}


@lru_cache(maxsize=2)
def load_schema(era: str) -> dict[str, Any]:
    name = f"memory_search.{era}.schema.json"
    text = (Path(__file__).resolve().parent.parent / "data" / name).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=2)
def _validator(era: str) -> Any:
    import jsonschema  # lazy: only configs with a memory-search block need it

    schema = load_schema(era)
    return jsonschema.Draft202012Validator(schema)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return schema["$defs"][ref.split("/")[-1]]
    return node


def _props_at(schema: dict[str, Any], rel: KeyPath) -> dict[str, Any]:
    node: dict[str, Any] = schema
    for p in rel:
        node = _resolve(schema, node)
        if isinstance(p, int):
            node = node.get("items", {})
            continue
        node = node.get("properties", {}).get(p, {})
    node = _resolve(schema, node)
    return node.get("properties", {})


def _all_paths(schema: dict[str, Any], node: dict[str, Any] | None = None, prefix: str = ""
               ) -> dict[str, list[str]]:
    """key name -> dotted paths where the schema allows it (for "wrong level" hints)."""
    out: dict[str, list[str]] = {}
    node = _resolve(schema, node if node is not None else schema)
    for k, sub in node.get("properties", {}).items():
        path = f"{prefix}{k}"
        out.setdefault(k, []).append(path)
        for kk, paths in _all_paths(schema, sub, path + ".").items():
            out.setdefault(kk, []).extend(paths)
    return out


def _suggest(key: str, siblings: list[str], schema: dict[str, Any], rel: KeyPath) -> str:
    here = ".".join(str(p) for p in rel)
    alias = _ALIASES.get(key)
    if alias is not None:
        return f" (did you mean `{alias}`?)"
    lower = {s.lower(): s for s in siblings}
    if key.lower() in lower:
        return f" (did you mean `{lower[key.lower()]}`? keys are case-sensitive)"
    close = closest(key, siblings, 0.6)
    if close:
        return f" (did you mean `{close}`?)"
    elsewhere = [p for p in _all_paths(schema).get(key, []) if p.rsplit(".", 1)[0] != here]
    if elsewhere:
        return f" (it belongs under `{elsewhere[0]}`)"
    return ""


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null" if v is None else type(v).__name__


def _expected(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    if "anyOf" in node:
        return " or ".join(_expected(schema, n) for n in node["anyOf"])
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        return "one of " + ", ".join(json.dumps(e) for e in node["enum"])
    t = node.get("type", "a value")
    if t == "integer":
        lo = node.get("minimum")
        return {1: "a positive integer", 0: "a non-negative integer"}.get(lo, "an integer")
    if t == "number" and node.get("minimum") == 0 and node.get("maximum") == 1:
        return "a number from 0 to 1"
    return {"object": "an object", "array": "an array"}.get(t, f"a {t}")


def schema_problems(block: Any, era: str) -> list[tuple[KeyPath, str, bool]]:
    """(relative path, message, at_value) for each schema violation of one block."""
    schema = load_schema(era)
    out: list[tuple[KeyPath, str, bool]] = []
    for err in _validator(era).iter_errors(block):
        rel = tuple(err.absolute_path)
        v = err.validator
        if v == "additionalProperties":
            allowed = list(_props_at(schema, rel))
            extra = [k for k in err.instance if k not in allowed] if isinstance(
                err.instance, dict) else []
            for k in extra:
                hint = _suggest(k, allowed, schema, rel)
                out.append(((*rel, k), f'Unrecognized key "{k}"{hint}; rename, move or delete it',
                            False))
            continue
        if v in ("type", "enum", "const", "anyOf", "minimum", "maximum", "minLength"):
            want = _expected(schema, err.schema if v != "anyOf" else {"anyOf": err.validator_value})
            if v in ("type", "minimum", "maximum", "minLength"):
                want = _expected(schema, err.schema)
            got = json.dumps(err.instance) if not isinstance(err.instance, (dict, list)) \
                else _type_name(err.instance)
            out.append((rel, f"must be {want}, got {got}", True))
            continue
        if v == "required":
            out.append((rel, f"{err.message}; add it", False))
    # Cross-field: overlap must stay below tokens (OpenClaw clamps it to tokens-1, §2.3).
    ch = block.get("chunking") if isinstance(block, dict) else None
    if isinstance(ch, dict):
        t, o = ch.get("tokens"), ch.get("overlap")
        if _is_int(t) and _is_int(o) and t > 0 and o >= t:
            out.append((("chunking", "overlap"), f"must be smaller than chunking.tokens ({t}); "
                        f"OpenClaw clamps it to {t - 1}, so consecutive chunks are near copies: "
                        "lower `overlap`", True))
    return out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _dedupe_key(rel: KeyPath) -> tuple[str, ...]:
    return tuple(str(p) for p in rel)


@rule("CFG007", inputs=kinds_inputs(Kind.CONFIG))
def memory_search_schema(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    for loc in cfg.memory_search_locations():
        block = cfg.get(*loc)
        for rel, msg, at_value in schema_problems(block, cfg.era):
            full = (*loc, *rel)
            # The overlap clamp is OpenClaw's own repair, not a refusal to start.
            tail = "" if rel == ("chunking", "overlap") and "clamps" in msg else (
                ". OpenClaw validates the config strictly and refuses to start the gateway until "
                "this is fixed")
            yield at(ctx, cfg, full, f"`{fmt(full)}`: {msg}{tail}", value=at_value)
    # Overlap vs tokens can also break when the two come from different blocks.
    seen: set[KeyPath] = set()
    for aid in agents_to_check(cfg):
        ms = cfg.memory_search(aid)
        ch = ms.get("chunking")
        if not isinstance(ch, dict):
            continue
        t, o = ch.get("tokens"), ch.get("overlap")
        if not (_is_int(t) and _is_int(o) and t > 0 and o >= t):
            continue
        tp = cfg.memory_search_value_path("chunking.tokens", aid)
        op = cfg.memory_search_value_path("chunking.overlap", aid)
        if tp is None or op is None or tp[:-1] == op[:-1] or op in seen:
            continue  # same block: reported above
        seen.add(op)
        yield at(ctx, cfg, op, (
            f"`{fmt(op)}` ({o}) must be smaller than `{fmt(tp)}` ({t}) for agent "
            f"{aid or cfg.default_agent_id()!r}; OpenClaw clamps the overlap to {t - 1}. "
            "Lower the overlap"), value=True)


def _retired_in_block(cfg: OpenClawConfig, loc: KeyPath) -> Iterator[tuple[KeyPath, str, str]]:
    block = cfg.get(*loc)
    if not isinstance(block, dict):
        return
    store = block.get("store")
    if isinstance(store, dict) and "path" in store:
        p = (*loc, "store", "path")
        if cfg.era == "current":
            yield p, "error", (
                f"`{fmt(p)}` is retired: the index lives in each agent's SQLite database, and "
                "Current `openclaw doctor` refuses configs that still set it (\"must be repaired "
                "before current validation can succeed\"). Delete the key")
        else:
            yield p, "warning", (
                f"`{fmt(p)}` was removed from the late Classic schema; the index goes to "
                "`<stateDir>/memory/<agentId>.sqlite`. Delete the key (Current versions refuse "
                "it)")
    if cfg.era == "current" and kc.QMD_KEY in block:
        p = (*loc, kc.QMD_KEY)
        yield p, "warning", (
            f"`{fmt(p)}`: QMD has been removed; builtin is the only memory engine. Move QMD paths "
            "and collections to `extraPaths` (`openclaw doctor --fix` does this) and delete it")
    if block.get("provider") == kc.LEGACY_AUTO_PROVIDER:
        p = (*loc, "provider")
        yield p, "warning" if cfg.era == "current" else "info", (
            f"`{fmt(p)}` is the legacy value \"auto\"; OpenClaw now treats it as \"openai\" "
            "(doctor rewrites it) and no longer auto-detects local or other keys. Set the "
            "provider you use explicitly (\"ollama\", \"openai\", ... or \"none\" for "
            "keyword-only recall)")


@rule("CFG008", inputs=kinds_inputs(Kind.CONFIG))
def retired_key(ctx: Context) -> Iterator[Diagnostic]:
    cfg = config_of(ctx)
    if cfg is None or not cfg.ok:
        return
    for loc in cfg.memory_search_locations():
        for p, level, msg in _retired_in_block(cfg, loc):
            yield at(ctx, cfg, p, msg, level=level)
    if cfg.era == "current":
        for key in ("backend", kc.QMD_KEY):
            p = ("memory", key)
            if cfg.has(*p):
                yield at(ctx, cfg, p, (
                    f"`{fmt(p)}` is retired in Current OpenClaw (QMD was removed; builtin is the "
                    "only memory engine); `openclaw doctor --fix` removes it and keeps QMD paths "
                    "as `memory.search.extraPaths`. Delete it"), level="warning")
    # bootstrapPromptTruncationWarning (facts §1.5).
    places: list[KeyPath] = [("agents", "defaults")]
    for aid in cfg.agent_ids():
        ap = cfg.agent_path(aid)
        if ap is not None:
            places.append(ap)
    for base in places:
        p = (*base, kc.TRUNCATION_WARNING_KEY)
        if not cfg.has(*p):
            continue
        value = cfg.get(*p)
        if cfg.era == "current":
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}` is not part of the Current schema: the truncation notice is built "
                "in and always on. Delete the key"), level="warning")
        elif value == "once":
            yield at(ctx, cfg, p, (
                f"`{fmt(p)}: \"once\"` changes the system prompt after the first truncated turn, "
                "which breaks the prompt cache on turn 2; use \"always\" (or \"off\")"),
                value=True, level="warning")
