"""Offline cl100k_base: verified file, no network, counts equal tiktoken's own encoder."""

from __future__ import annotations

import hashlib

import pytest

from clawlint import tokens as T


def _forget_ranks(monkeypatch) -> None:
    """As in a new process: no cached ranks read or decoded yet."""
    monkeypatch.setattr(T, "_groups", None)
    monkeypatch.setattr(T, "_ranks_memo", {})
    monkeypatch.setattr(T, "_decoded", set())

def test_file_matches_published_hash():
    assert hashlib.sha256(T.ENCODING_FILE.read_bytes()).hexdigest() == T.ENCODING_SHA256


def test_counts_known_strings():
    assert T.count("") == 0
    assert T.count("hello world") == 2
    assert T.count("<|endoftext|>") > 1  # special-token text counts as plain text


def test_same_encoding_as_upstream_cl100k():
    enc = T.encoding()
    assert enc.name == "cl100k_base" and enc.n_vocab == 100277
    assert enc.encode("hello world") == [15339, 1917]  # published cl100k ids
    assert enc.special_tokens_set >= {"<|endoftext|>", "<|fim_prefix|>"}


def test_loaded_once_and_no_network(monkeypatch):
    import urllib.request

    def boom(*a, **k):
        raise AssertionError("network access")

    monkeypatch.setattr(urllib.request, "urlopen", boom)
    a = T.encoding()
    assert T.encoding() is a


def test_bad_file_is_refused(monkeypatch, tmp_path):
    bad = tmp_path / "cl100k_base.tiktoken"
    bad.write_bytes(b"not the file")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty-cache"))  # no parsed ranks yet
    _forget_ranks(monkeypatch)
    monkeypatch.setattr(T, "ENCODING_FILE", bad)
    monkeypatch.setattr(T, "_encoding", None)
    monkeypatch.setattr(T, "_error", None)
    with pytest.raises(T.TokenizerUnavailable, match="SHA-256"):
        T.encoding()
    assert T.count_with_method("abcdefgh") == (2, "estimate: characters / 4")  # 4 chars/token


def test_token_offsets_align_with_text():
    text = "ab 你好 😀 x\nLast updated"
    offs = T.token_offsets(text)
    assert offs[0] == 0 and offs == sorted(offs) and len(offs) == T.count(text)
    assert all(0 <= o < len(text) for o in offs)


def test_correction_factor():
    assert T.corrected(1000, 1.2) == 1200


def test_parsed_ranks_cache_roundtrip_and_corruption(tmp_path, monkeypatch):
    from clawlint import tokens as T

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert T._read_ranks() is None
    ranks = {bytes([i]): i for i in range(256)} | {f"w{i}".encode(): 256 + i for i in range(100_001)}
    T._write_ranks(ranks)
    assert T._read_ranks() == ranks
    T._ranks_cache().write_bytes(b"\x00garbage")
    assert T._read_ranks() is None  # corrupt cache: parse the shipped file again


def test_ranks_are_decoded_a_group_at_a_time_and_a_damaged_group_goes_to_tiktoken(
        monkeypatch, tmp_path):
    """The cache groups the ranks by their first two bytes; counting a short text decodes only
    its pieces' groups, and a damaged group hands the count to tiktoken (same result)."""
    import marshal

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    _forget_ranks(monkeypatch)
    monkeypatch.setattr(T, "_encoding", None)
    monkeypatch.setattr(T, "_error", None)
    text = "Nightly restic snapshot of the NAS, kept for 30 days.\n"
    want = _tiktoken_count(text)
    assert T.count(text) == want  # first run: tiktoken parses the file and fills the cache
    _forget_ranks(monkeypatch)
    assert T._fast_count(text) == want
    assert 0 < len(T._decoded) < 80 and len(T._ranks_memo) < 20_000  # of 4,500 groups, 100k ranks
    sha, fmt, groups = marshal.loads(T._ranks_cache().read_bytes())
    groups[b"Ni"] = groups[b"Ni"][:-3]  # cut short
    T._ranks_cache().write_bytes(marshal.dumps((sha, fmt, groups)))
    _forget_ranks(monkeypatch)
    assert T._fast_count(text) is None
    # Once a group was found damaged, no later count uses the ranks decoded so far (they are
    # incomplete): without an encoder either, every count is the same estimate.
    monkeypatch.setattr(T, "_encoding", None)
    monkeypatch.setattr(T, "_error", "no encoder here")
    assert T.count_with_method(text) == T.count_with_method(text)
    assert T.count_with_method(text)[1].startswith("estimate")
    monkeypatch.setattr(T, "_error", None)
    # A bit flipped inside a group that still decodes (another rank): refused by its digest.
    _forget_ranks(monkeypatch)
    monkeypatch.setattr(T, "_encoding", None)  # a new process
    assert T.count(text) == want  # through tiktoken, which parses the shipped file again
    assert T._read_ranks() is not None  # and the cache is whole again
    sha, fmt, groups = marshal.loads(T._ranks_cache().read_bytes())
    from clawlint.startstore import DIGEST

    flipped = bytearray(groups[b" r"])
    flipped[-2] ^= 1  # the high byte of the last rank (the last byte ends the dict)
    assert marshal.loads(bytes(flipped[DIGEST:])) != marshal.loads(groups[b" r"][DIGEST:])
    groups[b" r"] = bytes(flipped)
    T._ranks_cache().write_bytes(marshal.dumps((sha, fmt, groups)))
    _forget_ranks(monkeypatch)
    assert T._fast_count(text) is None
    # Two groups swapped (each passes its digest): a token outside its group is refused.
    monkeypatch.setattr(T, "_encoding", None)  # a new process: tiktoken rewrites the cache
    assert T.count(text) == want and T._read_ranks() is not None
    sha, fmt, groups = marshal.loads(T._ranks_cache().read_bytes())
    groups[b" r"], groups[b" s"] = groups[b" s"], groups[b" r"]
    T._ranks_cache().write_bytes(marshal.dumps((sha, fmt, groups)))
    _forget_ranks(monkeypatch)
    assert T._fast_count("a restic snapshot") is None


def test_verified_ranks_in_the_cache_spare_reading_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(T, "_encoding", None)
    monkeypatch.setattr(T, "_error", None)
    _forget_ranks(monkeypatch)
    n = T.count("Nightly restic snapshot.")  # parses the shipped file, fills the cache
    assert T._read_ranks() is not None
    gone = tmp_path / "moved.tiktoken"  # the file is not needed any more
    monkeypatch.setattr(T, "ENCODING_FILE", gone)
    monkeypatch.setattr(T, "_encoding", None)
    _forget_ranks(monkeypatch)
    assert T.count("Nightly restic snapshot.") == n
    assert T.encoding().encode("x") == [87]  # the encoder too, from the cached ranks


# ---- counting without building tiktoken's encoder -------------------------------------------
needs_311 = pytest.mark.skipif(__import__("sys").version_info < (3, 11),
                               reason="possessive quantifiers need Python 3.11")


def _tiktoken_count(text: str) -> int:
    return len(T.encoding().encode(text, disallowed_special=()))


def _has_long_piece(text: str) -> bool:
    classes = T._as_classes(text)
    assert classes is not None
    return any(len(text[m.start():m.end()].encode()) > T.MAX_MERGE_BYTES
               for m in T._pretokenizer().finditer(classes))


@needs_311
def test_fast_count_equals_tiktoken_on_random_text():
    import random
    import unicodedata

    rng = random.Random(7)
    wide = [chr(cp) for cp in range(0x80, 0x30000, 37)
            if unicodedata.category(chr(cp)) not in ("Cn", "Cs")]
    wide += list("é ß ü Ω ж 中 😀 👍🏽 \u0301 \u00a0 \u2009 — ’ “ … ٣ ² Ⅻ \u200d \u3000 \u0085 ǅ".split(" "))
    base = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n\r\x0b\x0c"
                "'\"-_.,;:!?()[]{}<>/\\|@#$%^&*+=~`") + ["'s", "'RE", " ", "  \n", "123456"]
    T.encoding()  # the reference
    for i in range(1500):
        pool = base + (wide if i % 2 else [])
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 80)))
        fast = T._fast_count(text)
        if fast is None:  # only for a piece too long to merge in Python (tiktoken counts it)
            assert _has_long_piece(text), repr(text)
            continue
        assert fast == _tiktoken_count(text), repr(text)


@needs_311
def test_fast_count_equals_tiktoken_on_real_files():
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in sorted(repo.glob("rules/*.md"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((repo / "examples").rglob("*.md"))]
    texts.append((repo / "README.md").read_text(encoding="utf-8"))
    T.encoding()
    for text in texts:
        assert T._fast_count(text) == _tiktoken_count(text)


@needs_311
def test_count_does_not_build_the_encoder(monkeypatch):
    text = "Nightly restic snapshot of the NAS."
    want = _tiktoken_count(text)  # also fills the ranks cache, as any earlier run has
    monkeypatch.setattr(T, "_encoding", None)
    assert T.count(text) == want
    assert T._encoding is None


def test_fast_count_hands_over_what_it_cannot_vouch_for(monkeypatch, tmp_path):
    assert T._fast_count("a\U000e0080b") is None  # unassigned in this Python's Unicode tables
    assert T._fast_count("ſ") is None  # `(?i)s` matches it: leave case folding to tiktoken
    assert T._fast_count("x" * (T.FAST_MAX_CHARS + 1)) is None
    _forget_ranks(monkeypatch)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "empty"))
    assert T._fast_count("no parsed ranks yet") is None  # tiktoken parses and fills the cache


def test_a_long_unbroken_run_goes_to_tiktoken():
    """The Python merge rescans a piece after every merge: 30,000 letters in a row took ~90 s."""
    for text in ("a" * 30_000, "- key: " + "Xq" * 5_000, "=" * 20_000):
        assert T._fast_count(text) is None
        assert T.count(text) == _tiktoken_count(text)


def test_a_fifo_in_place_of_the_ranks_cache_is_a_miss(monkeypatch, tmp_path):
    import os

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    T._ranks_cache().parent.mkdir(parents=True)
    os.mkfifo(T._ranks_cache())
    assert T._read_ranks() is None  # returns at once instead of blocking on the pipe
