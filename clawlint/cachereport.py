"""The `clawlint cache` report: the assembled prefix in prompt order with sizes, tokens and cost.

Token counts are cl100k_base (clawlint/tokens.py); for the selected model they are scaled by
the model's correction factor, which the report always shows. Only the workspace-controlled
part of the prefix is measured (skills block, Project Context); OpenClaw's fixed sections and
tool schemas add to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clawlint import prefix as P
from clawlint import tokens as T
from clawlint.churn import Churn, FirstDiff
from clawlint.knowledge.pricing import SNAPSHOT, ModelPrice


@dataclass
class CostParams:
    model: str
    price: ModelPrice | None
    factor: float
    retention: str = "short"  # "short" | "long" | "none"
    turns: int = 50
    edit_at: int = 25
    turn_tokens: int = 1500  # conversation tokens added per turn (cached behind the prefix)


def _usd(tokens: float, per_mtok: float | None) -> float | None:
    return None if per_mtok is None else round(tokens * per_mtok / 1_000_000, 6)


def costs(prefix_tokens: int, cp: CostParams) -> dict[str, Any]:
    """Per-turn prefix cost cached vs uncached, and the cost of one prefix edit mid-session."""
    p = cp.price
    toks = T.corrected(prefix_tokens, cp.factor)
    out: dict[str, Any] = {"prefix_tokens_model": toks, "retention": cp.retention}
    if p is None:
        out["priced"] = False
        return out
    out["min_cacheable"] = p.min_cacheable
    out["reaches_minimum"] = None if p.min_cacheable is None else toks >= p.min_cacheable
    if not p.priced or cp.retention == "none":
        out["priced"] = p.priced
        if p.priced:
            out["per_turn_uncached"] = _usd(toks, p.input)
        return out
    write = p.write_price(cp.retention)
    read = p.cache_read
    assert read is not None
    out.update(priced=True,
               per_turn_cached=_usd(toks, read),
               per_turn_cache_write=_usd(toks, write),
               per_turn_uncached=_usd(toks, p.input))
    t = max(1, min(cp.edit_at, cp.turns))
    # An edit above the boundary invalidates the prefix and every cached turn behind it.
    invalidated = toks + (t - 1) * T.corrected(cp.turn_tokens, 1.0)
    delta = (write or 0.0) - read
    out["edit"] = {
        "turn": t,
        "turns": cp.turns,
        "turn_tokens": cp.turn_tokens,
        "tokens_rewritten": invalidated,
        "extra_cost": _usd(invalidated, delta),
    }
    out["session"] = {
        "stable_prefix_cost": _usd(toks, write) + _usd(toks * (cp.turns - 1), read),  # type: ignore[operator]
        "edit_every_turn_extra": _usd(
            sum(toks + (k - 1) * cp.turn_tokens for k in range(2, cp.turns + 1)), delta),
    }
    return out


def report(res: P.PrefixResult, cp: CostParams, workspace: str,
           churn: Churn | None = None) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    stable_tokens = T.count(res.stable_text)
    total_tokens = T.count(res.text)
    for i, seg in enumerate(res.segments, start=1):
        text = res.text[seg.start : seg.end]
        v = seg.verdict
        row: dict[str, Any] = {
            "index": i,
            "label": seg.label,
            "kind": seg.kind,
            "tokens": T.count(text) if seg.kind != "boundary" else 0,
            "chars": len(text),
            "raw_chars": v.raw_chars if v else None,
            "injected_chars": v.injected_chars if v else (None if seg.kind == "boundary" else len(text)),
            "status": v.status if v else None,
            "cut_chars": (v.raw_chars - v._kept_units) if v and v.status == "truncated" else 0,
            "below_boundary": seg.start >= res.boundary,
        }
        if seg.kind == "boundary":
            row["tokens_before"] = stable_tokens
        rows.append(row)
    for r in rows:
        r["share"] = round(r["tokens"] / stable_tokens, 4) if stable_tokens and not r["below_boundary"] else 0.0
    not_injected = [
        {"label": v.rel, "status": v.status, "raw_chars": v.raw_chars, "causes": list(v.causes)}
        for v in res.files if v.status in ("dropped", "empty")
    ]
    data: dict[str, Any] = {
        "workspace": workspace,
        "era": res.profile.era,
        "profile": res.profile.label,
        "session": res.session,
        "caps": {"max_chars": res.max_chars, "total_max_chars": res.total_max_chars,
                 "user_max_chars": res.profile.user_max_chars,
                 "truncation": res.profile.algorithm},
        "rows": rows,
        "not_injected": not_injected,
        "excluded": [{"label": r, "reason": why} for r, why in res.excluded],
        "boundary": {"offset_chars": res.boundary, "tokens_before": stable_tokens},
        "total": {
            "raw_chars": sum(v.raw_chars for v in res.files if not v.below_boundary),
            "injected_chars": sum(v.injected_chars for v in res.files if not v.below_boundary),
            "prefix_chars": len(res.stable_text),
            "prefix_tokens": stable_tokens,
            "all_tokens": total_tokens,
        },
        "tokenizer": {"encoding": T.ENCODING_NAME, "factor": cp.factor, "model": cp.model},
        "model": _model_info(cp),
        "cost": costs(stable_tokens, cp),
        "warnings": res.warnings,
    }
    if churn is not None:
        per_inv = data["cost"].get("per_turn_cache_write"), data["cost"].get("per_turn_cached")
        cost_day = None
        if per_inv[0] is not None and per_inv[1] is not None:
            cost_day = round(churn.per_day * (per_inv[0] - per_inv[1]), 6)
        data["churn"] = {
            "days": churn.days,
            "commits": churn.commits_scanned,
            "invalidations": len(churn.invalidations),
            "per_day": round(churn.per_day, 4),
            "min_cost_per_day": cost_day,
            "top": [{"file": f, "changes": n} for f, n in churn.top()],
            "events": churn.invalidations,
        }
    return data


def _model_info(cp: CostParams) -> dict[str, Any]:
    p = cp.price
    if p is None:
        return {"id": cp.model, "known": False}
    return {"id": cp.model, "known": True, "row": p.key, "provider": p.provider, "input": p.input,
            "cache_write_5m": p.cache_write_5m, "cache_write_1h": p.cache_write_1h,
            "cache_read": p.cache_read, "output": p.output, "min_cacheable": p.min_cacheable,
            "snapshot": p.snapshot, "source": p.source}


def _n(x: Any) -> str:
    return f"{x:,}" if isinstance(x, int) else ("-" if x is None else str(x))


def _money(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"${x:,.4f}" if x < 1 else f"${x:,.2f}"


def render_text(d: dict[str, Any]) -> str:
    out: list[str] = []
    caps = d["caps"]
    user = f", USER.md {caps['user_max_chars']:,}" if caps["user_max_chars"] else ""
    out.append(f"Prompt-cache prefix of {d['workspace']}")
    out.append(f"  {d['profile']} ({d['session']} session); caps {caps['max_chars']:,} chars per "
               f"file{user}, {caps['total_max_chars']:,} total")
    out.append("")
    hdr = f"{'#':>3}  {'part':<28} {'raw':>8} {'injected':>9} {'tokens':>8} {'share':>6}  status"
    out.append(hdr)
    out.append("-" * len(hdr))
    shown = 0
    for r in d["rows"]:
        if r["kind"] == "boundary":
            out.append(f"{'':>3}  -- cache boundary -- {r['tokens_before']:,} tokens above "
                       "(cached prefix); below changes freely")
            continue
        label = r["label"] if r["kind"] == "file" else f"({r['label']})"
        status = r["status"] or ""
        if status == "truncated":
            status = f"TRUNCATED (-{r['cut_chars']:,})"
        elif status == "missing":
            status = "MISSING marker"
        share = f"{r['share'] * 100:.1f}%" if not r["below_boundary"] else "-"
        shown += 1
        out.append(f"{shown:>3}  {label[:28]:<28} {_n(r['raw_chars']):>8} "
                   f"{_n(r['injected_chars']):>9} {r['tokens']:>8,} {share:>6}  {status}")
    for r in d["not_injected"]:
        out.append(f"{'':>3}  {r['label'][:28]:<28} {_n(r['raw_chars']):>8} {'0':>9} {'0':>8} "
                   f"{'-':>6}  DROPPED (total budget)")
    t = d["total"]
    out.append("-" * len(hdr))
    out.append(f"{'':>3}  {'total (above boundary)':<28} {t['raw_chars']:>8,} {t['injected_chars']:>9,} "
               f"{t['prefix_tokens']:>8,}")
    out.append("     (the total is the assembled prefix tokenized as one text; parts are tokenized "
               "alone, so they can add up to a few more)")
    for e in d["excluded"]:
        out.append(f"     not injected: {e['label']} ({e['reason']})")
    tk = d["tokenizer"]
    c = d["cost"]
    m = d["model"]
    out.append("")
    out.append(f"Tokens: {tk['encoding']} (tiktoken, offline); {m['id']} estimate = x{tk['factor']:.2f} "
               f"= {c['prefix_tokens_model']:,} tokens")
    if not m.get("known"):
        out.append(f"Model {m['id']}: not in the price table (snapshot {SNAPSHOT}); pass --prices")
    else:
        out.append(f"Model {m['id']} -> {m['row']} (prices/minimums snapshot {m['snapshot']}; "
                   f"{m['source']})")
        if c.get("min_cacheable") is not None:
            ok = "reaches" if c["reaches_minimum"] else "does NOT reach"
            out.append(f"  minimum cacheable prefix {c['min_cacheable']:,} tokens: the workspace "
                       f"part {ok} it (OpenClaw's own sections and tool schemas add more)")
        if c.get("priced"):
            out.append(f"  prefix cost per turn: cached {_money(c.get('per_turn_cached'))}, "
                       f"cache write ({c['retention']}) {_money(c.get('per_turn_cache_write'))}, "
                       f"uncached {_money(c.get('per_turn_uncached'))}")
            e = c.get("edit")
            if e:
                out.append(f"  one prefix edit at turn {e['turn']} of {e['turns']} re-writes "
                           f"{e['tokens_rewritten']:,} tokens (prefix + {e['turn_tokens']:,} "
                           f"history tokens/turn): +{_money(e['extra_cost'])}")
                s = c["session"]
                out.append(f"  {e['turns']}-turn session: stable prefix {_money(s['stable_prefix_cost'])}; "
                           f"an edit on every turn adds {_money(s['edit_every_turn_extra'])}")
    ch = d.get("churn")
    if ch is not None:
        out.append("")
        out.append(f"Churn (git, last {ch['days']} days): {ch['invalidations']} of {ch['commits']} "
                   f"commits changed the cached prefix = {ch['per_day']:.2f} invalidations/day"
                   + (f", at least {_money(ch['min_cost_per_day'])}/day" if ch["min_cost_per_day"]
                      is not None else ""))
        if ch["top"]:
            out.append("  top churners: " + ", ".join(f"{t['file']} ({t['changes']})" for t in ch["top"]))
    for w in d["warnings"]:
        out.append(f"OpenClaw would log: {w}")
    return "\n".join(out) + "\n"


def diff_report(a: P.PrefixResult, b: P.PrefixResult, fd: FirstDiff, cp: CostParams,
                label_a: str, label_b: str) -> dict[str, Any]:
    tb = T.count(b.stable_text)
    data: dict[str, Any] = {"a": label_a, "b": label_b, "identical": fd.offset is None,
                            "prefix_tokens_a": T.count(a.stable_text), "prefix_tokens_b": tb,
                            "tokenizer": {"encoding": T.ENCODING_NAME, "factor": cp.factor,
                                          "model": cp.model}}
    if fd.offset is None:
        data.update(tokens_invalidated=0, cost=0.0)
        return data
    offsets = T.token_offsets(b.text)
    idx = 0
    for k, off in enumerate(offsets):
        if off <= fd.offset:
            idx = k
        else:
            break
    invalid = max(0, tb - idx) if fd.above_boundary else 0
    p = cp.price
    cost = None
    if p is not None and p.priced:
        write = p.write_price(cp.retention) or 0.0
        cost = _usd(T.corrected(invalid, cp.factor), write - (p.cache_read or 0.0))
    data.update(first_difference={"file": fd.label, "line": fd.line, "char_offset": fd.offset,
                                  "token_index": idx, "above_boundary": fd.above_boundary},
                tokens_invalidated=invalid,
                tokens_invalidated_model=T.corrected(invalid, cp.factor), cost=cost)
    return data


def render_diff_text(d: dict[str, Any]) -> str:
    if d["identical"]:
        return (f"{d['a']} and {d['b']} assemble the same prefix "
                f"({d['prefix_tokens_a']:,} tokens): no cache invalidation.\n")
    f = d["first_difference"]
    where = "above" if f["above_boundary"] else "below"
    lines = [
        f"Prefix {d['a']} -> {d['b']}: first difference in {f['file']} line {f['line']} "
        f"(char {f['char_offset']:,}, token {f['token_index']:,}, {where} the cache boundary)",
        f"  tokens invalidated: {d['tokens_invalidated']:,} cl100k "
        f"(x{d['tokenizer']['factor']:.2f} = {d.get('tokens_invalidated_model', 0):,} for "
        f"{d['tokenizer']['model']}); prefix {d['prefix_tokens_a']:,} -> {d['prefix_tokens_b']:,} tokens",
        f"  cost of the first turn after the change: +{_money(d['cost'])} per live session",
    ]
    return "\n".join(lines) + "\n"
