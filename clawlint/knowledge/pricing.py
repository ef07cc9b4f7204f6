"""Prompt-cache prices and minimum cacheable lengths per model: a dated, overridable table.

These numbers move (anchors §5 is marked [volatile]); every row carries its source and the
snapshot date, and `load_overrides()` lets users replace or add rows from a JSON file:

    {"claude-sonnet-4-6": {"input": 3, "cache_write_5m": 3.75, "cache_write_1h": 6,
                           "cache_read": 0.3, "output": 15, "min_cacheable": 2048,
                           "token_factor": 1.2}}

Prices are USD per million tokens. `token_factor` scales a tiktoken cl100k count to the
model's own tokenizer (anchors §5.1: Claude ~ +16 % English to +30 % code vs GPT-4o; Opus 4.7
and later ~1.0-1.47x more again). It is an estimate and is always shown next to the result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SNAPSHOT = "2026-09-29"
DEFAULT_MODEL = "anthropic/claude-sonnet-4-6"
CLAUDE_FACTOR = 1.2  # published +16 % (English) ... +30 % (code) vs GPT-4o
CLAUDE_NEW_TOKENIZER_FACTOR = 1.6  # Opus 4.7+: a further ~1.35x on English (anchors §5.1)


@dataclass(frozen=True)
class ModelPrice:
    key: str  # canonical id, e.g. "claude-sonnet-4-6"
    provider: str  # "anthropic" | "openai" | "google"
    input: float | None  # base input $/MTok (uncached, no cache write)
    cache_write_5m: float | None  # $/MTok to write the cache (short retention)
    cache_write_1h: float | None  # $/MTok to write the cache (long retention)
    cache_read: float | None  # $/MTok for a cache hit
    output: float | None
    min_cacheable: int | None  # tokens; shorter prefixes are never cached
    token_factor: float  # cl100k tokens -> this model's tokens
    source: str
    snapshot: str = SNAPSHOT

    @property
    def priced(self) -> bool:
        return self.input is not None and self.cache_read is not None

    def write_price(self, retention: str = "short") -> float | None:
        """Cost of a cache miss that (re)writes the prefix."""
        if self.provider == "anthropic":
            return self.cache_write_1h if retention == "long" else self.cache_write_5m
        return self.input  # automatic caching: a miss is billed at the base input price


_ANTHROPIC_DOC = "platform.claude.com pricing + prompt-caching pages (anchors §5.1)"
_ANTHROPIC_UNVERIFIED = "repo fixtures copied from the live pricing page 2026-09-29 (unverified)"
_OPENAI_DOC = "platform.openai.com prompt-caching guide, 2026 rewrite (anchors §5.2); no prices"
_GEMINI_DOC = "ai.google.dev/gemini-api/docs/caching, 2026-07/10 snapshots (anchors §5.3)"


def _a(key: str, inp: float, w5: float, w1: float, rd: float, out: float, minimum: int,
       factor: float = CLAUDE_FACTOR, source: str = _ANTHROPIC_DOC) -> ModelPrice:
    return ModelPrice(key, "anthropic", inp, w5, w1, rd, out, minimum, factor, source)


# Minimums: ~Aug-Sep 2026 quotes of the prompt-caching page ("512 tokens for Claude Opus 5 …").
PRICES: dict[str, ModelPrice] = {
    p.key: p
    for p in (
        _a("claude-opus-5-5", 4, 5, 8, 0.20, 20, 512, CLAUDE_NEW_TOKENIZER_FACTOR,
           _ANTHROPIC_UNVERIFIED),
        _a("claude-opus-4-8", 5, 6.25, 10, 0.50, 25, 1024, CLAUDE_NEW_TOKENIZER_FACTOR),
        _a("claude-opus-4-7", 5, 6.25, 10, 0.50, 25, 2048, CLAUDE_NEW_TOKENIZER_FACTOR),
        _a("claude-opus-4-6", 5, 6.25, 10, 0.50, 25, 4096),
        _a("claude-opus-4-5", 5, 6.25, 10, 0.50, 25, 4096),
        _a("claude-opus-4-1", 15, 18.75, 30, 1.50, 75, 1024),
        _a("claude-opus-4", 15, 18.75, 30, 1.50, 75, 1024),
        _a("claude-sonnet-5", 2, 2.50, 4, 0.20, 10, 1024, CLAUDE_FACTOR, _ANTHROPIC_UNVERIFIED),
        # 1024 documented; one user reports needing >= 2048 in practice (anthropic-sdk #1194).
        _a("claude-sonnet-4-6", 3, 3.75, 6, 0.30, 15, 1024),
        _a("claude-sonnet-4-5", 3, 3.75, 6, 0.30, 15, 1024),
        _a("claude-sonnet-4", 3, 3.75, 6, 0.30, 15, 1024),
        _a("claude-3-7-sonnet", 3, 3.75, 6, 0.30, 15, 1024),
        _a("claude-haiku-4-5", 1, 1.25, 2, 0.10, 5, 4096),
        _a("claude-3-5-haiku", 0.80, 1, 1.60, 0.08, 4, 2048),
        _a("claude-3-haiku", 0.25, 0.30, 0.50, 0.03, 1.25, 2048),
        ModelPrice("gpt-5.6", "openai", None, None, None, None, None, 1024, 1.0, _OPENAI_DOC),
        ModelPrice("gpt", "openai", None, None, None, None, None, 2048, 1.0, _OPENAI_DOC),
        ModelPrice("gemini-2.5-flash", "google", None, None, None, None, None, 2048, 1.0,
                   _GEMINI_DOC),
        ModelPrice("gemini-2.5-pro", "google", None, None, None, None, None, 2048, 1.0,
                   _GEMINI_DOC),
        ModelPrice("gemini-3", "google", None, None, None, None, None, 4096, 1.0, _GEMINI_DOC),
    )
}

# Aliases: families and spellings that map onto a row.
_ALIASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?:claude-)?(?:opus|fable|mythos)-5"), "claude-opus-5-5"),
    (re.compile(r"claude-3-7-sonnet|claude-sonnet-3-7"), "claude-3-7-sonnet"),
    (re.compile(r"claude-3-5-haiku|claude-haiku-3-5"), "claude-3-5-haiku"),
    (re.compile(r"claude-3-haiku|claude-haiku-3\b"), "claude-3-haiku"),
    (re.compile(r"gpt-5\.(?:[6-9]|\d{2,})"), "gpt-5.6"),
    (re.compile(r"gpt-|^o\d"), "gpt"),
    (re.compile(r"gemini-(?:3|[4-9])"), "gemini-3"),
)


def normalize_model(model: str) -> str:
    """`anthropic/claude-sonnet-4.6` -> `claude-sonnet-4-6` (lower case, provider dropped;
    Claude version dots become dashes as in Anthropic's model ids)."""
    m = model.strip().lower().rsplit("/", 1)[-1]
    if m.startswith("claude"):
        m = re.sub(r"(\d)\.(\d)", r"\1-\2", m)
    return m


def lookup(model: str | None, overrides: dict[str, ModelPrice] | None = None) -> ModelPrice | None:
    """The row for `model` (longest matching key wins), or None when unknown."""
    if not model:
        return None
    table = dict(PRICES)
    if overrides:
        table.update(overrides)
    m = normalize_model(model)
    best: ModelPrice | None = None
    for key, row in table.items():
        if m == key or m.startswith(key + "-"):
            if best is None or len(key) > len(best.key):
                best = row
    if best is not None:
        return best
    for rx, key in _ALIASES:
        if rx.search(m) and key in table:
            return table[key]
    return None


def load_overrides(path: Path) -> dict[str, ModelPrice]:
    """Rows from a JSON file (keys as in the module docstring); raises ValueError when bad."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot read price table: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected an object of model -> prices")
    out: dict[str, ModelPrice] = {}
    for key, row in data.items():
        if not isinstance(row, dict):
            raise ValueError(f"{path}: {key}: expected an object")
        base = lookup(key) or ModelPrice(normalize_model(key), _guess_provider(key), None, None,
                                         None, None, None, None, 1.0, "user")
        fields: dict[str, Any] = {}
        for name in ("input", "cache_write_5m", "cache_write_1h", "cache_read", "output",
                     "token_factor"):
            if name in row:
                fields[name] = _number(path, key, name, row[name])
        if "min_cacheable" in row:
            fields["min_cacheable"] = int(_number(path, key, "min_cacheable", row["min_cacheable"]))
        if "provider" in row:
            fields["provider"] = str(row["provider"])
        out[normalize_model(key)] = replace(base, key=normalize_model(key), source=f"{path}",
                                            snapshot="user", **fields)
    return out


def _number(path: Path, key: str, name: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
        raise ValueError(f"{path}: {key}.{name} must be a non-negative number")
    return float(v)


def _guess_provider(model: str) -> str:
    m = model.lower()
    if "claude" in m or m.startswith("anthropic"):
        return "anthropic"
    if "gemini" in m or m.startswith("google"):
        return "google"
    return "openai"
