"""Small path facts used across clawlint (standard library only: replay imports it first)."""

from __future__ import annotations

import os


def user_cache_dir() -> str:
    """clawlint's per-user cache: `$XDG_CACHE_HOME/clawlint`, else `~/.cache/clawlint`."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "clawlint")


def is_within(path: str, root: str) -> bool:
    """Whether `path` is `root` or below it (both already resolved or both not)."""
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives, or one relative and one absolute
        return False
