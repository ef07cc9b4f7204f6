"""Helpers shared by the memory-hygiene rules (MEM, CRD, LOG, IDX): an injectable clock,
token counting with a stated method, date parsing.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from typing import Any

TODAY_ENV = "CLAWLINT_TODAY"
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_iso_date(text: str) -> _dt.date | None:
    """`2026-03-06` -> date; anything else (including impossible dates) -> None."""
    m = _ISO_DATE_RE.match(text.strip())
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# Rules add and subtract days and years from today; a date at the edge of Python's range
# (0001-01-01, 9999-12-31) would overflow. Anything outside these years is not a real "today".
TODAY_MIN_YEAR, TODAY_MAX_YEAR = 1900, 9000


def parse_today(raw: str) -> _dt.date | None:
    """A CLAWLINT_TODAY / `today` option value: an ISO date between 1900 and 9000, else None."""
    d = parse_iso_date(raw)
    return d if d is not None and TODAY_MIN_YEAR <= d.year <= TODAY_MAX_YEAR else None


def today_env_problem() -> str | None:
    """A warning when $CLAWLINT_TODAY is set but is not a usable date (it is then ignored)."""
    raw = os.environ.get(TODAY_ENV, "")
    if not raw.strip() or parse_today(raw) is not None:
        return None
    return (f"{TODAY_ENV}={raw!r} is not a date between {TODAY_MIN_YEAR} and {TODAY_MAX_YEAR} "
            "(YYYY-MM-DD); using the system date")


_pinned: _dt.date | None = None


class pinned_today:
    """`with pinned_today():` fixes the date for one lint run: rules ask for it per card
    (reading the environment 20,000 times on a 10,000-card run), and a run must not see
    the date change at midnight halfway through."""

    def __enter__(self) -> _dt.date:
        global _pinned
        self.saved = _pinned
        _pinned = None
        _pinned = today()
        return _pinned

    def __exit__(self, *exc: object) -> None:
        global _pinned
        _pinned = self.saved


def today(options: dict[str, Any] | None = None) -> _dt.date:
    """The date rules compare against: rule option `today`, then $CLAWLINT_TODAY, then the
    system clock. Tests (and reproducible CI runs) pin it; a malformed value is ignored."""
    if _pinned is not None and not (options and options.get("today")):
        return _pinned
    for raw in ((options or {}).get("today"), os.environ.get(TODAY_ENV)):
        if isinstance(raw, _dt.date):
            return raw
        if isinstance(raw, str) and raw.strip():
            d = _parsed_today.get(raw)  # called per card: parse each spelling once
            if d is None:
                d = parse_today(raw)
                if d is not None and len(_parsed_today) < 64:
                    _parsed_today[raw] = d
            if d is not None:
                return d
    return _dt.date.today()


_parsed_today: dict[str, _dt.date] = {}


def as_date(value: Any) -> _dt.date | None:
    """A frontmatter value as a date: YAML dates/datetimes and ISO strings."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        return parse_iso_date(value)
    return None


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"
