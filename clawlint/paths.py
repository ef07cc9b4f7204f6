"""Small path facts used across clawlint (standard library only: replay imports it first)."""

from __future__ import annotations

import os


def user_cache_dir() -> str:
    """clawlint's per-user cache: `$XDG_CACHE_HOME/clawlint`, else `~/.cache/clawlint`. A
    relative XDG_CACHE_HOME is ignored (as the XDG spec says), and without a home folder the
    cache goes to the temporary folder, never into the current one."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "clawlint")
    home = os.path.expanduser("~")
    if os.path.isabs(home):
        return os.path.join(home, ".cache", "clawlint")
    import tempfile

    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return os.path.join(tempfile.gettempdir(), f"clawlint-cache-{uid}")


def switched_on(name: str) -> bool:
    """Whether the environment sets the switch `name` (CLAWLINT_NO_REPLAY, ...): any value but
    empty, `0`, `false` or `no` (any case)."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def is_within(path: str, root: str) -> bool:
    """Whether `path` is `root` or below it (both already resolved or both not)."""
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives, or one relative and one absolute
        return False
