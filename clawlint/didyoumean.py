"""'Did you mean ...?' for messages that name a mistyped key, rule code, skill or file: one
matcher (difflib's ratio over sorted choices, so ties resolve the same on every run); each
caller picks how close is close enough for what it names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def hint(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """` (did you mean `x`?)`, or "" when nothing is close."""
    m = closest(word, choices, cutoff)
    return f" (did you mean `{m}`?)" if m else ""
