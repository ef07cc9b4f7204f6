"""The one Diagnostic type every rule produces and every emitter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            raise ValueError(
                f"invalid severity {value!r}; allowed: error, warning, info"
            ) from None


class Applicability(str, enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] (character offsets into the decoded file) with `content`."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    # A fix may target another file than the diagnostic (e.g. a rename); None = same file.
    rename_to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "applicability": self.applicability.value,
            "edits": [
                {"start": e.start, "end": e.end, "content": e.content} for e in self.edits
            ],
            **({"rename_to": self.rename_to} if self.rename_to else {}),
        }


@dataclass
class Diagnostic:
    code: str
    message: str
    path: str  # workspace-relative, POSIX separators
    line: int = 1  # 1-based
    column: int = 1  # 1-based
    end_line: int | None = None
    end_column: int | None = None  # exclusive, 1-based
    severity: Severity | None = None  # filled from the registry/config when None
    fix: Fix | None = None
    help: str | None = None
    name: str = ""  # filled by the engine from the registry
    # Absolute workspace root, so emitters can show paths relative to the current directory.
    root: str = ""
    # Rule-specific data; `secret: True` makes emitters mask the flagged span in snippets.
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.end_line is None:
            self.end_line = self.line
        if self.end_column is None:
            self.end_column = self.column

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is Applicability.SAFE

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value if self.severity else None,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "help": self.help,
            "fix": self.fix.to_dict() if self.fix else None,
        }
