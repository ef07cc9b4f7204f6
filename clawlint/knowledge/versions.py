"""OpenClaw version strings (CalVer `YYYY.M.D[-suffix]`) and the config eras (facts §0)."""

from __future__ import annotations

import re

_VERSION_RE = re.compile(r"^\s*v?(\d{4})\.(\d{1,2})(?:\.(\d{1,3}))?(?:[-.+]?(.*))?$")

# Classic -> Current: `agents.defaults.memorySearch` -> `memory.search`, `agents.list` ->
# `agents.entries` landed around 2026.7.2-beta / 2026.8.x (facts §0, §10). Treat >= 2026.8 as Current.
CURRENT_ERA_FROM = (2026, 8, 0)


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    """`2026.4.27` -> (2026, 4, 27); `2026.7.2-beta.7` -> (2026, 7, 2); junk -> None."""
    if not text or not isinstance(text, str):
        return None
    m = _VERSION_RE.match(text)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


def era_for_version(text: str | None) -> str | None:
    v = parse_version(text)
    if v is None:
        return None
    return "current" if v >= CURRENT_ERA_FROM else "classic"
