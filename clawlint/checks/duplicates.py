"""DUP rules: near-duplicate cards (DUP001), cards memory_search cannot find by their own topic
(DUP002), and an unusable embedding backend (DUP003)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clawlint.diagnostics import Diagnostic, Severity
from clawlint.knowledge import embeddings as K
from clawlint.registry import Context, rule
from clawlint.retrieval.documents import (
    Unit,
    card_unit,
    chunk_markdown,
    chunk_units,
    indexed_memory_files,
)
from clawlint.retrieval.run import Retrieval, get_retrieval

if TYPE_CHECKING:
    import numpy as np

    from clawlint.workspace import SourceFile, Workspace


# ---- helpers ------------------------------------------------------------------------------
def _num(value: Any, default: float, lo: float | None = None, hi: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        return default
    return float(value)


def _dig(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def _user_severity(ws: Workspace, code: str) -> bool:
    return any(code.startswith(sel.upper()) or sel.upper() == "ALL"
               for sel in ws.settings.severity)


def _card_units(ws: Workspace) -> list[Unit]:
    return list(ws.memo("retrieval.card_units", lambda: _build_card_units(ws)))


def _build_card_units(ws: Workspace) -> list[Unit]:
    from clawlint.workspace import Kind

    units = []
    for f in sorted(ws.of_kind(Kind.CARD), key=lambda f: f.rel):
        if f.readable and not f.is_symlink:
            u = card_unit(f)
            if u is not None and u.text.strip():
                units.append(u)
    return units


# ---- DUP001: near-duplicates --------------------------------------------------------------
@dataclass
class Pair:
    a: Unit
    b: Unit
    score: float


def _scope_units(ws: Workspace, scope: list[str], tokens: int, overlap: int) -> list[Unit]:
    from clawlint.workspace import Kind

    units = _card_units(ws) if "cards" in scope else []
    extra = []
    if "daily" in scope:
        extra += ws.of_kind(Kind.DAILY_LOG)
    if "memory" in scope:
        extra += [f for f in ws.files.values()
                  if f.rel == "MEMORY.md" or f.kind is Kind.MEMORY_OTHER]
    for f in sorted(extra, key=lambda f: f.rel):
        if f.readable and not f.is_symlink:
            units.extend(chunk_units(f, tokens, overlap))
    return units


def find_duplicates(r: Retrieval, units: list[Unit], options: dict[str, Any]
                    ) -> tuple[list[Pair], float, float]:
    """Pairs at or above the warning threshold of whichever backend ran, plus (error, warning)."""
    from clawlint.retrieval.similarity import pairs_above

    pairs: list[tuple[int, int, float]] = []
    mat = r.embed([u.text for u in units], r.profile.dedup_template, "cards") if r.network else None
    err, warn = thresholds(options, r)  # after embed: a failure switches to lexical values
    if mat is not None:
        pairs = pairs_above(mat, warn)
    elif units:
        from clawlint.retrieval.lexical import TfIdf, pairs_above_small

        # Exact TF-IDF cosine over all pairs; small corpora skip numpy (its import alone
        # costs more than they do).
        texts = [u.text for u in units]
        found = pairs_above_small(texts, warn)
        pairs = found if found is not None else TfIdf(texts, pairs_only=True).pairs_above(warn)
    out = [Pair(units[i], units[j], s) for i, j, s in pairs if units[i].rel != units[j].rel]
    return out, err, warn


def thresholds(o: dict[str, Any], r: Retrieval) -> tuple[float, float]:
    """(error, warning) for the backend that is running."""
    if r.network:
        err = _num(o.get("error_threshold"), K.EMBED_ERROR_THRESHOLD, 0, 1)
        warn = _num(o.get("warning_threshold"), K.EMBED_WARNING_THRESHOLD, 0, 1)
        per_model = o.get("model_thresholds")
        if isinstance(per_model, dict):
            base = K.base_model_name(r.model)
            for name, t in per_model.items():
                if isinstance(t, dict) and K.base_model_name(str(name)) == base:
                    err = _num(t.get("error"), err, 0, 1)
                    warn = _num(t.get("warning"), warn, 0, 1)
        return err, min(warn, err)
    err = _num(o.get("lexical_error_threshold"), K.LEXICAL_ERROR_THRESHOLD, 0, 1)
    warn = _num(o.get("lexical_warning_threshold"), K.LEXICAL_WARNING_THRESHOLD, 0, 1)
    return err, min(warn, err)


def _newer_first(p: Pair) -> tuple[Unit, Unit]:
    a, b = p.a, p.b
    # A card duplicated in a log/MEMORY.md chunk: report the chunk (the card is the keeper).
    if a.is_card != b.is_card:
        return (b, a) if a.is_card else (a, b)
    return (a, b) if a.order > b.order else (b, a)


def memory_inputs(ws: Workspace) -> list[SourceFile]:
    """Every file the DUP rules may read, whatever their scope: cards, daily logs, MEMORY.md
    and the other memory files (their cached results outlive edits of anything else)."""
    from clawlint.workspace import Kind

    kinds = (Kind.CARD, Kind.DAILY_LOG, Kind.MEMORY_OTHER)
    return [f for f in ws.files.values() if f.kind in kinds or f.rel == "MEMORY.md"]


def _offline(ctx: Context) -> bool:
    """Results depend only on the files when no embedding server is involved."""
    from clawlint.retrieval.endpoint import resolve_plan

    return not resolve_plan(ctx.ws).network


@rule("DUP001", cache=_offline, inputs=memory_inputs)  # a server: results depend on it
def near_duplicate(ctx: Context) -> Iterator[Diagnostic]:
    ws = ctx.ws
    r = get_retrieval(ws)
    scope = ctx.options.get("scope") or ["cards"]
    scope = [s for s in scope if isinstance(s, str)] if isinstance(scope, list) else ["cards"]
    ms = r.plan.memory_search
    tokens = int(_num(_dig(ms, "chunking", "tokens"), K.CHUNK_TOKENS, 1))
    overlap = int(_num(_dig(ms, "chunking", "overlap"), K.CHUNK_OVERLAP, 0))
    units = _scope_units(ws, scope, tokens, overlap)
    if len(units) < 2:
        return
    pairs, err, _warn = find_duplicates(r, units, ctx.options)
    label = r.label()
    seen: set[tuple[str, int, str, int]] = set()
    for p in sorted(pairs, key=lambda p: -p.score):
        newer, older = _newer_first(p)
        key = (newer.rel, newer.line, older.rel, older.line)
        if key in seen:
            continue
        seen.add(key)
        other = older.rel if older.is_card else f"{older.rel}:{older.line}"
        kind = "Near-duplicate of" if p.score >= err else "Very similar to"
        what = "card" if newer.is_card else "passage"
        f = ws.get(newer.rel)
        if f is None:
            continue
        d = ctx.diag(
            f,
            f"{kind} {other} (similarity {p.score:.2f}, {label}); merge the two into one "
            f"{what} and delete the other",
            line=newer.line, col=1, end_line=newer.end_line,
            end_col=len(f.src.line_text(newer.end_line)) + 1 if f.src.line_count else 1,
            help="memory_search returns both copies and spends result slots on repeats; when "
            "they drift apart the agent gets conflicting facts",
        )
        if not _user_severity(ws, "DUP001"):
            d.severity = Severity.ERROR if p.score >= err else Severity.WARNING
        d.extra = {"other": older.rel, "similarity": round(p.score, 4), "backend": label}
        yield d


# ---- DUP002: self-retrieval audit ---------------------------------------------------------
@dataclass
class SearchParams:
    max_results: int
    min_score: float
    vector_weight: float
    text_weight: float
    pool: int
    hybrid: bool
    tokens: int
    overlap: int


def search_params(ms: dict[str, Any], options: dict[str, Any]) -> SearchParams:
    q = ms.get("query") if isinstance(ms.get("query"), dict) else {}
    h = q.get("hybrid") if isinstance(q.get("hybrid"), dict) else {}
    max_results = int(_num(options.get("max_results"),
                           _num(q.get("maxResults"), K.QUERY_MAX_RESULTS, 1), 1))
    min_score = _num(options.get("min_score"), _num(q.get("minScore"), K.QUERY_MIN_SCORE, 0, 1), 0, 1)
    vw = _num(h.get("vectorWeight"), K.HYBRID_VECTOR_WEIGHT, 0, 1)
    tw = _num(h.get("textWeight"), K.HYBRID_TEXT_WEIGHT, 0, 1)
    total = vw + tw
    vw, tw = (vw / total, tw / total) if total > 0 else (K.HYBRID_VECTOR_WEIGHT, K.HYBRID_TEXT_WEIGHT)
    lo, hi = K.CANDIDATE_MULTIPLIER_RANGE
    mult = int(min(hi, max(lo, _num(h.get("candidateMultiplier"), K.HYBRID_CANDIDATE_MULTIPLIER))))
    return SearchParams(
        max_results, min_score, vw, tw, max_results * mult, h.get("enabled") is not False,
        int(_num(_dig(ms, "chunking", "tokens"), K.CHUNK_TOKENS, 1)),
        int(_num(_dig(ms, "chunking", "overlap"), K.CHUNK_OVERLAP, 0)),
    )


@dataclass
class Hit:
    chunk: int
    score: float


def _rank(pool: list[int], vec_scores: np.ndarray, keyword_order: list[int], p: SearchParams,
          use_text: bool) -> list[Hit]:
    """OpenClaw's hybrid merge for one query (facts §2.6): a vector pool (`pool`, the top
    maxResults x candidateMultiplier chunks by vector score) and a keyword pool of the same
    size; score = vw*vector + tw*text, text = 1.0 per keyword match."""
    merged: dict[int, float] = {}
    vw, tw = (p.vector_weight, p.text_weight) if (p.hybrid and use_text) else (1.0, 0.0)
    for i in pool:
        merged[i] = vw * float(vec_scores[i])
    if p.hybrid and use_text:
        for i in keyword_order[: p.pool]:
            merged[i] = merged.get(i, 0.0) + tw * 1.0
    return sorted((Hit(i, s) for i, s in merged.items()), key=lambda h: (-h.score, h.chunk))


def _pools(scores: np.ndarray, k: int) -> list[list[int]]:
    """Per row of a (queries x chunks) score block: the k best chunk indexes, best first,
    ties by index (same order as similarity.top_k, one argpartition for the whole block)."""
    import numpy as np

    n = scores.shape[1]
    if n == 0 or k <= 0:
        return [[] for _ in range(scores.shape[0])]
    if k < n:
        idx = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    else:
        idx = np.broadcast_to(np.arange(n), scores.shape)
    out = []
    for row, ids in zip(scores, idx, strict=True):
        out.append(ids[np.lexsort((ids, -row[ids]))].tolist())
    return out


QUERY_BLOCK = 64  # queries scored at once (bounds the posting expansion to tens of MB)


def _query_text(u: Unit) -> str:
    return " ".join([u.topic, *u.tags]).strip()


@rule("DUP002", cache=_offline, inputs=memory_inputs)
def hard_to_find(ctx: Context) -> Iterator[Diagnostic]:

    from clawlint.retrieval.lexical import KeywordIndex, fts_tokens

    ws = ctx.ws
    r = get_retrieval(ws)
    p = search_params(r.plan.memory_search, ctx.options)
    cards = [u for u in _card_units(ws) if u.topic]
    if not cards:
        return
    competitors = ctx.options.get("competitors", "all")
    files = indexed_memory_files(ws)
    if competitors == "cards":
        card_rels = {u.rel for u in _card_units(ws)}
        files = [f for f in files if f.rel in card_rels]
    chunk_rel: list[str] = []
    chunk_text: list[str] = []
    for f in files:
        for c in chunk_markdown(f.text or "", p.tokens, p.overlap):
            if c.text.strip():
                chunk_rel.append(f.rel)
                chunk_text.append(c.text)
    if len(chunk_text) <= p.max_results:
        return  # no more chunks than result slots: every card makes the list
    queries = [_query_text(u) for u in cards]
    kw = KeywordIndex(chunk_text, vocabulary={t for q in queries for t in fts_tokens(q)})
    vec: np.ndarray | None = None
    qv: np.ndarray | None = None
    if r.network:
        prof = r.profile
        qv = r.embed(queries, prof.query_template, "queries")
        if qv is not None:
            vec = r.embed(chunk_text, prof.document_template, "chunks")
    lexical = vec is None or qv is None
    scorer = _LexicalScorer(chunk_text) if lexical else None
    label = r.label()
    for qi, u, pool, scores in _scored(cards, queries, scorer, qv, vec, p.pool):
        hits = _rank(pool, scores, kw.search(queries[qi]), p, use_text=True)
        own = [k for k, h in enumerate(hits) if chunk_rel[h.chunk] == u.rel]
        pos = own[0] if own else None
        in_top = pos is not None and pos < p.max_results
        above_min = lexical or (pos is not None and hits[pos].score >= p.min_score)
        if in_top and above_min:
            continue
        f = ws.get(u.rel)
        if f is None:
            continue
        ahead: list[str] = []
        for h in hits[: pos if pos is not None else p.max_results]:
            rel = chunk_rel[h.chunk]
            if rel != u.rel and rel not in ahead:
                ahead.append(rel)
        if not in_top:
            where = (f"ranks it #{pos + 1}" if pos is not None
                     else "does not return it among the top candidates")
            why = f"{where}, outside the top {p.max_results} (query.maxResults)"
        else:
            assert pos is not None
            why = (f"scores it {hits[pos].score:.2f}, below query.minScore {p.min_score:g}, "
                   "so it is dropped")
        shown = ", ".join(ahead[:5]) + (f" and {len(ahead) - 5} more" if len(ahead) > 5 else "")
        d = ctx.diag(
            f,
            f'Hard to find: memory_search for its own topic and tags ("{queries[qi]}") {why}'
            + (f"; outranked by {shown}" if shown else "")
            + f" ({label}). Give the card a more specific topic and tags, or merge it into "
            "the cards that outrank it",
            line=u.line, col=1,
            help="memory_search returns only the top results; a card that does not surface "
            "for its own topic is effectively invisible to the agent",
        )
        d.extra = {"rank": None if pos is None else pos + 1, "outranked_by": ahead,
                   "backend": label}
        yield d


def _scored(cards: list[Unit], queries: list[str], scorer: _LexicalScorer | None,
            qv: np.ndarray | None, vec: np.ndarray | None, pool: int
            ) -> Iterator[tuple[int, Unit, list[int], np.ndarray]]:
    """(query index, card, vector pool, score row) for every query, scored in blocks."""
    for start in range(0, len(cards), QUERY_BLOCK):
        stop = min(len(cards), start + QUERY_BLOCK)
        if scorer is not None:
            block = scorer.scores(queries[start:stop])
        else:
            assert qv is not None and vec is not None
            block = qv[start:stop] @ vec.T
        for off, top in enumerate(_pools(block, pool)):
            yield start + off, cards[start + off], top, block[off]


class _LexicalScorer:
    """Exact TF-IDF cosine of queries against every chunk: CSC postings of the chunk matrix,
    a block of queries expanded over them and summed with one bincount."""

    def __init__(self, chunks: list[str]) -> None:
        import numpy as np

        from clawlint.retrieval.lexical import TfIdf

        self.tf = tf = TfIdf(chunks)
        order = np.argsort(tf.indices, kind="stable")
        self.col_rows = tf.row_of[order]
        self.col_w = tf.data[order]
        self.colptr = np.concatenate(
            [[0], np.cumsum(np.bincount(tf.indices, minlength=tf.F))]).astype(np.int64)
        self.n = len(chunks)

    def scores(self, queries: list[str]) -> np.ndarray:
        import numpy as np

        owner: list[int] = []
        fids: list[int] = []
        wts: list[float] = []
        for q, text in enumerate(queries):
            f, w = self.tf.transform_ids(text)
            owner.extend([q] * len(f))
            fids.extend(f)
            wts.extend(w)
        n, b = self.n, len(queries)
        if not fids:
            return np.zeros((b, n), dtype=np.float64)
        fa = np.asarray(fids, dtype=np.int64)
        starts = self.colptr[fa]
        lens = self.colptr[fa + 1] - starts
        total = int(lens.sum())
        at = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)
        flat = np.repeat(np.asarray(owner, dtype=np.int64), lens) * n + self.col_rows[at]
        weights = np.repeat(np.asarray(wts, dtype=np.float64), lens) * self.col_w[at]
        return np.bincount(flat, weights=weights, minlength=b * n).reshape(b, n)


# ---- DUP003: backend unavailable ----------------------------------------------------------
@rule("DUP003", cache=_offline, inputs=memory_inputs)
def backend_unavailable(ctx: Context) -> Iterator[Diagnostic]:
    ws = ctx.ws
    r = get_retrieval(ws)
    if r.plan.network and r.failure is None and not r._ready and r.backend is not None:
        # DUP001/DUP002 did not run (not selected): check the server and model on our own.
        units = _card_units(ws)
        if units:
            r.embed([u.text for u in units], r.profile.dedup_template, "cards")
    err = r.failure
    if err is None:
        return
    where = r.plan.where
    rel, line, col = where if where else (_fallback_path(ws), 1, 1)
    hint = f"; {err.hint}" if err.hint else ""
    d = ctx.diag(
        rel,
        f"Embedding backend unavailable: {err.message}{hint}. Duplicate and retrieval checks "
        "used the built-in lexical backend instead",
        line=line, col=col,
        help=f"backend {r.plan.kind} ({r.plan.reason}); run with --embeddings lexical to skip "
        "the server, or fix the endpoint and model",
    )
    d.extra = {"kind": err.kind, "backend": r.plan.kind, "model": r.plan.model,
               "base_url": r.plan.base_url}
    # Only fail the run when the user asked for this backend; a configured-but-stopped
    # Ollama on a CI runner or in a pre-commit hook must not turn every run red.
    requested = (getattr(ws.settings, "embeddings", "auto") or "auto").lower() != "auto"
    if not requested and not _user_severity(ws, "DUP003"):
        d.severity = Severity.INFO
    yield d


def _fallback_path(ws: Workspace) -> str:
    cfg = None
    try:
        cfg = ws.openclaw
    except Exception:
        cfg = None
    rel = getattr(cfg, "rel", None)
    if rel:
        return rel
    for name in ("openclaw.json", "openclaw.json5", "MEMORY.md", "AGENTS.md"):
        if ws.get(name) is not None:
            return name
    cards = sorted(f.rel for f in ws.files.values())
    return cards[0] if cards else "openclaw.json"
