"""Discover an OpenClaw workspace and classify every file in it exactly once."""

from __future__ import annotations

import enum
import errno
import fnmatch
import hashlib
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from clawlint.atomic import read_fd
from clawlint.knowledge import workspace_files as wf

if TYPE_CHECKING:
    from clawlint.config import Settings
    from clawlint.source import FrontMatter, MarkdownDoc, SourceText


class Kind(str, enum.Enum):
    BOOTSTRAP = "bootstrap"  # one of the eight bootstrap basenames at the root (MEMORY.md too)
    LEGACY_MEMORY = "legacy-memory"  # root memory.md
    DAILY_LOG = "daily-log"  # memory/YYYY-MM-DD[-slug].md
    CARD = "card"  # memory/cards/**/*.md
    MEMORY_OTHER = "memory-other"  # any other memory/**/*.md (indexed)
    MEMORY_NON_MD = "memory-non-md"  # memory/** that is not Markdown (ignored by the index)
    SKILL = "skill"  # skills/**/SKILL.md
    HOOK = "hook"  # hooks/<name>/HOOK.md
    HOOK_HANDLER = "hook-handler"  # hooks/<name>/{handler,index}.{ts,js}
    CONFIG = "config"  # openclaw.json(5)
    MARKDOWN = "markdown"  # any other Markdown file in the workspace


MARKDOWN_KINDS = frozenset(
    {Kind.BOOTSTRAP, Kind.LEGACY_MEMORY, Kind.DAILY_LOG, Kind.CARD, Kind.MEMORY_OTHER,
     Kind.SKILL, Kind.HOOK, Kind.MARKDOWN}
)
# Files clawlint reads and parses; MEMORY_NON_MD is only listed.
READ_KINDS = MARKDOWN_KINDS | {Kind.CONFIG, Kind.HOOK_HANDLER}


# Root files OpenClaw injects whatever clawlint's `exclude` says.
_INJECTED_KINDS = frozenset({Kind.BOOTSTRAP, Kind.LEGACY_MEMORY})


def mentions_directive(text: str) -> bool:
    """Whether a text can hold a suppression comment (all of them start `clawlint-`, matched
    case-insensitively); lower() then `in` is several times faster than an IGNORECASE regex."""
    return "clawlint-" in text or "clawlint-" in text.lower()


@dataclass
class ReadProblem:
    """Why a file could not be read as text; reported by the PAR rules."""

    code: str
    message: str
    line: int = 1
    column: int = 1


def _read_regular(path: str, size: int, limit: int) -> bytes | None:
    """A regular file's bytes with plain os calls (open() builds a buffered file object and
    stats the file again: a third of the cost of reading a small card, ~5 ms per 1,000 cards).
    None when what was opened is not a regular file; more than `limit` bytes when it is larger
    than that (the read stops there). What was stat'd before may have been swapped since: the
    open does not wait for a FIFO's writer (O_NONBLOCK), and the opened file is checked again."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return read_fd(fd, size, limit)
    finally:
        os.close(fd)


@dataclass
class SourceFile:
    abspath: str | os.PathLike[str]  # absolute path as found (may be a symlink)
    rel: str  # workspace-relative POSIX path
    kind: Kind
    is_symlink: bool = False
    problem: ReadProblem | None = None
    size: int = 0
    _text: str | None = field(default=None, repr=False)
    _loaded: bool = field(default=False, repr=False)
    _sha: str | None = field(default=None, repr=False)
    # SHA-256 vouched for by the stat cache (size, mtime, inode unchanged since it was read):
    # lets a warm run hash the workspace without reading files (git's index does the same).
    _stat_sha: str | None = field(default=None, repr=False)
    stat_key: tuple[int, int, int] | None = field(default=None, repr=False)
    # [size, mtime, ctime, inode, mode] from just before the content was read (or from the
    # stat cache's check): a replay record depends on it (clawlint/replay.py).
    stat_full: list[int] | None = field(default=None, repr=False)
    unstable: bool = field(default=False, repr=False)  # its stat changed during this run
    excluded: bool = False  # by `exclude`: kept only because OpenClaw still injects it
    # From the stat cache: the unchanged content has no `clawlint-` directive, so finding
    # suppressions need not read it.
    _no_directives: bool = field(default=False, repr=False)
    _mentions: bool | None = field(default=None, repr=False)

    @cached_property
    def path(self) -> Path:
        # Built on first use: a warm run never needs 10,000 Path objects, only their strings.
        return Path(self.abspath)

    @property
    def may_have_directives(self) -> bool:
        if not self._loaded and self._stat_sha is not None and self._no_directives:
            return False
        if self._mentions is None:
            self._mentions = self.text is not None and mentions_directive(self.text)
        return self._mentions

    # ---- reading -----------------------------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.problem is not None:
            return
        try:
            st = os.stat(self.abspath)
            self.size = st.st_size
            full = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode]
            if self.stat_full is not None and self.stat_full != full:
                self.unstable = True  # changed since the stat cache vouched for it
            self.stat_full = self.stat_full or full
            if not stat.S_ISREG(st.st_mode):
                # A FIFO or device would block or never end; OpenClaw skips them too.
                self.problem = ReadProblem(
                    "PAR001", "not a regular file (FIFO, socket or device); remove it from the workspace"
                )
                return
            if st.st_size > wf.MAX_FILE_BYTES:
                self.problem = ReadProblem(
                    "PAR004",
                    f"file is {st.st_size:,} bytes, over OpenClaw's 2 MiB read limit "
                    f"({wf.MAX_FILE_BYTES:,} bytes); it is not injected or indexed as a whole. "
                    "Split it or move it out of the workspace",
                )
                return
            data = _read_regular(self.abspath, st.st_size, wf.MAX_FILE_BYTES)
            if data is None or len(data) > wf.MAX_FILE_BYTES:  # swapped or grown since its stat
                self.unstable = True
                self.problem = (ReadProblem("PAR001", "not a regular file (FIFO, socket, "
                                            "device or folder); remove it from the workspace")
                                if data is None else ReadProblem(
                    "PAR004",
                    f"file is over {wf.MAX_FILE_BYTES:,} bytes, OpenClaw's 2 MiB read limit; it is "
                    "not injected or indexed as a whole. Split it or move it out of the workspace",
                ))
                return
            self.stat_key = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                self.problem = ReadProblem("PAR005", "symlink loop: the link never resolves to a file; remove or fix it")
            else:
                self.problem = ReadProblem(
                    "PAR001", f"cannot read file ({exc.strerror or exc}); fix its permissions or remove it"
                )
            return
        self._sha = hashlib.sha256(data).hexdigest()
        nul = data.find(b"\x00")
        # UTF-16 text has NUL bytes unless it is all CJK; then only its byte-order mark shows.
        wide = _wide_encoding(data) if nul >= 0 or data[:2] in (b"\xff\xfe", b"\xfe\xff") else None
        if wide is not None:
            self.problem = ReadProblem(
                "PAR002",
                f"file is {wide}, not UTF-8 (what Windows PowerShell's `>` and some editors "
                "write); OpenClaw reads UTF-8 and sees NUL bytes. Re-save it as UTF-8",
            )
            return
        if nul >= 0:
            line = data.count(b"\n", 0, nul) + 1
            col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
            self.problem = ReadProblem(
                "PAR003",
                "file contains NUL bytes, so it is binary, not text; OpenClaw cannot use it as "
                "Markdown. Remove the NUL bytes or move the file out of the workspace",
                line,
                col,
            )
            return
        try:
            self._text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.problem = ReadProblem(
                "PAR002",
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "re-save it as UTF-8",
                line,
                col,
            )

    @property
    def vouched_clean(self) -> bool:
        """Not read in this run, and the stat cache vouches that it was read without a
        problem with this very stat (it records only such files): no need to read it to know."""
        return not self._loaded and self._stat_sha is not None

    @property
    def text(self) -> str | None:
        """Decoded text, or None when the file is unreadable (see `problem`)."""
        if not self._loaded:  # rules read this hundreds of thousands of times per run
            self._load()
        return self._text

    @property
    def readable(self) -> bool:
        if self.vouched_clean:
            return True  # decoded fine with this very stat before; read when the text is needed
        if not self._loaded:
            self._load()
        return self._text is not None

    @property
    def sha256(self) -> str | None:
        if not self._loaded:
            if self._stat_sha is not None:
                return self._stat_sha
            self._load()
        if self._sha is None and self._text is not None:
            self._sha = hashlib.sha256(self._text.encode("utf-8")).hexdigest()
        return self._sha

    @cached_property
    def src(self) -> SourceText:
        from clawlint.source import SourceText  # parsing code: not needed by a warm run

        return SourceText(self.text or "")

    @cached_property
    def frontmatter(self) -> FrontMatter | None:
        if self.text is None or self.kind not in MARKDOWN_KINDS:
            return None
        from clawlint.source import find_frontmatter, parse_frontmatter_yaml

        fm = find_frontmatter(self.text)
        if fm is not None and fm.terminated:
            parse_frontmatter_yaml(fm)
        return fm

    @cached_property
    def markdown(self) -> MarkdownDoc:
        fm = self.frontmatter
        body = fm.body_offset if (fm is not None and fm.terminated) else 0
        from clawlint.source import MarkdownDoc

        return MarkdownDoc(self.src, body)

    @property
    def name(self) -> str:
        return PurePosixPath(self.rel).name


class Workspace:
    """All files of one workspace, classified once, parsed lazily."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        targets: list[str] | None = None,
        overlay: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.settings = settings
        # Workspace-relative paths (files or folders) the user asked about; None = all.
        self.targets = targets
        # Text that replaces a file's content on disk (used while applying fixes).
        self.overlay = overlay or {}
        self.files: dict[str, SourceFile] = {}
        self.symlink_problems: list[tuple[str, ReadProblem]] = []
        # Every path seen in the walk (classified or not, excluded ones too; skipped directories
        # only by name), with symlink targets: rules that test whether a path exists or where a
        # link points depend on it, so the result cache hashes it.
        self.listing: list[str] = []
        self._cache: dict[str, Any] = {}  # per-run memo for cross-file computations
        self._scan()

    # ---- discovery -----------------------------------------------------------------
    def _excluded(self, rel: str) -> bool:
        for pat in self.settings.exclude:
            if fnmatch.fnmatch(rel, pat) or fnmatch.fnmatch(PurePosixPath(rel).name, pat):
                return True
            if pat.endswith("/") and (rel + "/").startswith(pat):
                return True
            if fnmatch.fnmatch(rel, pat.rstrip("/") + "/*"):
                return True
        return False

    def classify(self, rel: str) -> Kind | None:
        parts = rel.split("/")
        name = parts[-1]
        cards = self.settings.cards_path.strip("/")
        if len(parts) == 1:
            if name in wf.BOOTSTRAP_FILES:
                return Kind.BOOTSTRAP
            if name == wf.LEGACY_ROOT_MEMORY:
                return Kind.LEGACY_MEMORY
            if name in wf.CONFIG_FILENAMES:
                return Kind.CONFIG
            return Kind.MARKDOWN if name.endswith(".md") else None
        if parts[0] == wf.MEMORY_DIR:
            if not name.endswith(".md"):
                return Kind.MEMORY_NON_MD
            if rel.startswith(cards + "/"):
                return Kind.CARD
            if len(parts) == 2 and wf.DAILY_LOG_RE.match(name):
                return Kind.DAILY_LOG
            return Kind.MEMORY_OTHER
        if parts[0] == wf.SKILLS_DIR and name == wf.SKILL_FILENAME:
            return Kind.SKILL if len(parts) - 2 <= wf.SKILL_MAX_DEPTH else Kind.MARKDOWN
        if parts[0] == wf.HOOKS_DIR and len(parts) == 3:
            if name == wf.HOOK_FILENAME:
                return Kind.HOOK
            if name in wf.HOOK_HANDLER_FILENAMES:
                return Kind.HOOK_HANDLER
        if name.endswith(".md"):
            return Kind.MARKDOWN
        return None

    def _scan(self) -> None:
        root = self.root
        root_real = os.path.realpath(root)
        seen_dirs: set[tuple[int, int]] = set()
        listing = self.listing
        cache_rel = _rel_inside(root, getattr(self.settings, "cache_dir", "") or "")
        files = self.files
        overlay = self.overlay
        excluded = self._excluded if self.settings.exclude else (lambda rel: False)

        # Depth-first in sorted order (what os.walk(topdown) gives), with os.scandir so that
        # symlink and directory tests come from the directory entry, not a syscall per file.
        # Excluded directories are still walked, only to list their paths.
        stack: list[tuple[str, str, bool]] = [(str(root), "", False)]
        while stack:
            dirpath, rel_dir, only_list = stack.pop()
            try:
                st = os.stat(dirpath)
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    continue
                seen_dirs.add(key)
                with os.scandir(dirpath) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError:
                continue
            subdirs: list[tuple[str, str, bool]] = []
            names_files = []
            for e in entries:
                try:
                    is_link = e.is_symlink()
                    is_dir = not is_link and e.is_dir(follow_symlinks=False)
                    if is_link and os.path.isdir(e.path):
                        is_dir = True  # a link to a directory: listed, never followed
                except OSError:
                    is_link, is_dir = False, False
                if not is_dir:
                    names_files.append((e, is_link))
                    continue
                d = e.name
                rel = f"{rel_dir}/{d}" if rel_dir else d
                if is_link:
                    listing.append(f"l:{rel}>{_readlink(e.path)}")
                    # Directory symlinks are not followed by OpenClaw's memory indexer either.
                    if not only_list and d not in wf.SKIP_DIRS and not excluded(rel):
                        self._check_dir_link(e.path, rel, root_real)
                    continue
                if d in wf.SKIP_DIRS or rel == cache_rel:
                    continue  # the result cache changes on every run; it is never an input
                listing.append(f"d:{rel}")
                subdirs.append((e.path, rel, only_list or excluded(rel)))
            for e, is_link in names_files:
                fname = e.name
                rel = f"{rel_dir}/{fname}" if rel_dir else fname
                listing.append(f"l:{rel}>{_readlink(e.path)}" if is_link else f"f:{rel}")
                if only_list:
                    continue
                leave_out = excluded(rel)
                kind = self.classify(rel)
                if kind is None or (leave_out and kind not in _INJECTED_KINDS):
                    continue
                sf = SourceFile(abspath=e.path, rel=rel, kind=kind, is_symlink=is_link)
                # An excluded bootstrap file is still injected by OpenClaw: the prompt
                # simulation keeps it (no false "missing" or wrong totals); nothing is
                # reported on it.
                sf.excluded = leave_out
                if is_link:
                    prob = self._link_problem(Path(e.path), root_real)
                    if prob is not None:
                        sf.problem = prob
                        sf._loaded = True
                if rel in overlay:
                    sf._text, sf._loaded = overlay[rel], True
                files[rel] = sf
            stack.extend(reversed(subdirs))

    def _link_problem(self, full: Path, root_real: str) -> ReadProblem | None:
        try:
            target = os.path.realpath(full, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP or "loop" in str(exc).lower():
                return ReadProblem("PAR005", "symlink loop: the link never resolves to a file; remove or fix it")
            return ReadProblem("PAR005", "broken symlink: its target does not exist; remove it or restore the target")
        if os.path.commonpath([target, root_real]) != root_real:
            return ReadProblem(
                "PAR006",
                f"symlink points outside the workspace ({target}); OpenClaw only opens files that "
                "resolve inside the workspace root, so this file is skipped. Copy the content in instead",
            )
        return None

    def _check_dir_link(self, full: str, rel: str, root_real: str) -> None:
        prob = self._link_problem(Path(full), root_real)
        if prob is not None:
            self.symlink_problems.append((rel, prob))

    # ---- queries -------------------------------------------------------------------
    def of_kind(self, *kinds: Kind) -> list[SourceFile]:
        return [f for f in self.files.values() if f.kind in kinds]

    def get(self, rel: str) -> SourceFile | None:
        return self.files.get(rel)

    def bootstrap(self, name: str) -> SourceFile | None:
        f = self.files.get(name)
        return f if f is not None and f.kind is Kind.BOOTSTRAP else None

    def is_target(self, rel: str) -> bool:
        f = self.files.get(rel)
        if f is not None and f.excluded:
            return False
        if self.targets is None:
            return True
        return any(t in ("", ".") or rel == t or rel.startswith(t + "/") for t in self.targets)

    def files_of(self, kinds: frozenset[Kind]) -> list[SourceFile]:
        """Readable files of these kinds that per-file rules check, in scan order (computed
        once per set of kinds); not excluded ones, which are kept only for the prompt."""
        key = ("files-of", kinds)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = [
                f for f in self.files.values() if f.kind in kinds and not f.excluded and f.readable
            ]
        return found

    def memo(self, key: str, factory: Any) -> Any:
        """Compute a cross-file value once per run (e.g. the assembled prompt prefix)."""
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]

    @cached_property
    def openclaw(self) -> Any:
        """The OpenClaw config for this workspace (parsed once), or None when there is none."""
        from clawlint.openclaw_config import load_for_workspace

        return load_for_workspace(self)

    def openclaw_or_none(self) -> Any:
        """`openclaw`, or None when loading it failed: rules that only read a setting from it
        carry on with the defaults (the config rules report the problem)."""
        try:
            return self.openclaw
        except Exception:  # noqa: BLE001
            return None


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-16 (little-endian)' and the like for text saved in UTF-16/32, by its BOM or, without
    one, by NUL bytes in every other position of mostly-ASCII text; None for anything else."""
    for bom, name, codec in ((b"\xff\xfe\x00\x00", "UTF-32 (little-endian)", "utf-32-le"),
                             (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)", "utf-32-be"),
                             (b"\xff\xfe", "UTF-16 (little-endian)", "utf-16-le"),
                             (b"\xfe\xff", "UTF-16 (big-endian)", "utf-16-be")):
        if data.startswith(bom):
            try:
                data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                return None
            return name
    head = data[:1024]
    if len(head) < 4 or len(data) % 2:
        return None
    even, odd = head[0::2], head[1::2]
    for zeros, text, name, codec in ((odd, even, "UTF-16 (little-endian)", "utf-16-le"),
                                     (even, odd, "UTF-16 (big-endian)", "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) == 0:
            try:
                data.decode(codec)
            except UnicodeDecodeError:
                return None
            return name
    return None


def _rel_inside(root: Path, path: str) -> str:
    """`path` (absolute or relative to root) as a workspace-relative POSIX path, or "\0"."""
    if not path:
        return "\0"
    full = Path(path) if os.path.isabs(path) else root / path
    try:
        rel = os.path.relpath(os.path.abspath(full), os.path.abspath(root))
    except ValueError:
        return "\0"
    return "\0" if rel.startswith("..") or rel == "." else rel.replace(os.sep, "/")


def _readlink(path: str | Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def real_target(path: Path) -> Path:
    """`path` with every folder on the way resolved; a symlink itself stays a link (it is
    linted as one), but a link among its parents is followed."""
    if path.is_symlink():
        return Path(os.path.realpath(os.path.abspath(path.parent))) / path.name
    return path.resolve()


def find_root(path: Path, probed: list[str] | None = None) -> Path | None:
    """The nearest directory at or above `path` that looks like an OpenClaw workspace.
    `probed` collects every path looked at (a replay depends on them staying as they are)."""
    path = real_target(path)
    start = path if path.is_dir() else path.parent
    for cand in (start, *start.parents):
        for name in (*wf.WORKSPACE_MARKERS, ".git"):
            if probed is not None:
                probed.append(str(cand / name))
        if any((cand / m).exists() for m in wf.WORKSPACE_MARKERS):
            return cand
        if (cand / ".git").exists():
            break
    return None
