"""Prefix churn over git history, and the first difference between two prefixes.

For each commit in a window that touched a bootstrap file, the prefix is rebuilt from
`git show REV:path` with the same simulator (prefix.build) and compared with the previous one:
a changed stable prefix is one cache invalidation (for every session alive at that moment).
The caps, era and display root of the current workspace are used for every revision.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clawlint import prefix as P
from clawlint.knowledge import bootstrap as K
from clawlint.skills_churn import GitError, git_location
from clawlint.skills_churn import _git as git_bytes

if TYPE_CHECKING:
    from clawlint.workspace import Workspace


def _git(root: Path, *args: str, check: bool = True) -> str:
    """Text output of one git command (one runner for all of clawlint's git reading)."""
    try:
        return git_bytes(root, *args).decode("utf-8", "replace")
    except GitError as exc:
        if check or "git failed" in str(exc):
            raise GitError(str(exc) or f"git {args[0]} failed") from None
        return ""


def git_prefix(root: Path) -> str | None:
    """The workspace's path inside its git repository ("" at the top), or None if not a repo."""
    loc = _location(root)
    return loc[1] if loc is not None else None


@functools.lru_cache(maxsize=32)
def _location(root: Path) -> tuple[Path, str] | None:
    return git_location(root)


def _top(root: Path) -> Path:
    loc = _location(root)
    if loc is None:
        raise GitError(f"{root} is not in a git repository")
    return loc[0]


def _show(root: Path, rev: str, path: str) -> tuple[str | None, bool]:
    """(text, is_symlink) of `path` (relative to the repository top) at `rev`."""
    root = _top(root)
    ls = _git(root, "ls-tree", "--full-name", rev, "--", path, check=False).strip()
    if not ls:
        return None, False
    mode = ls.split(None, 1)[0]
    try:
        data = git_bytes(root, "show", f"{rev}:{path}")
    except GitError:
        return None, False
    return data.decode("utf-8", "replace"), mode == "120000"


def inputs_at(root: Path, rev: str, base: P.PrefixInputs, git_rel: str,
              with_skills: bool = False, ws: Workspace | None = None) -> P.PrefixInputs:
    """The injector inputs of `base` with every file's content taken from revision `rev`
    (and, with `with_skills`, the `<available_skills>` block rebuilt from that revision)."""
    files: list[P.BootstrapInput] = []
    prof = base.profile
    allow = K.SESSION_FILES[prof.era].get(base.session)
    for name in prof.load_order:
        if allow is not None and name not in allow:
            continue
        text, link = _show(root, rev, git_rel + name)
        if name == K.BOOTSTRAP and text is None:
            continue
        if text is None:
            if name in K.SKIP_WHEN_ABSENT[prof.era]:
                continue
            files.append(P.BootstrapInput(name, name, None))
            continue
        if name == K.MEMORY and link:
            continue
        files.append(P.BootstrapInput(name, name, text))
    for f in base.files:
        if f.extra:
            text, _ = _show(root, rev, git_rel + f.rel)
            if text is not None:
                files.append(P.BootstrapInput(f.name, f.rel, text, extra=True))
    skills_block = None
    if with_skills:
        from clawlint.skills_churn import skills_block_at

        skills_block = skills_block_at(_top(root), rev, git_rel, ws=ws) or None
    return P.PrefixInputs(profile=prof, max_chars=base.max_chars, total_max_chars=base.total_max_chars,
                          files=files, session=base.session, display_root=base.display_root,
                          skills_block=skills_block)


@dataclass
class Churn:
    days: int
    commits_scanned: int = 0
    scanned: list[str] = field(default_factory=list)  # the commits compared, for skills churn
    invalidations: list[dict[str, Any]] = field(default_factory=list)  # {rev, time, files}
    per_file: dict[str, int] = field(default_factory=dict)

    @property
    def per_day(self) -> float:
        return len(self.invalidations) / self.days if self.days > 0 else 0.0

    def top(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.per_file.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _changed_files(a: P.PrefixResult, b: P.PrefixResult) -> list[str]:
    ca = {v.rel: v.content for v in a.prompt_files if not v.below_boundary}
    cb = {v.rel: v.content for v in b.prompt_files if not v.below_boundary}
    return sorted(r for r in set(ca) | set(cb) if ca.get(r) != cb.get(r))


def churn(root: Path, base: P.PrefixInputs, days: int = 30, now: float | None = None,
          ws: Workspace | None = None) -> Churn | None:
    """Commits in the last `days` days that changed the injected stable prefix; None if no git."""
    rel = git_prefix(root)
    if rel is None:
        return None
    result = Churn(days=days)
    since = time.strftime("%Y-%m-%dT%H:%M:%S+0000",
                          time.gmtime((now if now is not None else time.time()) - days * 86400))
    names = sorted({*base.profile.load_order, *(f.rel for f in base.files if f.extra)})
    log = _git(root, "log", "--reverse", "--format=%H %ct", f"--since={since}", "--",
               *(f":(top,literal){rel}{n}" for n in names), check=False)
    commits = [ln.split() for ln in log.splitlines() if ln.strip()]
    if not commits:
        _merge_skills_churn(root, days, now, result, ws)
        return result
    first = commits[0][0]
    parent = _git(root, "rev-parse", "--verify", "--quiet", f"{first}^", check=False).strip()
    prev = P.build(inputs_at(root, parent, base, rel)) if parent else None
    for sha, ts in commits:
        cur = P.build(inputs_at(root, sha, base, rel))
        result.commits_scanned += 1
        result.scanned.append(sha)
        if prev is not None and cur.stable_text != prev.stable_text:
            files = _changed_files(prev, cur) or ["(layout)"]
            result.invalidations.append({"rev": sha, "time": int(ts), "files": files})
            for f in files:
                result.per_file[f] = result.per_file.get(f, 0) + 1
        prev = cur
    _merge_skills_churn(root, days, now, result, ws)
    result.invalidations.sort(key=lambda e: e["time"])
    return result


def _merge_skills_churn(root: Path, days: int, now: float | None, result: Churn,
                        ws: Workspace | None = None) -> None:
    """The `<available_skills>` block is part of the stable prefix too: count its changes."""
    from datetime import datetime

    try:
        from clawlint.skills_churn import skills_block_churn
    except ImportError:  # pragma: no cover - the skills module ships with clawlint
        return
    by_rev = {e["rev"]: e for e in result.invalidations}
    scanned = set(result.scanned)
    for ev in skills_block_churn(root, days, now=now, ws=ws):
        when = int(datetime.fromisoformat(ev.date.replace("Z", "+00:00")).timestamp())
        entry = by_rev.get(ev.commit)
        if entry is None:
            entry = {"rev": ev.commit, "time": when, "files": []}
            result.invalidations.append(entry)
            by_rev[ev.commit] = entry
            if ev.commit not in scanned:  # a skills-only commit: "N of M commits" holds
                result.commits_scanned += 1
        entry["files"].append("(skills)")
        result.per_file["(skills)"] = result.per_file.get("(skills)", 0) + 1


@dataclass
class FirstDiff:
    offset: int | None  # char offset in the new prefix text; None = identical
    label: str = ""  # segment (file) where it falls
    line: int = 0  # line within that file's injected text (1-based)
    token_index: int = 0
    above_boundary: bool = True


def first_difference(a: P.PrefixResult, b: P.PrefixResult) -> FirstDiff:
    ta, tb = a.text, b.text
    n = min(len(ta), len(tb))
    i = 0
    while i < n and ta[i] == tb[i]:
        i += 1
    if i == n and len(ta) == len(tb):
        return FirstDiff(None)
    seg = next((s for s in b.segments if s.start <= i < s.end), None) or (
        b.segments[-1] if b.segments else None)
    label, line = "", 0
    if seg is not None:
        label = seg.label
        chunk = tb[seg.start : i]
        # Line 1 is the `## path` header; the file's own line k is line k+1 of the section.
        line = max(1, chunk.lstrip("\n").count("\n")) if seg.kind == "file" else chunk.count("\n") + 1
    return FirstDiff(i, label, line, 0, i < b.boundary)
