"""The built-in lexical backend: TF-IDF cosine over word unigrams and bigrams (no server).

The corpus is tokenised once in Python (one vocabulary lookup per word); counting, idf and
normalisation run in numpy over integer feature ids, giving CSR rows (`indptr`, `indices`,
`data`). All-pairs candidates come from an unsigned hashed projection whose dot products are
upper bounds of the exact cosine (weights are >= 0), so candidate generation cannot miss a
pair; candidates are then verified with the exact sparse cosine.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from functools import cached_property
from typing import TYPE_CHECKING

from clawlint.knowledge import embeddings as K

if TYPE_CHECKING:
    import numpy as np

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_FTS_TOKEN = re.compile(K.FTS_TOKEN_PATTERN, re.UNICODE)
# Markdown/YAML punctuation is dropped by the word regex; these tokens carry no content.
_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were will with".split()
)
HASH_DIMS = 512  # width of the candidate projection (10,000 cards: 20 MB float32)
CANDIDATE_BLOCK = 512  # rows per matmul block (512 x 10,000 float32 = 20 MB)
_VERIFY_BATCH = 20_000  # candidate pairs verified per numpy batch
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing multiplier


def words(text: str) -> list[str]:
    if text.isascii():  # lower-casing first is the same for ASCII and much cheaper
        return _WORD.findall(text.lower())
    return [w.lower() for w in _WORD.findall(text)]


def features(text: str) -> Counter[str]:
    """Unigrams (minus stop words) and bigrams (of all words, so word order counts)."""
    ws = words(text)
    feats: Counter[str] = Counter(w for w in ws if w not in _STOP)
    feats.update(f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False))
    return feats


class TfIdf:
    """TF-IDF fitted on one corpus: sublinear tf, smooth idf, L2-normalised sparse vectors.

    Feature ids index `self.keys` (sorted int64): a unigram of word id w is `w`, a bigram
    (a, b) is `V + a*V + b` with V the vocabulary size. Row i of the corpus is
    `indices[indptr[i]:indptr[i+1]]` (sorted feature ids) with weights `data[...]`."""

    label = "lexical (TF-IDF cosine over words and word pairs)"

    def __init__(self, corpus: list[str]) -> None:
        import numpy as np

        self.n = n = len(corpus)
        vocab: dict[str, int] = {}
        ids: list[int] = []
        lens: list[int] = []
        get = vocab.setdefault
        for text in corpus:
            ws = words(text)
            ids.extend([get(w, len(vocab)) for w in ws])
            lens.append(len(ws))
        self.vocab = vocab
        self.V = V = max(1, len(vocab))
        tok = np.asarray(ids, dtype=np.int64)
        del ids  # the Python list is the largest object here; free it before numpy work
        doc = np.repeat(np.arange(n, dtype=np.int64), np.asarray(lens, dtype=np.int64))
        stop = np.zeros(V, dtype=bool)
        for w in _STOP:
            if w in vocab:
                stop[vocab[w]] = True
        keep = ~stop[tok]
        same = doc[:-1] == doc[1:]  # bigrams never span two documents
        keys = np.concatenate([tok[keep], V + tok[:-1][same] * V + tok[1:][same]])
        docs = np.concatenate([doc[keep], doc[:-1][same]])
        del tok, doc, keep, same
        self.keys, fid = np.unique(keys, return_inverse=True)
        del keys
        F = self.F = max(1, len(self.keys))
        docs *= F
        docs += fid.ravel()
        del fid
        pair, counts = np.unique(docs, return_counts=True)
        del docs
        d, f = pair // F, pair % F
        del pair
        df = np.bincount(f, minlength=F)
        self.df_array = df
        self.idf_array = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self._idf_unseen = math.log(1 + n) + 1.0
        w = (1.0 + np.log(counts)) * self.idf_array[f]
        norm = np.sqrt(np.bincount(d, weights=w * w, minlength=n))
        norm[norm == 0] = 1.0
        w /= norm[d]
        self.data = w
        self.indices = f
        self.row_of = d
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(d, minlength=n))]).astype(np.int64)

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
        import numpy as np

        starts, stops = self.indptr[idx], self.indptr[idx + 1]
        lens = stops - starts
        total = int(lens.sum())
        owner = np.repeat(np.arange(len(idx), dtype=np.int64), lens)
        offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        at = np.repeat(starts, lens) + offs
        return owner, self.indices[at], self.data[at]

    def cosines(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Exact cosine of each pair (i[k], j[k]), vectorised in batches."""
        import numpy as np

        out = np.zeros(len(i), dtype=np.float64)
        F = self.F
        for s in range(0, len(i), _VERIFY_BATCH):
            a, b = i[s:s + _VERIFY_BATCH], j[s:s + _VERIFY_BATCH]
            oa, fa, wa = self.rows(a)
            ob, fb, wb = self.rows(b)
            # (pair, feature) keys are sorted on both sides: a binary search finds the matches.
            ka, kb = oa * F + fa, ob * F + fb
            pos = np.minimum(np.searchsorted(ka, kb), max(0, len(ka) - 1))
            hit = ka[pos] == kb if len(ka) else np.zeros(len(kb), dtype=bool)
            out[s:s + len(a)] = np.bincount(ob[hit], weights=wa[pos[hit]] * wb[hit],
                                            minlength=len(a))
        return out

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
            flat = (self.row_of[lo:hi] - s) * dims + col[lo:hi]
            slab = np.bincount(flat, weights=self.data[lo:hi], minlength=(e - s) * dims)
            out[s:e] = slab.reshape(e - s, dims)
        return out

    def pairs_above(self, threshold: float, dims: int = HASH_DIMS,
                    block: int = CANDIDATE_BLOCK) -> list[tuple[int, int, float]]:
        """All (i, j, exact cosine) with i < j and cosine >= threshold."""
        ci, cj = candidate_pairs(self.projection(dims), threshold, block)
        if not len(ci):
            return []
        sims = self.cosines(ci, cj)
        keep = sims >= threshold
        return list(zip(ci[keep].tolist(), cj[keep].tolist(), sims[keep].tolist(), strict=True))


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
    return [t.casefold() for t in _FTS_TOKEN.findall(text) if t.strip("_")]


class KeywordIndex:
    """AND-of-all-tokens matching with BM25 ordering, like OpenClaw's FTS5 query."""

    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(fts_tokens(d)) for d in docs]
        self.len = [sum(c.values()) for c in self.tf]
        self.avg = (sum(self.len) / len(self.len)) if self.len else 0.0
        self.post: dict[str, set[int]] = {}
        for i, c in enumerate(self.tf):
            for t in c:
                self.post.setdefault(t, set()).add(i)
        self.n = len(docs)

    def search(self, query: str) -> list[int]:
        """Doc indexes containing every query token, best BM25 first."""
        toks = list(dict.fromkeys(fts_tokens(query)))
        if not toks:
            return []
        sets = sorted((self.post.get(t, set()) for t in toks), key=len)
        hits = set(sets[0])
        for s in sets[1:]:
            hits &= s
            if not hits:
                return []

        def score(i: int) -> float:
            total = 0.0
            for t in toks:
                df = len(self.post.get(t, ()))
                idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
                tf = self.tf[i][t]
                denom = tf + self.k1 * (1 - self.b + self.b * self.len[i] / (self.avg or 1.0))
                total += idf * tf * (self.k1 + 1) / denom
            return total

        return sorted(hits, key=lambda i: (-score(i), i))
