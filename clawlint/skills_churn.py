"""How often the skills block in the cached prompt prefix changed, from git history.

Every skill added, removed, renamed or re-described changes OpenClaw's `<available_skills>`
block, which sits above the cache boundary: the next turn pays a full cache write (facts
§5.2). The block is rebuilt at each commit from `git ls-tree` and `git cat-file` (the user's
working tree is never checked out or touched) and a commit counts when the rebuilt block
differs from the one before it.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from clawlint.knowledge import skills as K
from clawlint.knowledge.workspace_files import MAX_FILE_BYTES
from clawlint.skills_budget import block_hash
from clawlint.skillset import is_discoverable, max_skill_file_bytes, parse_skill, resolve

if TYPE_CHECKING:
    from clawlint.workspace import Workspace


class ChurnEvent(NamedTuple):
    commit: str  # full commit id
    date: str  # committer date, ISO 8601
    hash: str  # sha256 of the skills block after this commit


class GitError(Exception):
    pass


def _git(cwd: Path, *args: str, input: bytes | None = None) -> bytes:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    try:
        proc = subprocess.run(
            ["git", "-C", str(cwd), *args], input=input, capture_output=True, env=env,
            timeout=120, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git failed: {exc}") from exc
    if proc.returncode != 0:
        raise GitError(proc.stderr.decode("utf-8", "replace").strip())
    return proc.stdout


def git_location(root: Path) -> tuple[Path, str] | None:
    """(repository top, the workspace's path inside it: "" or "a/b/") as git sees them, or
    None outside a repository or without git. One answer for every history reader."""
    try:
        out = _git(Path(root), "rev-parse", "--show-toplevel", "--show-prefix").decode()
    except GitError:
        return None
    lines = out.split("\n")
    if len(lines) < 2 or not lines[0].strip():
        return None
    return Path(lines[0].strip()), lines[1].strip()


class _Reader:
    """Reads blobs through one `git cat-file --batch` call per revision; caches parses."""

    def __init__(self, top: Path) -> None:
        self.top = top
        self.cache: dict[tuple[str, str], object] = {}

    def blobs(self, shas: list[str]) -> dict[str, bytes]:
        want = [s for s in dict.fromkeys(shas)]
        if not want:
            return {}
        out = _git(self.top, "cat-file", "--batch", input="".join(s + "\n" for s in want).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in want:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split()
            pos = nl + 1
            if len(header) < 3 or header[1] != b"blob":
                continue  # "missing" or not a blob
            size = int(header[2])
            blobs[sha] = out[pos : pos + size]
            pos += size + 1
        return blobs


def skills_block_at(top: Path, commit: str, prefix: str = "", reader: _Reader | None = None,
                    ws: Workspace | None = None) -> str:
    """The skills block of the workspace at `prefix` in `commit`, rendered as OpenClaw would:
    the same eligibility, limits and locations as for the working tree (skills_budget), with
    today's config of `ws` (allowlist, `skills.entries`, `skills.limits`, workspace path);
    without `ws`, OpenClaw's defaults."""
    from clawlint.skills_budget import budget_for

    reader = reader or _Reader(top)
    raw = _git(top, "ls-tree", "-r", "-z", "--full-tree", "-l", commit, "--", f"{prefix}skills")
    limit = max_skill_file_bytes(ws) if ws is not None else K.MAX_SKILL_FILE_BYTES
    found: list[tuple[str, str, int]] = []
    for rec in raw.split(b"\0"):
        if not rec:
            continue
        meta, _, path_b = rec.partition(b"\t")
        parts = meta.split()
        if len(parts) < 4 or parts[1] != b"blob" or parts[0] == b"120000":
            continue  # symlinks and submodules are not SKILL.md files OpenClaw reads here
        path = path_b.decode("utf-8", "surrogateescape")
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix):]
        if not is_discoverable(rel):
            continue
        size = int(parts[3]) if parts[3].isdigit() else 0
        found.append((rel, parts[2].decode(), size))
    # Oversized files are read too (up to clawlint's own read limit): like the working tree's
    # skills they still take part in name resolution, they just never load.
    need = [sha for _, sha, size in found if size <= MAX_FILE_BYTES
            and ("blob", sha) not in reader.cache]
    for sha, data in reader.blobs(need).items():
        try:
            reader.cache[("blob", sha)] = data.decode("utf-8")
        except UnicodeDecodeError:
            reader.cache[("blob", sha)] = None
    skills = []
    for rel, sha, size in found:
        text = reader.cache.get(("blob", sha))
        if not isinstance(text, str) or "\0" in text:
            continue
        sk = parse_skill(rel, text)
        if size > limit:
            sk.loadable = False
        skills.append(sk)
    return budget_for(ws, resolve(skills)).block


def skills_block_churn(root: str | Path, days: int = 30, *, now: float | None = None,
                       ws: Workspace | None = None) -> list[ChurnEvent]:
    """Commits in the last `days` days that changed the skills block, oldest first.

    `root` is the workspace folder (it may sit anywhere inside a git repository). Returns []
    when `root` is not in a git repository or git is unavailable. The state just before the
    window is the baseline, so a commit only counts when it really changed the block (an edit
    to a skill's body, or a reworded description that is changed back, does not).
    """
    loc = git_location(Path(root))
    if loc is None:
        return []
    top, prefix = loc
    try:
        _git(top, "rev-parse", "--verify", "-q", "HEAD")
    except GitError:
        return []
    since = int((now if now is not None else time.time()) - days * 86400)
    try:
        log = _git(
            top, "log", "--reverse", "--format=%H%x09%cI", f"--since=@{since}", "HEAD",
            "--", f"{prefix}skills",
        ).decode()
        base = _git(top, "rev-list", "-1", f"--before=@{since}", "HEAD").decode().strip()
    except GitError:
        return []
    reader = _Reader(top)
    # No commit before the window: the first one is the starting point, not a change (as for
    # the bootstrap files, whose first commit has no parent to compare with).
    prev = block_hash(skills_block_at(top, base, prefix, reader, ws)) if base else None
    events: list[ChurnEvent] = []
    for line in log.splitlines():
        commit, _, date = line.partition("\t")
        if not commit:
            continue
        try:
            h = block_hash(skills_block_at(top, commit, prefix, reader, ws))
        except GitError:
            continue
        if prev is not None and h != prev:
            events.append(ChurnEvent(commit, date, h))
        prev = h
    return events
