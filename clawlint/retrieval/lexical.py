"""The built-in lexical backend: TF-IDF cosine over word unigrams and bigrams (no server).

The corpus is tokenised once in Python (one vocabulary lookup per word, into a compact int32
array); counting, idf and normalisation run in numpy over batches of documents, giving CSR rows
(`indptr`, `indices`, `data`). All pairs above a cosine threshold come from an exact prefix
filter (All-Pairs/PPJoin for L2-normalised non-negative vectors): only the rare head of each
row is indexed, candidate pairs are pruned with positional and prefix bounds, and survivors are
verified with the exact sparse cosine, so no pair is missed and every similarity is exact.
"""

from __future__ import annotations

import math
import re
import zlib
from array import array
from collections import Counter, defaultdict
from functools import cached_property
from itertools import count
from typing import TYPE_CHECKING

from clawlint.knowledge import embeddings as K

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# ASCII fast path of _WORD: letters and digits lower-cased, everything else a separator.
_ASCII_WORDS = str.maketrans({c: (chr(c).lower() if chr(c).isalnum() else " ")
                              for c in range(128)})
_FTS_TOKEN = re.compile(K.FTS_TOKEN_PATTERN, re.UNICODE)
_FTS_WORD = re.compile(r"[^\W_]+")  # the tokens _FTS_TOKEN keeps (its `_+` runs are dropped)
# Markdown/YAML punctuation is dropped by the word regex; these tokens carry no content.
_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were will with".split()
)
HASH_DIMS = 512  # width of the fallback candidate projection (10,000 cards: 20 MB float32)
CANDIDATE_BLOCK = 512  # rows per fallback matmul block (512 x 10,000 float32 = 20 MB)
_VERIFY_BATCH = 20_000  # candidate pairs verified per numpy batch
_BATCH_TOKENS = 1 << 17  # tokens counted per numpy batch while fitting (bounds temporaries)
_PREFIX_ROWS = 1024  # rows per block when splitting rows into prefix and suffix
_JOIN_CHUNK = 1 << 18  # (pair, feature) tuples expanded at once by the prefix join
_MASS_SLACK = 1e-9  # squared-mass margin: prefixes err on the long side
_BOUND_SLACK = 1e-5  # margin on cosine upper bounds (sqrt of rounding errors near zero)
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing multiplier


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")


def _cjk_split(word: str) -> list[str]:
    """Chinese, Japanese and Korean are written without spaces, so a `\\w+` run is a whole
    sentence; overlapping character bigrams are the usual retrieval unit for them."""
    out: list[str] = []
    pos = 0
    for m in _CJK.finditer(word):
        if m.start() > pos:
            out.append(word[pos : m.start()])
        run = m.group(0)
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        pos = m.end()
    if pos < len(word):
        out.append(word[pos:])
    return out


def words(text: str) -> list[str]:
    if text.isascii():  # lower-casing first is the same for ASCII and much cheaper
        if "'" not in text:  # no apostrophe joins: a translate + split is the same as _WORD
            return text.translate(_ASCII_WORDS).split()
        return _WORD.findall(text.lower())
    found = [w.lower() for w in _WORD.findall(text)]
    if not _CJK.search(text):
        return found
    out: list[str] = []
    for w in found:
        out.extend(_cjk_split(w) if _CJK.search(w) else [w])
    return out


def features(text: str) -> Counter[str]:
    """Unigrams (minus stop words) and bigrams (of all words, so word order counts)."""
    ws = words(text)
    feats: Counter[str] = Counter(w for w in ws if w not in _STOP)
    feats.update(f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False))
    return feats


def _unique(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values. Same result as np.unique(x), but always by sorting: numpy 2.x's
    hash-based np.unique for plain calls was ~50x slower on millions of int64 keys here."""
    import numpy as np

    if x.size == 0:
        return x
    s = np.sort(x, kind="stable")
    keep = np.empty(s.size, dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


# Below this many characters of text, pairs_above_small() runs in pure Python: importing numpy
# alone (~0.1 s) costs more than the whole computation (benchmarks/lexical_crossover.py: ~25 ms
# for 40 cards, ~80 ms for 200, against 0.12-0.17 s for numpy's import and index).
SMALL_CORPUS_CHARS = 250_000
SMALL_CANDIDATE_BUDGET = 20_000  # more candidate pairs than this: numpy verifies them faster
# Postings walked to find candidates, and vector entries read to verify them: beyond this
# many (~50 ms; e.g. a hundred near-identical long cards) numpy's import pays for itself.
# Realistic corpora stay far below it (the benchmark's 400 cards among them).
SMALL_VERIFY_BUDGET = 150_000


def pairs_above_small(corpus: list[str], threshold: float) -> list[tuple[int, int, float]] | None:
    """`TfIdf(corpus, pairs_only=True).pairs_above(threshold)` in pure Python, for small
    corpora; None when the corpus, its candidate set or the work to verify it is too big for
    that to pay.

    Same features, weights and summation order as TfIdf (features by key, word ids in
    first-seen order), so the similarities are the same floats up to the last bit of `log`.
    Candidates come from the same prefix filter (rarest features first, prefix until the
    remaining squared mass drops below t^2), then every candidate gets the exact cosine."""
    if threshold <= 0 or sum(map(len, corpus)) > SMALL_CORPUS_CHARS:
        return None
    n = len(corpus)
    if n < 2:
        return []
    ids: defaultdict[str, int] = defaultdict(count().__next__)  # first-seen order, as TfIdf
    lookup = ids.__getitem__
    docs = [list(map(lookup, words(text))) for text in corpus]
    V = max(1, len(ids))
    stop = {ids[w] for w in _STOP if w in ids}
    rows: list[Counter[int]] = []
    df: Counter[int] = Counter()
    for t in docs:
        c = Counter(i for i in t if i not in stop)
        c.update(V + a * V + b for a, b in zip(t, t[1:], strict=False))
        rows.append(c)
        df.update(c.keys())
    log, sqrt = math.log, math.sqrt
    vecs: list[dict[int, float]] = []
    for c in rows:
        keys = sorted(c)
        w = [(1.0 + log(c[k])) * (log((1.0 + n) / (1.0 + df[k])) + 1.0) for k in keys]
        sq = 0.0
        for x in w:  # in key order, as numpy's bincount sums them
            sq += x * x
        norm = sqrt(sq) or 1.0
        # pairs_only: a feature of one document never adds to a dot product.
        vecs.append({k: x / norm for k, x in zip(keys, w, strict=True) if df[k] >= 2})
    t2 = threshold * threshold - _MASS_SLACK
    index: dict[int, list[int]] = {}
    cand: set[tuple[int, int]] = set()
    joined = 0  # postings walked: near-identical texts share every prefix feature
    for i, v in enumerate(vecs):
        rem = 0.0
        for x in v.values():
            rem += x * x
        for k in sorted(v, key=lambda k: (df[k], k)):  # rarest first
            if rem < t2:
                break
            seen = index.setdefault(k, [])
            joined += len(seen)
            if joined > SMALL_VERIFY_BUDGET:
                return None
            cand.update((j, i) for j in seen)
            seen.append(i)
            rem -= v[k] * v[k]
        if len(cand) > SMALL_CANDIDATE_BUDGET:
            return None
    if sum(len(vecs[i]) + len(vecs[j]) for i, j in cand) > SMALL_VERIFY_BUDGET:
        return None
    out: list[tuple[int, int, float]] = []
    for i, j in sorted(cand):
        a, b = vecs[i], vecs[j]
        s = 0.0
        for k in sorted(b.keys() & a.keys()):  # key order, as _sparse_dots
            s += a[k] * b[k]
        if s >= threshold:
            out.append((i, j, s))
    return out


class TfIdf:
    """TF-IDF fitted on one corpus: sublinear tf, smooth idf, L2-normalised sparse vectors.

    Feature ids index `self.keys` (sorted int64): a unigram of word id w is `w`, a bigram
    (a, b) is `V + a*V + b` with V the vocabulary size. Row i of the corpus is
    `indices[indptr[i]:indptr[i+1]]` (sorted int32 feature ids) with weights `data[...]`."""

    label = "lexical (TF-IDF cosine over words and word pairs)"

    def __init__(self, corpus: list[str], *, pairs_only: bool = False) -> None:
        """`pairs_only`: keep only features that occur in two or more documents once the rows
        are normalised. A feature in one document never adds to a dot product between two
        of them, so pair similarities are unchanged, and most word pairs are such singletons
        (at 10,000 cards this drops ~70% of the entries). Not for scoring outside queries."""
        import numpy as np

        self.n = n = len(corpus)
        ids: defaultdict[str, int] = defaultdict(count().__next__)  # first-seen order
        lookup = ids.__getitem__
        tok = array("i")  # 4 bytes per token instead of a list of Python ints
        lens = array("q")
        for text in corpus:
            ws = words(text)
            tok.extend(map(lookup, ws))
            lens.append(len(ws))
        ids.default_factory = None  # a plain mapping from here on
        self.vocab: dict[str, int] = ids
        self.V = V = max(1, len(ids))
        stop = np.zeros(V, dtype=bool)
        stop[[ids[w] for w in _STOP if w in ids]] = True
        tokens = np.frombuffer(tok, dtype=np.int32) if len(tok) else np.zeros(0, np.int32)
        doc_lens = np.frombuffer(lens, dtype=np.int64) if n else np.zeros(0, np.int64)
        tok_end = np.cumsum(doc_lens)
        span = V + V * V  # keys are < span; (doc, key) pairs are packed as doc*span + key
        max_docs = max(1, (2**63 - 1) // span)

        # Per batch of documents: distinct (doc, key) pairs with counts, keys stored as local
        # indexes into the batch's own sorted key list (int32) until the global list is known.
        row_nnz = np.zeros(n, dtype=np.int64)
        batches: list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]] = []
        d0 = 0
        while d0 < n:
            t0 = int(tok_end[d0 - 1]) if d0 else 0
            d1 = int(np.searchsorted(tok_end, t0 + _BATCH_TOKENS, side="right"))
            d1 = min(n, max(d0 + 1, d1), d0 + max_docs)
            t1 = int(tok_end[d1 - 1])
            t = tokens[t0:t1].astype(np.int64)
            doc = np.repeat(np.arange(d1 - d0, dtype=np.int64), doc_lens[d0:d1])
            keep = ~stop[t]
            same = doc[:-1] == doc[1:]  # bigrams never span two documents
            packed = np.concatenate([doc[keep] * span + t[keep],
                                     doc[:-1][same] * span + (V + t[:-1][same] * V + t[1:][same])])
            del t, doc, keep, same
            pair, cnt = np.unique(packed, return_counts=True)  # sorted by (doc, key)
            del packed
            dloc = pair // span
            row_nnz[d0:d1] = np.bincount(dloc, minlength=d1 - d0)
            kb, loc = np.unique(pair - dloc * span, return_inverse=True)
            del pair, dloc
            # Counts are almost always small: store them narrow (converted back before log).
            top = int(cnt.max(initial=0))
            small = np.uint8 if top < 256 else (np.uint16 if top < 65536 else np.int64)
            batches.append((d0, d1, kb, loc.ravel().astype(np.int32), cnt.astype(small)))
            d0 = d1
        del tokens, tok, lens
        self.keys = keys = (_unique(np.concatenate([b[2] for b in batches]))
                            if batches else np.zeros(0, dtype=np.int64))
        self.F = F = max(1, len(keys))
        self.indptr = indptr = np.concatenate([[0], np.cumsum(row_nnz)]).astype(np.int64)
        nnz = int(indptr[-1])
        self.indices = indices = np.empty(nnz, dtype=np.int32)
        counts: list[tuple[int, int, np.ndarray]] = []
        batches.reverse()
        while batches:  # pop: each batch's local ids are freed once mapped
            d0, d1, kb, loc, cnt = batches.pop()
            indices[indptr[d0]:indptr[d1]] = np.searchsorted(keys, kb).astype(np.int32)[loc]
            counts.append((d0, d1, cnt))
            del kb, loc
        df = np.bincount(indices, minlength=F)
        self.df_array = df
        self.idf_array = idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self._idf_unseen = math.log(1 + n) + 1.0
        self.data = data = np.empty(nnz, dtype=np.float64)
        counts.reverse()
        while counts:  # pop: each batch's counts are freed once weighed
            d0, d1, cnt = counts.pop()
            lo, hi = int(indptr[d0]), int(indptr[d1])
            w = (1.0 + np.log(cnt.astype(np.float64))) * idf[indices[lo:hi]]
            d = np.repeat(np.arange(d1 - d0, dtype=np.int64), row_nnz[d0:d1])
            norm = np.sqrt(np.bincount(d, weights=w * w, minlength=d1 - d0))
            norm[norm == 0] = 1.0
            w /= norm[d]
            data[lo:hi] = w
        if pairs_only and nnz:
            keep = df[indices] >= 2
            if not keep.all():
                rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
                counts_kept = np.bincount(rows[keep], minlength=n)
                del rows
                self.indptr = np.concatenate([[0], np.cumsum(counts_kept)]).astype(np.int64)
                self.indices = indices[keep]
                self.data = data[keep]

    @cached_property
    def row_of(self) -> np.ndarray:
        """Row of every stored entry (int64), built on demand."""
        import numpy as np

        return np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr))

    # ---- string view (tests, small corpora) ----------------------------------------------
    @cached_property
    def _words(self) -> list[str]:
        out = [""] * len(self.vocab)
        for w, i in self.vocab.items():
            out[i] = w
        return out

    def name(self, fid: int) -> str:
        key = int(self.keys[fid])
        if key < self.V:
            return self._words[key]
        a, b = divmod(key - self.V, self.V)
        return f"{self._words[a]} {self._words[b]}"

    @cached_property
    def _idf(self) -> dict[str, float]:
        return {self.name(i): float(v) for i, v in enumerate(self.idf_array.tolist())}

    @property
    def df(self) -> Counter[str]:
        return Counter({self.name(i): int(v) for i, v in enumerate(self.df_array.tolist())})

    @cached_property
    def vectors(self) -> list[dict[str, float]]:
        names = [self.name(i) for i in range(len(self.keys))]
        ind, dat, ptr = self.indices.tolist(), self.data.tolist(), self.indptr.tolist()
        return [{names[ind[k]]: dat[k] for k in range(ptr[i], ptr[i + 1])} for i in range(self.n)]

    def idf(self, feat: str) -> float:
        return self._idf.get(feat, self._idf_unseen)

    def weigh(self, feats: Counter[str]) -> dict[str, float]:
        idf, unseen, log = self._idf, self._idf_unseen, math.log
        vec = {k: (1.0 + log(c)) * idf.get(k, unseen) for k, c in feats.items() if c > 0}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {k: v / norm for k, v in vec.items()} if norm > 0 else {}

    def transform(self, text: str) -> dict[str, float]:
        return self.weigh(features(text))

    # ---- id view (fast paths) ------------------------------------------------------------
    def transform_ids(self, text: str) -> tuple[list[int], list[float]]:
        """Feature ids and weights of `text` against this corpus (no strings built). Features
        the corpus never saw count towards the norm (as in `transform`) but match nothing."""
        import numpy as np

        vocab, V = self.vocab, self.V
        ws = words(text)
        ids = [vocab.get(w, -1) for w in ws]
        feats: Counter[int] = Counter()
        unseen: Counter[tuple[str, ...]] = Counter()
        for w, i in zip(ws, ids, strict=True):
            if w in _STOP:
                continue
            if i < 0:
                unseen[(w,)] += 1
            else:
                feats[i] += 1
        for k in range(len(ws) - 1):
            a, b = ids[k], ids[k + 1]
            if a < 0 or b < 0:
                unseen[(ws[k], ws[k + 1])] += 1
            else:
                feats[V + a * V + b] += 1
        keys = np.asarray(list(feats), dtype=np.int64)
        pos = np.searchsorted(self.keys, keys).tolist() if len(keys) else []
        nk = len(self.keys)
        log = math.log
        fids: list[int] = []
        wts: list[float] = []
        sq = 0.0
        for p, key, c in zip(pos, feats, feats.values(), strict=True):
            if p < nk and int(self.keys[p]) == key:
                fids.append(p)
                wts.append((1.0 + log(c)) * float(self.idf_array[p]))
            else:  # e.g. a bigram of two known words that the corpus never has in a row
                sq += ((1.0 + log(c)) * self._idf_unseen) ** 2
        sq += sum(v * v for v in wts)
        sq += sum(((1.0 + log(c)) * self._idf_unseen) ** 2 for c in unseen.values())
        norm = math.sqrt(sq)
        return (fids, [v / norm for v in wts]) if norm > 0 else ([], [])

    def rows(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Concatenated CSR rows `idx`: (position in idx, feature id, weight)."""
        return _gather(self.indptr, self.indices, self.data, idx)

    def cosines(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Exact cosine of each pair (i[k], j[k]), vectorised in batches."""
        return _sparse_dots(self.indptr, self.indices, self.data, self.F, i, j)

    def projection(self, dims: int = HASH_DIMS) -> np.ndarray:
        """Unsigned feature hashing into `dims` columns (float32). Weights are >= 0, so the
        dot product of two rows is >= their exact cosine: a safe filter, never a miss."""
        import numpy as np

        bits = max(1, int(dims - 1).bit_length())
        dims = 1 << bits
        with np.errstate(over="ignore"):
            h = (self.keys.astype(np.uint64) * np.uint64(_GOLDEN)) >> np.uint64(64 - bits)
        col = h.astype(np.int64)[self.indices]
        out = np.zeros((self.n, dims), dtype=np.float32)
        step = max(1, (1 << 21) // dims)  # rows per bincount slab (16 MB of float64)
        for s in range(0, self.n, step):
            e = min(self.n, s + step)
            lo, hi = int(self.indptr[s]), int(self.indptr[e])
            local = np.repeat(np.arange(e - s, dtype=np.int64), np.diff(self.indptr[s:e + 1]))
            flat = local * dims + col[lo:hi]
            slab = np.bincount(flat, weights=self.data[lo:hi], minlength=(e - s) * dims)
            out[s:e] = slab.reshape(e - s, dims)
        return out

    def pairs_above(self, threshold: float, dims: int = HASH_DIMS, block: int = CANDIDATE_BLOCK,
                    budget: int | None = None) -> list[tuple[int, int, float]]:
        """All (i, j, exact cosine) with i < j and cosine >= threshold, ordered by (i, j).

        Candidates come from the prefix filter; when a very low threshold on a repetitive
        corpus would make its join larger than `budget` tuples, from the hashed projection
        (time and memory independent of the threshold). Both are exact supersets."""
        import numpy as np

        n = self.n
        if n < 2:
            return []
        if threshold <= 0:  # every pair qualifies, even those with no word in common
            ci, cj = (a.astype(np.int64) for a in np.triu_indices(n, 1))
        else:
            found = self.prefix_candidates(threshold, budget)
            if found is None:
                ci, cj = candidate_pairs(self.projection(dims), threshold, block)
            else:
                ci, cj = found
        if not len(ci):
            return []
        sims = self.cosines(ci, cj)
        keep = sims >= threshold
        return list(zip(ci[keep].tolist(), cj[keep].tolist(), sims[keep].tolist(), strict=True))

    def prefix_candidates(self, threshold: float, budget: int | None = None
                          ) -> tuple[np.ndarray, np.ndarray] | None:
        """(i, j) with i < j, sorted, that may reach cosine >= threshold (> 0): a superset of
        the true pairs. None when the join would expand more than `budget` tuples.

        Features are ranked rarest first. A row's prefix is its shortest head (in that order)
        whose remaining tail has squared mass < t^2; two unit vectors with non-negative
        weights sharing no prefix feature have cosine < t (Cauchy-Schwarz on the tail of the
        one whose tail starts first). Within the inverted index of prefix features, a pair is
        generated only at a feature f where mass(>= f) of both rows multiplies to >= t^2
        (true at their rarest shared feature if cosine >= t), and it survives only if
        (exact dot over the shared prefix) + sqrt(tail mass x tail mass) reaches t."""
        import numpy as np

        n, F = self.n, self.F
        t2 = threshold * threshold - _MASS_SLACK
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        if n < 2:
            return empty
        rank = np.empty(F, dtype=np.int64)
        rank[np.argsort(self.df_array, kind="stable")] = np.arange(F, dtype=np.int64)
        pre = _prefixes(self.indptr, self.indices, self.data, rank, t2)
        prow, prank, pw, pmass, bound, smass = pre
        if not len(prow):
            return empty
        # Inverted index of prefix entries: by feature, then mass(>= f) descending, then row.
        order = np.lexsort((prow, -pmass, prank))
        srank, srow, smf = prank[order], prow[order], pmass[order]
        del order
        first = np.empty(len(srank), dtype=bool)
        first[0] = True
        np.not_equal(srank[1:], srank[:-1], out=first[1:])
        gid = np.cumsum(first) - 1
        gstart = np.flatnonzero(first)[gid]
        del first
        # Partners of entry o: earlier entries p of its feature with mass_p >= t^2 / mass_o
        # (the masses are sorted, so they form the head of the group). Searched on a float
        # key (group * 4 + 2 - mass): groups never overlap, and the 1e-6 slack dwarfs the
        # key's rounding.
        gkey = gid * 4.0 + (2.0 - smf)
        need = np.clip(2.0 - (t2 / smf - 1e-6), 0.5, 3.0)
        reach = np.searchsorted(gkey, gid * 4.0 + need, side="right")
        pos = np.arange(len(srank), dtype=np.int64)
        k = np.maximum(0, np.minimum(pos, reach) - gstart)
        del gkey, need, reach, gid, smf
        total = int(k.sum())
        if budget is None:
            budget = max(100_000, min(3_000_000, n * n // 8))
        if total > budget:
            return None
        keys: list[np.ndarray] = []
        ends = np.cumsum(k)
        a = 0
        while a < len(k) and total:
            b = max(a + 1, int(np.searchsorted(ends, (ends[a - 1] if a else 0) + _JOIN_CHUNK)))
            kk = k[a:b]
            m = int(kk.sum())
            if m:
                src = np.repeat(pos[a:b], kk)
                dst = gstart[src] + (np.arange(m, dtype=np.int64)
                                     - np.repeat(np.cumsum(kk) - kk, kk))
                x, y = srow[src], srow[dst]
                keys.append(_unique(np.minimum(x, y) * n + np.maximum(x, y)))
            a = b
        del k, ends, pos, gstart, srow, srank
        if not keys:
            return empty
        cand = _unique(np.concatenate(keys)) if len(keys) > 1 else keys[0]
        del keys
        ci, cj = cand // n, cand % n
        # Bound: the shared features in both prefixes are those ranked below
        # m = min(boundary_i, boundary_j); the rest is at most sqrt(mass_i(>=m) mass_j(>=m)).
        pindptr = np.concatenate([[0], np.cumsum(np.bincount(prow, minlength=n))])
        pkey = prow * F + prank
        keep = np.zeros(len(ci), dtype=bool)
        for s in range(0, len(ci), _VERIFY_BATCH):
            i, j = ci[s:s + _VERIFY_BATCH], cj[s:s + _VERIFY_BATCH]
            m = np.minimum(bound[i], bound[j])
            shared = _sparse_dots(pindptr, prank, pw, F, i, j)
            ub = shared + np.sqrt(_mass_from(i, m, pindptr, pkey, pmass, smass, F)
                                  * _mass_from(j, m, pindptr, pkey, pmass, smass, F))
            keep[s:s + len(i)] = ub >= threshold - _BOUND_SLACK
        return ci[keep], cj[keep]


def _prefixes(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, rank: np.ndarray,
              t2: float) -> tuple[np.ndarray, ...]:
    """Every row's prefix under `rank` (rarest first): entries whose suffix mass from
    themselves on is >= t2. Returns (row, rank, weight, suffix mass) of prefix entries, sorted
    by (row, rank), and per row the rank where its tail starts (F if none) and the tail's
    squared mass. Works in row blocks so temporaries stay small."""
    import numpy as np

    n, F = len(indptr) - 1, len(rank)
    bound = np.full(n, F, dtype=np.int64)
    smass = np.zeros(n, dtype=np.float64)
    parts: list[tuple[np.ndarray, ...]] = []
    for s in range(0, n, _PREFIX_ROWS):
        e = min(n, s + _PREFIX_ROWS)
        lo, hi = int(indptr[s]), int(indptr[e])
        if lo == hi:
            continue
        lens = np.diff(indptr[s:e + 1])
        local = np.repeat(np.arange(e - s, dtype=np.int64), lens)
        r = rank[indices[lo:hi]]
        order = np.argsort(local * F + r)
        r = r[order]
        w = data[lo:hi][order]
        del order
        c0 = np.concatenate([[0.0], np.cumsum(w * w)])
        rs = indptr[s:e] - lo  # row starts within the block
        re_ = rs + lens
        suffix = c0[re_[local]] - c0[:-1]  # squared mass from each entry to its row's end
        head = suffix >= t2  # a head of every row (suffix mass only decreases)
        pc = np.bincount(local[head], minlength=e - s)
        tail = pc < lens
        bound[s:e][tail] = r[(rs + pc)[tail]]
        smass[s:e] = np.maximum(0.0, c0[re_] - c0[rs + pc])
        parts.append((local[head] + s, r[head], w[head], suffix[head]))
    if not parts:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0), np.zeros(0), bound, smass
    cols = [np.concatenate([p[k] for p in parts]) for k in range(4)]
    return cols[0], cols[1], cols[2], cols[3], bound, smass


def _mass_from(z: np.ndarray, m: np.ndarray, pindptr: np.ndarray, pkey: np.ndarray,
               pmass: np.ndarray, smass: np.ndarray, F: int) -> np.ndarray:
    """Squared mass of rows `z` from rank `m` on: the suffix mass stored at their first prefix
    entry ranked >= m, or the tail mass when every prefix entry ranks below m."""
    import numpy as np

    at = np.searchsorted(pkey, z * F + m)
    inside = at < pindptr[z + 1]
    out = smass[z].copy()
    out[inside] = pmass[at[inside]]
    return out


def _gather(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, idx: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenated CSR rows `idx`: (position in idx, column, value)."""
    import numpy as np

    starts, stops = indptr[idx], indptr[idx + 1]
    lens = stops - starts
    total = int(lens.sum())
    owner = np.repeat(np.arange(len(idx), dtype=np.int64), lens)
    at = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)
    return owner, indices[at], data[at]


def _sparse_dots(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, F: int,
                 i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Dot product of CSR rows i[k] and j[k] (columns sorted within rows), in batches."""
    import numpy as np

    out = np.zeros(len(i), dtype=np.float64)
    for s in range(0, len(i), _VERIFY_BATCH):
        a, b = i[s:s + _VERIFY_BATCH], j[s:s + _VERIFY_BATCH]
        oa, fa, wa = _gather(indptr, indices, data, a)
        ob, fb, wb = _gather(indptr, indices, data, b)
        # (pair, column) keys are sorted on both sides: a binary search finds the matches.
        ka, kb = oa * F + fa, ob * F + fb
        pos = np.minimum(np.searchsorted(ka, kb), max(0, len(ka) - 1))
        hit = ka[pos] == kb if len(ka) else np.zeros(len(kb), dtype=bool)
        out[s:s + len(a)] = np.bincount(ob[hit], weights=wa[pos[hit]] * wb[hit],
                                        minlength=len(a))
    return out


def candidate_pairs(m: np.ndarray, threshold: float, block: int = CANDIDATE_BLOCK
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) with i < j whose projected dot product reaches `threshold` minus a float32
    rounding margin. Peak memory: one `block x n` float32 slab."""
    import numpy as np

    n = m.shape[0]
    cut = np.float32(threshold - 1e-4)
    out_i: list[np.ndarray] = []
    out_j: list[np.ndarray] = []
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = m[start:stop] @ m[start:].T  # lower triangle done by earlier blocks
        r, c = np.nonzero(sims >= cut)
        upper = c > r
        out_i.append(r[upper] + start)
        out_j.append(c[upper] + start)
    if not out_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return (np.concatenate(out_i).astype(np.int64), np.concatenate(out_j).astype(np.int64))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def hashed(vectors: list[dict[str, float]], dims: int = HASH_DIMS) -> np.ndarray:
    """Signed feature hashing of dict vectors into `dims` columns: dot products approximate
    the exact cosine (error std about 1/sqrt(dims)). Kept for small ad-hoc comparisons."""
    import numpy as np

    out = np.zeros((len(vectors), dims), dtype=np.float32)
    slot: dict[str, tuple[int, float]] = {}
    for i, vec in enumerate(vectors):
        for k, v in vec.items():
            s = slot.get(k)
            if s is None:
                h = zlib.crc32(k.encode("utf-8"))
                s = slot[k] = (h % dims, 1.0 if (h >> 16) & 1 else -1.0)
            out[i, s[0]] += s[1] * v
    return out


# ---- keyword side of memory_search (facts §2.6) ------------------------------------------
def fts_tokens(text: str) -> list[str]:
    """Tokens of an FTS5 unicode61-style index: letters/digits runs, case-folded."""
    if text.isascii():  # lower() is casefold() for ASCII, so fold once, not per token
        return _FTS_WORD.findall(text.lower())
    return [t.casefold() for t in _FTS_TOKEN.findall(text) if t.strip("_")]


class KeywordIndex:
    """AND-of-all-tokens matching with BM25 ordering, like OpenClaw's FTS5 query.

    `vocabulary`: when the queries are known up front, only their tokens get postings (the
    search results are the same; a 1,000-card workspace indexes ~80,000 postings otherwise)."""

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75,
                 vocabulary: set[str] | None = None) -> None:
        self.k1, self.b = k1, b
        self.tf: list[Counter[str]] = []
        self.len: list[int] = []
        for d in docs:
            toks = fts_tokens(d)
            self.tf.append(Counter(toks))
            self.len.append(len(toks))
        self.avg = (sum(self.len) / len(self.len)) if self.len else 0.0
        self.vocabulary = vocabulary
        self.post: dict[str, set[int]] = {}
        for i, c in enumerate(self.tf):
            for t in (c if vocabulary is None else c.keys() & vocabulary):
                self.post.setdefault(t, set()).add(i)
        self.n = len(docs)

    def search(self, query: str) -> list[int]:
        """Doc indexes containing every query token, best BM25 first."""
        toks = list(dict.fromkeys(fts_tokens(query)))
        if not toks:
            return []
        if self.vocabulary is not None and not self.vocabulary.issuperset(toks):
            raise ValueError("query token outside the index's vocabulary")
        sets = sorted((self.post.get(t, set()) for t in toks), key=len)
        hits = set(sets[0])
        for s in sets[1:]:
            hits &= s
            if not hits:
                return []
        k1, b, avg = self.k1, self.b, self.avg or 1.0
        idfs = []
        for t in toks:
            df = len(self.post.get(t, ()))
            idfs.append((t, math.log(1 + (self.n - df + 0.5) / (df + 0.5))))

        def score(i: int) -> float:
            total = 0.0
            tf_i = self.tf[i]
            norm = k1 * (1 - b + b * self.len[i] / avg)
            for t, idf in idfs:
                tf = tf_i[t]
                total += idf * tf * (k1 + 1) / (tf + norm)
            return total

        return sorted(hits, key=lambda i: (-score(i), i))
