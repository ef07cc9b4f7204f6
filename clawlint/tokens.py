"""Offline token counting with tiktoken's cl100k_base, loaded from the file shipped in
clawlint/data and verified by its published SHA-256 (anchors §8.1). Nothing is downloaded.
`count` does not build tiktoken's encoder when the parsed ranks are cached: it runs the same
pre-tokenizer and byte-pair merge in Python (see _fast_count).

tiktoken counts are a proxy for Claude: Anthropic does not publish its tokenizer and published
measurements put Claude at roughly +16 % (English) to +30 % (code) more tokens (anchors §5.1).
Callers apply a per-model correction factor (clawlint/knowledge/pricing.py) and show it.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

ENCODING_NAME = "cl100k_base"
ENCODING_FILE = Path(__file__).resolve().parent / "data" / "cl100k_base.tiktoken"
# Published by OpenAI in tiktoken_ext/openai_public.py (expected_hash of cl100k_base).
ENCODING_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"

_lock = threading.Lock()
_encoding: Any = None
_error: str | None = None


class TokenizerUnavailable(RuntimeError):
    """tiktoken or the verified encoding file is not available."""


def _load() -> Any:
    import hashlib

    import tiktoken
    import tiktoken.load as tl
    import tiktoken_ext.openai_public as op

    # The parsed ranks are kept in a per-user cache keyed by the published SHA-256 and written
    # only after the shipped file matched it (parsing 100k base64 lines costs ~0.25 s per
    # process); with them at hand the file is neither read nor hashed (~10 ms).
    cached = _read_ranks()
    if cached is None:
        data = ENCODING_FILE.read_bytes()
        if hashlib.sha256(data).hexdigest() != ENCODING_SHA256:
            raise TokenizerUnavailable(
                f"{ENCODING_FILE} does not match the published SHA-256 of {ENCODING_NAME}; "
                "reinstall clawlint"
            )

    def local_loader(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if expected_hash is not None and expected_hash != ENCODING_SHA256:
            raise TokenizerUnavailable("unexpected encoding hash requested")
        if cached is not None:
            return cached
        # Read the verified local file with tiktoken's own parser; no cache dir, no network.
        ranks = _parse_with_tiktoken(tl, str(ENCODING_FILE))
        _write_ranks(ranks)
        return ranks

    # Take pat_str and special tokens from tiktoken's own constructor, with its loader
    # pointed at the local file (restored afterwards).
    original = op.load_tiktoken_bpe
    op.load_tiktoken_bpe = local_loader
    try:
        spec = op.cl100k_base()
    finally:
        op.load_tiktoken_bpe = original
    return tiktoken.Encoding(
        name=spec["name"],
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
    )


# 3: grouped by their first two bytes, each group marshalled on its own behind a BLAKE2
# digest (a bit flipped on disk is a miss, not a wrong rank)
RANKS_FORMAT = 3


def _ranks_cache() -> Path:
    from clawlint.paths import user_cache_dir

    return (Path(user_cache_dir())
            / f"{ENCODING_NAME}-{ENCODING_SHA256[:16]}-v{RANKS_FORMAT}.marshal")


def _read_groups() -> dict[bytes, bytes] | None:
    """The cached ranks as {first two bytes: sealed, marshalled {token: rank}}, not yet
    decoded (clawlint/startstore.py: loading runs no code)."""
    from clawlint.atomic import read_cache_bytes
    from clawlint.startstore import load

    data = load(read_cache_bytes(_ranks_cache()))  # a FIFO or a directory there is a miss
    if (
        isinstance(data, tuple) and len(data) == 3 and data[0] == ENCODING_SHA256
        and data[1] == RANKS_FORMAT and isinstance(data[2], dict) and data[2]
    ):
        return data[2]
    return None


def _decode_group(blob: Any, key: bytes | None = None) -> dict[bytes, int] | None:
    import marshal

    from clawlint.startstore import unseal

    data = unseal(blob)
    if data is None:
        return None
    try:
        group = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(group, dict) or not all(type(v) is int for v in group.values()):
        return None
    if key is not None and not all(t[:2] == key for t in group):
        return None  # another group's ranks (swapped in the file)
    return group


def _encode_group(group: dict[bytes, int]) -> bytes:
    import marshal

    from clawlint.startstore import seal

    return seal(marshal.dumps(group))


def _read_ranks() -> dict[bytes, int] | None:
    """Every cached rank (tiktoken's encoder needs them all), or None."""
    groups = _read_groups()
    if groups is None:
        return None
    ranks: dict[bytes, int] = {}
    for key, blob in groups.items():
        group = _decode_group(blob, key)
        if group is None:
            return None
        ranks.update(group)
    return ranks if len(ranks) > 100_000 else None


def _write_ranks(ranks: dict[bytes, int]) -> None:
    import marshal
    import os

    from clawlint.atomic import write_quietly

    groups: dict[bytes, dict[bytes, int]] = {}
    for token, rank in ranks.items():
        groups.setdefault(token[:2], {})[token] = rank
    data = marshal.dumps((ENCODING_SHA256, RANKS_FORMAT,
                          {k: _encode_group(v) for k, v in groups.items()}))
    if write_quietly(_ranks_cache(), data):  # read-only home: parse every time
        try:  # the one-dict file of earlier versions
            os.unlink(_ranks_cache().with_name(f"{ENCODING_NAME}-{ENCODING_SHA256[:16]}.marshal"))
        except OSError:
            pass


def _parse_with_tiktoken(tl: Any, path: str) -> dict[bytes, int]:
    import os

    saved = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = ""  # "" disables tiktoken's cache: read the path directly
    try:
        return tl.load_tiktoken_bpe(path)
    finally:
        if saved is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved


def encoding() -> Any:
    """The cl100k_base Encoding, loaded once per process."""
    global _encoding, _error
    if _encoding is not None:
        return _encoding
    with _lock:
        if _encoding is None and _error is None:
            try:
                _encoding = _load()
            except TokenizerUnavailable as exc:
                _error = str(exc)
            except (ImportError, OSError, ValueError) as exc:
                _error = f"cannot load the {ENCODING_NAME} tokenizer: {exc}"
    if _encoding is None:
        raise TokenizerUnavailable(_error or "tokenizer unavailable")
    return _encoding


def available() -> bool:
    try:
        encoding()
    except TokenizerUnavailable:
        return False
    return True


def encode(text: str) -> list[int]:
    return list(encoding().encode(text, disallowed_special=()))


def count(text: str) -> int:
    """cl100k_base tokens of `text` (special-token text is counted as plain text)."""
    if not text:
        return 0
    if _encoding is None:  # not built yet: a count alone does not need tiktoken's encoder
        fast = _fast_count(text)
        if fast is not None:
            return fast
    return len(encoding().encode(text, disallowed_special=()))


# ---- counting without building the encoder --------------------------------------------------
# Building tiktoken's encoder (a Rust map of 100k byte strings and its regex) takes ~70 ms and
# ~35 MB per process, more than counting a bootstrap file costs. A count needs only the ranks
# (already parsed in the per-user cache), cl100k's pre-tokenizer and the byte-pair merge, so
# this does the same in Python: the pattern is cl100k's (tiktoken_ext/openai_public.py) for
# ASCII, run over a copy of the text where each other character stands in for its class, and
# the merge is tiktoken's (always the lowest-ranked adjacent pair, leftmost first). Tests compare it with
# tiktoken on random and real text. Anything it cannot vouch for goes to tiktoken: Python
# before 3.11 (no possessive quantifiers), characters its Unicode tables do not know, and
# texts long enough for the encoder to pay off.
FAST_MAX_CHARS = 200_000
# _merged_parts rescans the piece after every merge; pieces are words (cl100k's longest token
# is 128 bytes), so a longer one (30,000 letters in a row, a ruler of `=`) goes to tiktoken.
MAX_MERGE_BYTES = 128
# White_Space characters beyond ASCII (the Unicode property behind \s in tiktoken's regex).
_WIDE_SPACE = frozenset("\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                        "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# Decoding all 100k ranks takes ~45 ms and ~10 MB; a MEMORY.md of a few KB needs a few percent
# of them. The cache groups them by their first two bytes (~4,500 groups): a piece's lookups
# are all substrings of it, so its groups are those of its byte pairs, decoded on first use.
_groups: dict[bytes, bytes] | None = None
_ranks_memo: dict[bytes, int] = {}  # the decoded groups' ranks
_decoded: set[bytes] = set()  # group keys looked at (decoded, or absent from the cache)


def _need(key: bytes) -> bool:
    """Decode group `key` into _ranks_memo; False when the cache entry is damaged (and from
    then on: the ranks at hand are incomplete, so every later count goes to tiktoken)."""
    global _groups
    if not _groups:
        return False
    blob = _groups.get(key)
    if blob is not None:
        group = _decode_group(blob, key)
        if group is None:
            _groups = {}  # damaged: tiktoken parses the file and rewrites the cache
            return False
        _ranks_memo.update(group)
    _decoded.add(key)  # only once its ranks are in (or no token starts with these bytes)
    return True


def _fast_count(text: str) -> int | None:
    import sys

    global _groups
    if len(text) > FAST_MAX_CHARS or sys.version_info < (3, 11):
        return None
    classes = _as_classes(text)
    if classes is None:
        return None
    if _groups is None:
        _groups = _read_groups()
        if _groups is None:  # first run: tiktoken parses the file and fills the cache
            return None
    if not _groups:
        return None  # a damaged group was found earlier in this process
    ranks, decoded = _ranks_memo, _decoded
    n = 0
    for m in _pretokenizer().finditer(classes):
        b = text[m.start() : m.end()].encode("utf-8")
        key = b[:2]
        if key not in decoded and not _need(key):
            return None
        if b in ranks:
            n += 1
            continue
        if len(b) > MAX_MERGE_BYTES:
            return None  # the merge below is quadratic: a long run goes to tiktoken
        for i in range(1, len(b) - 1):  # every pair the merge may look up starts at a byte
            key = b[i : i + 2]
            if key not in decoded and not _need(key):
                return None
        n += _merged_parts(ranks, b)
    return n


def _as_classes(text: str) -> str | None:
    """`text` with every non-ASCII character replaced by an ASCII one of the same class for
    cl100k's pre-tokenizer (letter `a`, number `0`, white space `\\t`, anything else `!`), so
    one ASCII pattern finds the same pieces at the same offsets; None for characters this
    Python's Unicode tables do not know (or cannot encode), and for `ſ`, which `(?i)s` matches."""
    if text.isascii():
        return text
    import unicodedata

    table: dict[int, str] = {}
    for c in set(text):
        if c.isascii():
            continue
        cat = unicodedata.category(c)
        if cat in ("Cn", "Cs") or c == "\u017f":
            return None
        if cat[0] == "L":
            table[ord(c)] = "a"
        elif cat[0] == "N":
            table[ord(c)] = "0"
        elif c in _WIDE_SPACE:
            table[ord(c)] = "\t"  # white space, but neither the literal space nor a line break
        else:
            table[ord(c)] = "!"
    return text.translate(table)


@lru_cache(maxsize=1)
def _pretokenizer() -> Any:
    """cl100k's pattern (tiktoken_ext/openai_public.py) for ASCII text: \\p{L} is [A-Za-z],
    \\p{N} [0-9], \\s the ASCII White_Space characters, `$` the end of the text."""
    import re

    L, N, S = "A-Za-z", "0-9", "\t\n\x0b\x0c\r "
    return re.compile(
        rf"'(?i:[sdmt]|ll|ve|re)|[^\r\n{L}{N}]?+[{L}]++|[{N}]{{1,3}}+| ?[^{S}{L}{N}]++[\r\n]*+"
        rf"|[{S}]++\Z|[{S}]*[\r\n]|[{S}]+(?![^{S}])|[{S}]"
    )


def _merged_parts(ranks: dict[bytes, int], piece: bytes) -> int:
    """How many tokens byte-pair merging leaves of `piece` (tiktoken's byte_pair_merge)."""
    parts = [piece[i : i + 1] for i in range(len(piece))]
    while len(parts) > 1:
        best = None
        at = -1
        for i in range(len(parts) - 1):
            r = ranks.get(parts[i] + parts[i + 1])
            if r is not None and (best is None or r < best):
                best, at = r, i
        if best is None:
            break
        parts[at : at + 2] = [parts[at] + parts[at + 1]]
    return len(parts)


def count_with_method(text: str) -> tuple[int, str]:
    """(tokens, how they were counted): cl100k_base, or ceil(chars / 4) (the ratio OpenClaw's
    own chunker assumes) when the tokenizer is unavailable; the rules' messages say which."""
    try:
        return count(text), "tiktoken cl100k_base"
    except TokenizerUnavailable:
        return (len(text) + 3) // 4, "estimate: characters / 4"


def corrected(tokens: int, factor: float) -> int:
    """A tiktoken count scaled to another tokenizer (e.g. Claude) by `factor`."""
    return int(round(tokens * factor))


def token_offsets(text: str) -> list[int]:
    """Character offset where each token starts (for 'first differing token' reports)."""
    enc = encoding()
    toks = enc.encode(text, disallowed_special=())
    offsets: list[int] = []
    # Decode incrementally: a token boundary may fall inside a multi-byte character; the
    # token then starts at the character that contains its first byte.
    consumed = 0  # bytes of `text` fully accounted for
    data = text.encode("utf-8")
    char_at_byte = _char_index(data)
    for t in toks:
        offsets.append(char_at_byte[min(consumed, len(data))] if data else 0)
        piece = enc.decode_single_token_bytes(t)
        consumed += len(piece)
    return offsets


def _char_index(data: bytes) -> list[int]:
    """For each byte offset (and len(data)), the index of the character containing it."""
    out = [0] * (len(data) + 1)
    ci = -1
    for i, b in enumerate(data):
        if b & 0xC0 != 0x80:
            ci += 1
        out[i] = ci
    out[len(data)] = ci + 1
    return out
