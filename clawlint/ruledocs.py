"""Rule documentation: one Markdown file per rule in `rules/`, the single source for
`clawlint rule`, SARIF rule help, the README table and the Example/Use-instead tests.

Format::

    ---
    code: CV001
    name: volatile-stamp
    severity: warning          # error | warning | info
    fixable: none              # none | safe | unsafe
    default: true              # enabled without --select
    summary: One line, shown in tables and SARIF shortDescription
    options: {max_chars: 4096} # optional; defaults for [tool.clawlint.rules.CV001]
    ---
    ## What it does
    ## Why is this bad?
    ## Example          (fenced blocks with `file=PATH` are written to a test workspace)
    ## Use instead
    ## Fix
    ## Options          (optional)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from clawlint.diagnostics import Severity

DOCS_BASE_URL = "https://github.com/clawlint/clawlint/blob/main/rules/"
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix")
_FENCE_RE = re.compile(r"^(```+|~~~+)([^\n]*)\n(.*?)^\1[ \t]*$", re.M | re.S)


@dataclass
class ExampleFile:
    path: str
    content: str


@dataclass
class RuleDoc:
    code: str
    name: str
    severity: Severity
    fixable: str
    default: bool
    summary: str
    options: dict[str, Any]
    # None until needed: a lint run reads only the metadata (from the index), and reading
    # 102 pages for bodies nobody prints would cost every warm run.
    _body: str | None = field(default=None, repr=False)
    _sections: dict[str, str] | None = field(default=None, repr=False)
    source: Path | None = None

    @property
    def body(self) -> str:
        if self._body is None:
            self._body = _split(self.source)[1] if self.source is not None else ""
        return self._body

    @property
    def sections(self) -> dict[str, str]:
        if self._sections is None:
            self._sections = _split_sections(self.body)
        return self._sections

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}.md"

    def example_files(self, section: str) -> list[ExampleFile]:
        return [
            ExampleFile(path, content)
            for path, content in _fenced_files(self.sections.get(section, ""))
        ]

    @property
    def fix_text(self) -> str:
        return {"safe": "Fix is available (safe).", "unsafe": "Fix is available with --unsafe-fixes.",
                "none": "No automatic fix."}.get(self.fixable, "")

    def render(self) -> str:
        """The rule page as Markdown (what `clawlint rule CODE` prints)."""
        head = (
            f"# {self.name} ({self.code})\n\n"
            f"Default severity: **{self.severity.value}**. "
            f"{'Enabled by default.' if self.default else 'Opt-in (enable with --select).'} "
            f"{self.fix_text}\n\n"
        )
        return head + self.body.strip() + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "default": self.default,
            "fixable": self.fixable,
            "summary": self.summary,
            "options": self.options,
            "explanation": self.body.strip(),
            "url": self.help_uri,
        }


def _fenced_files(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _FENCE_RE.finditer(text):
        info = m.group(2)
        fm = re.search(r"\bfile=(\S+)", info)
        if fm:
            out.append((fm.group(1), m.group(3)))
    return out


def rules_dir() -> Path:
    """`clawlint/_rules` in an installed wheel, `<checkout>/rules` from a source tree."""
    pkg = Path(__file__).resolve().parent
    for cand in (pkg / "_rules", pkg.parent / "rules"):
        if cand.is_dir():
            return cand
    raise RuntimeError("clawlint rule documentation not found (expected clawlint/_rules or rules/)")


class RuleDocError(Exception):
    pass


def _split_sections(body: str) -> dict[str, str]:
    """`## Heading` sections, ignoring `##` lines inside fenced code blocks."""
    sections: dict[str, str] = {}
    current: str | None = None
    buf: list[str] = []
    fence: str | None = None
    for line in body.splitlines(keepends=True):
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            if fence is None:
                fence = marker
            elif marker == fence:
                fence = None
        if fence is None and line.startswith("## "):
            if current is not None:
                sections[current] = "".join(buf)
            current, buf = line[3:].strip(), []
            continue
        buf.append(line)
    if current is not None:
        sections[current] = "".join(buf)
    return sections


def _split(path: Path) -> tuple[str, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise RuleDocError(f"{path}: rule doc must start with YAML frontmatter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise RuleDocError(f"{path}: unterminated frontmatter")
    return text[4:end], text[end + 5 :]


def _parse_meta(raw: str) -> dict[str, Any]:
    import yaml  # only when the frontmatter index is cold

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster
    return yaml.load(raw, Loader=loader) or {}


def parse_doc(path: Path, meta: dict[str, Any] | None = None) -> RuleDoc:
    body: str | None = None
    if meta is None:
        raw, body = _split(path)
        meta = _parse_meta(raw)
    try:
        doc = RuleDoc(
            code=str(meta["code"]),
            name=str(meta["name"]),
            severity=Severity.parse(str(meta["severity"])),
            fixable=str(meta.get("fixable", "none")),
            default=bool(meta.get("default", True)),
            summary=str(meta["summary"]),
            options=dict(meta.get("options") or {}),
            _body=body,
            source=path,
        )
    except KeyError as exc:
        raise RuleDocError(f"{path}: missing frontmatter key {exc}") from None
    return doc


def _meta_index_path(paths: list[Path]) -> Path | None:
    """A per-user cache of parsed frontmatter, so a warm run need not import YAML."""
    import hashlib

    from clawlint import __version__

    h = hashlib.sha256(__version__.encode())
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            return None
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    from clawlint.paths import user_cache_dir

    return Path(user_cache_dir()) / f"ruledocs-{h.hexdigest()[:24]}.json"


@lru_cache(maxsize=1)
def load_all() -> dict[str, RuleDoc]:
    import json

    paths = [p for p in sorted(rules_dir().glob("*.md")) if p.name.lower() != "readme.md"]
    index_path = _meta_index_path(paths)
    index: dict[str, Any] | None = None
    if index_path is not None:
        try:
            from clawlint.atomic import read_cache_bytes

            raw = read_cache_bytes(index_path)
            index = json.loads(raw) if raw is not None else None
        except (ValueError, RecursionError):
            index = None
    fresh: dict[str, Any] = {}
    docs = {}
    for path in paths:
        meta = index.get(path.name) if isinstance(index, dict) else None
        if not isinstance(meta, dict):
            meta = _parse_meta(_split(path)[0])
        fresh[path.name] = meta
        doc = parse_doc(path, meta)
        docs[doc.code] = doc
    if index_path is not None and index is None:
        from clawlint.atomic import write_quietly

        try:
            # A read-only home or options that JSON cannot hold: parse every time.
            if write_quietly(index_path, json.dumps(fresh).encode("utf-8")):
                _prune_indexes(index_path.parent)
        except (TypeError, ValueError):
            pass
    return docs


KEEP_INDEXES = 8  # one per installed version or edited checkout in use; older ones go


def _prune_indexes(folder: Path) -> None:
    try:
        found = [(p.stat().st_mtime, p) for p in folder.glob("ruledocs-*.json")]
    except OSError:
        return
    for _mtime, p in sorted(found, reverse=True)[KEEP_INDEXES:]:
        try:
            p.unlink()
        except OSError:
            pass
