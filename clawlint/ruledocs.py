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

import yaml

from clawlint.diagnostics import Severity

DOCS_BASE_URL = "https://github.com/clawlint/clawlint/blob/main/rules/"
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix")
_SECTION_RE = re.compile(r"^## (.+?)\s*$", re.M)
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
    body: str
    sections: dict[str, str] = field(default_factory=dict)
    source: Path | None = None

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


def parse_doc(path: Path) -> RuleDoc:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise RuleDocError(f"{path}: rule doc must start with YAML frontmatter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise RuleDocError(f"{path}: unterminated frontmatter")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: faster
    meta = yaml.load(text[4:end], Loader=loader) or {}
    body = text[end + 5 :]
    try:
        doc = RuleDoc(
            code=str(meta["code"]),
            name=str(meta["name"]),
            severity=Severity.parse(str(meta["severity"])),
            fixable=str(meta.get("fixable", "none")),
            default=bool(meta.get("default", True)),
            summary=str(meta["summary"]),
            options=dict(meta.get("options") or {}),
            body=body,
            source=path,
        )
    except KeyError as exc:
        raise RuleDocError(f"{path}: missing frontmatter key {exc}") from None
    parts = _SECTION_RE.split(body)
    for i in range(1, len(parts) - 1, 2):
        doc.sections[parts[i].strip()] = parts[i + 1]
    return doc


@lru_cache(maxsize=1)
def load_all() -> dict[str, RuleDoc]:
    docs = {}
    for path in sorted(rules_dir().glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        doc = parse_doc(path)
        docs[doc.code] = doc
    return docs
