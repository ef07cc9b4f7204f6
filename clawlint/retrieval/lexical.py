"""The built-in lexical backend: TF-IDF cosine over word unigrams and bigrams (no server).

Vectors are sparse dicts (exact cosine); a signed feature-hashed dense copy makes all-pairs
candidate search a blocked matrix product, and candidates are then verified exactly.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
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
HASH_DIMS = 1024


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def features(text: str) -> Counter[str]:
    """Unigrams (minus stop words) and bigrams (of all words, so word order counts)."""
    ws = words(text)
    feats: Counter[str] = Counter(w for w in ws if w not in _STOP)
    feats.update(f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False))
    return feats


class TfIdf:
    """TF-IDF fitted on one corpus: sublinear tf, smooth idf, L2-normalised sparse vectors."""

    label = "lexical (TF-IDF cosine over words and word pairs)"

    def __init__(self, corpus: list[str]) -> None:
        self.n = len(corpus)
        self._feats = [features(t) for t in corpus]
        df: Counter[str] = Counter()
        for f in self._feats:
            df.update(f.keys())
        self.df = df
        log, n = math.log, self.n
        self._idf = {k: log((1 + n) / (1 + d)) + 1.0 for k, d in df.items()}
        self._idf_unseen = log(1 + n) + 1.0
        self.vectors = [self.weigh(f) for f in self._feats]
        self._feats = []  # only needed while fitting

    def idf(self, feat: str) -> float:
        return self._idf.get(feat, self._idf_unseen)

    def weigh(self, feats: Counter[str]) -> dict[str, float]:
        idf, unseen, log = self._idf, self._idf_unseen, math.log
        vec = {k: (1.0 + log(c)) * idf.get(k, unseen) for k, c in feats.items() if c > 0}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {k: v / norm for k, v in vec.items()} if norm > 0 else {}

    def transform(self, text: str) -> dict[str, float]:
        return self.weigh(features(text))


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def hashed(vectors: list[dict[str, float]], dims: int = HASH_DIMS) -> np.ndarray:
    """Signed feature hashing into `dims` columns: dot products approximate the exact cosine
    (error std about 1/sqrt(dims)), good enough to pick candidates for exact checks."""
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
