"""SEC: credentials written into workspace files.

Bootstrap files are sent to the model on every turn, everything under `memory/` is indexed
and returned by memory_search, and workspaces are usually git repositories (OpenClaw
`git init`s new ones; facts §1.6 "Do not commit secrets"). A token in any of them leaks.

Secrets never appear in a message: the message names the kind and a masked form
(`ghp_…P4`); the diagnostic span covers the value and carries `extra={"secret": True}` so
emitters mask it in source snippets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from clawlint.diagnostics import Diagnostic
from clawlint.registry import Context, rule
from clawlint.workspace import Kind, SourceFile

# Characters that may continue a token; a match must not start or end inside such a run,
# so `task-runner` never yields `sk-runner`.
_TOKCH = r"A-Za-z0-9_\-"
_B = rf"(?<![{_TOKCH}])"
_E = rf"(?![{_TOKCH}])"

# (kind, visible prefix length for the masked form, pattern). Order matters: the first
# pattern that matches at a position wins (Anthropic/project keys before generic `sk-`).
_KNOWN: tuple[tuple[str, str, str], ...] = (
    ("anthropic", "Anthropic API key", r"sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_\-]{32,}"),
    ("openai_proj", "OpenAI project API key", r"sk-proj-[A-Za-z0-9_\-]{20,}"),
    ("openai", "OpenAI API key", r"sk-(?:svcacct-|admin-)?[A-Za-z0-9_\-]{20,}"),
    ("stripe", "Stripe live key", r"(?:sk|rk)_live_[A-Za-z0-9]{20,}"),
    ("google", "Google API key", r"AIza[0-9A-Za-z_\-]{35}"),
    ("github", "GitHub token", r"gh[pousr]_[A-Za-z0-9]{36,255}"),
    ("github_pat", "GitHub fine-grained token", r"github_pat_[A-Za-z0-9_]{50,255}"),
    ("gitlab", "GitLab token", r"glpat-[A-Za-z0-9_\-]{20,}"),
    ("slack", "Slack token", r"xox[abposre]-[A-Za-z0-9\-]{10,}"),
    ("slack_app", "Slack app token", r"xapp-\d-[A-Za-z0-9\-]{10,}"),
    ("aws", "AWS access key ID", r"(?:AKIA|ASIA)[0-9A-Z]{16}"),
    ("huggingface", "Hugging Face token", r"hf_[A-Za-z0-9]{34,}"),
    ("npm", "npm token", r"npm_[A-Za-z0-9]{36}"),
    ("telegram", "Telegram bot token", r"\d{8,10}:[A-Za-z0-9_\-]{35}"),
    ("jwt", "JSON Web Token", r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
)
_KNOWN_RE = re.compile(
    "|".join(f"(?P<{name}>{_B}{pat}{_E})" for name, _label, pat in _KNOWN)
)
_LABELS = {name: label for name, label, _pat in _KNOWN}
# Cheap pre-filter (plain substring tests run in C): a file without any of these cannot
# match a known format.
_TRIGGER_LITERALS = ("sk-", "sk_live", "rk_live", "AIza", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
                     "github_pat_", "glpat-", "xox", "xapp-", "AKIA", "ASIA", "hf_", "npm_", "eyJ")
# `\d{8}:` written colon-first so the regex engine jumps between colons (20x faster).
_TELEGRAM_HINT = re.compile(r":(?<=\d{8}:)")


def _may_hold_known(text: str) -> bool:
    for t in _TRIGGER_LITERALS:
        if t in text:
            return True
    return ":" in text and _TELEGRAM_HINT.search(text) is not None


_PREFIX_RE = re.compile(
    r"^(sk-ant-[a-z]+\d*-|sk-proj-|sk-svcacct-|sk-admin-|sk-|[sr]k_live_|AIza|gh[pousr]_|"
    r"github_pat_|glpat-|xox[a-z]-|xapp-|AKIA|ASIA|hf_|npm_|eyJ)"
)

_PRIVATE_KEY_RE = re.compile(
    r"-----BEGIN (?P<kind>(?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----"
    r"(?P<body>.*?)-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    re.S,
)
_B64_LINE = re.compile(r"^[A-Za-z0-9+/=]{40,}$", re.M)

# `password = ...`, `api_key: ...`, `"apiKey": "..."`: found by the credential word right before
# the separator (a fast literal search), then the key is extended to the left. The key must END
# in the word, so `tokens: 400`, `tokenizer:` and `maxTokens:` never match.
_CRED_WORD_RE = re.compile(
    r"(?:password|passwd|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key|"
    r"auth[_\-]?key|private[_\-]?key|client[_\-]?secret|bearer)"
    r"(?P<q1>[\"']?)[ \t]*(?::=|:|=)[ \t]*",
    re.I,
)
_VALUE_RE = re.compile(
    r"(?P<qv>[\"'`])(?P<qval>[^\"'`\r\n]{1,300})(?P=qv)|(?P<val>[^\s\"'`,;)}\]]{1,300})"
)
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")


# Separator-first scan: a case-insensitive alternation tried at every character is slow
# (~0.25 ms per card), so find each `:`/`=` with a plain search and test only the few characters
# before it. The longest credential word is 13 characters (`client_secret`), plus a quote.
_WORD_BEFORE_SEP_RE = re.compile(
    r"(?:password|passwd|passphrase|pwd|secret|token|api[_\-]?key|access[_\-]?key|"
    r"auth[_\-]?key|private[_\-]?key|client[_\-]?secret|bearer)[\"']?\Z",
    re.I,
)
_MAX_WORD = 14


def _separators(text: str) -> Iterator[int]:
    """Offsets of every `:` and `=`, in order (str.find is a memchr; a regex scan is not)."""
    i = text.find(":")
    k = text.find("=")
    while i >= 0 or k >= 0:
        if k < 0 or 0 <= i < k:
            yield i
            i = text.find(":", i + 1)
        else:
            yield k
            k = text.find("=", k + 1)


def _cred_matches(text: str) -> Iterator[re.Match[str]]:
    """The same matches as `_CRED_WORD_RE.finditer(text)`, found from the separators.

    A match is word, optional quote, spaces/tabs, separator; so its start lies within
    `_MAX_WORD` characters before the separator once trailing spaces are skipped, and matches
    of later separators start after earlier separators (no overlap is possible)."""
    last_end = 0
    for i in _separators(text):
        if i < last_end:
            continue
        j = i
        while j > last_end and text[j - 1] in " \t":
            j -= 1
        w = _WORD_BEFORE_SEP_RE.search(text, max(last_end, j - _MAX_WORD), j)
        if w is None:
            continue
        m = _CRED_WORD_RE.match(text, w.start())
        if m is None:  # pragma: no cover - the two patterns agree by construction
            continue
        last_end = m.end()
        yield m


def assignments(text: str) -> Iterator[tuple[str, int, int]]:
    """(key, value start, value end) for each `<...credential word> [:=] value`."""
    for m in _cred_matches(text):
        start = m.start()
        while start > 0 and text[start - 1] in _KEY_CHARS:
            start -= 1
        key = re.split(r"[\"'\s:=]", text[start : m.end()], maxsplit=1)[0]
        if not key or not key[0].isalpha():
            continue
        q1 = m.group("q1")
        if q1 and (start == 0 or text[start - 1] != q1):
            continue  # `"apiKey": ...` needs its opening quote too
        v = _VALUE_RE.match(text, m.end())
        if v is None:
            continue
        g = "qval" if v.group("qval") is not None else "val"
        yield key, v.start(g), v.end(g)


_PLACEHOLDER_WORDS = re.compile(
    r"x{4,}|X{4,}|\*{3,}|\.{3}|…|example|placeholder|your[_\-]?|redact|changeme|change[_\-]me|"
    r"dummy|sample|fake|replace|insert|todo|secret[_\-]?here|<[^>]*>|\{\{|\$\{|^\$[A-Za-z_]|"
    r"^%[A-Za-z_]+%$|env\(|process\.env|os\.environ|getenv|^env:|^file:|^exec:|^keychain",
    re.I,
)
_ENV_NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SEQUENTIAL = ("0123456789", "123456789", "abcdefghij", "ABCDEFGHIJ", "qwertyuiop")
_NON_SECRET_VALUES = frozenset(
    {"true", "false", "null", "none", "nil", "required", "optional", "unset", "empty", "off", "on"}
)


def shannon_entropy(s: str) -> float:
    if not s:
        return 0.0
    counts: dict[str, int] = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _char_classes(s: str) -> int:
    return sum(
        (
            any(c.islower() for c in s),
            any(c.isupper() for c in s),
            any(c.isdigit() for c in s),
            any(not c.isalnum() for c in s),
        )
    )


def is_placeholder(value: str) -> bool:
    """`${VAR}`, `your_key`, `sk-xxxx`, `<redacted>`, `AKIAIOSFODNN7EXAMPLE`, `abc...`."""
    if _PLACEHOLDER_WORDS.search(value):
        return True
    if any(seq in value for seq in _SEQUENTIAL):
        return True
    core = _PREFIX_RE.sub("", value)
    # Runs of one character (`sk-aaaaaaaa…`) or a tiny alphabet are made up, not random.
    return len(core) >= 8 and len(set(core)) < min(8, len(core) // 3 + 1)


def _looks_random(kind: str, core: str) -> bool:
    """Real keys are random base62/base64url: digits, upper and lower case mixed (AWS key IDs
    are upper case and digits), high entropy. `sk-learn-compatible-notes` is prose."""
    has = (any(c.isupper() for c in core), any(c.islower() for c in core),
           any(c.isdigit() for c in core))
    if kind == "aws":
        ok = has[0] and has[2]
    elif kind == "telegram":
        ok = has[0] and has[1]  # the bot id before `:` carries the digits
    else:
        ok = all(has)
    return ok and shannon_entropy(core) >= 3.0


def mask(value: str, prefix: str = "") -> str:
    """`ghp_Zr8k…nP4` -> `ghp_…P4`: the kind's public prefix and the last two characters."""
    tail = value[-2:] if len(value) >= 12 else ""
    return f"{prefix}…{tail}"


@dataclass
class Finding:
    start: int
    end: int
    kind: str
    masked: str


def known_secrets(text: str) -> list[Finding]:
    out: list[Finding] = []
    if not _may_hold_known(text):
        return out
    for m in _KNOWN_RE.finditer(text):
        name = m.lastgroup or ""
        value = m.group(0)
        if is_placeholder(value):
            continue
        core = _PREFIX_RE.sub("", value)
        if not _looks_random(name, core):
            continue
        pm = _PREFIX_RE.match(value)
        prefix = pm.group(1) if pm else ""
        if name == "telegram":
            prefix = value.split(":", 1)[0][:3] + "…:"
            masked = f"{prefix}…{value[-2:]}"
        else:
            masked = mask(value, prefix)
        out.append(Finding(m.start(), m.end(), _LABELS.get(name, "token"), masked))
    return out


def private_keys(text: str) -> list[Finding]:
    out: list[Finding] = []
    if "PRIVATE KEY" not in text:
        return out
    for m in _PRIVATE_KEY_RE.finditer(text):
        body = m.group("body")
        # Documentation shows `-----BEGIN ... PRIVATE KEY-----\n...\n-----END ...`: no key.
        if not _B64_LINE.search(body.replace("\r", "")) or is_placeholder(body[:200]):
            continue
        kind = (m.group("kind") or "").strip()
        label = f"{kind} private key block" if kind else "private key block"
        out.append(Finding(m.start(), m.end(), label, "-----BEGIN … PRIVATE KEY-----"))
    return out


def looks_like_secret_value(value: str, min_length: int, min_entropy: float) -> bool:
    v = value.strip()
    if len(v) < min_length or any(c.isspace() for c in v):
        return False
    if v.lower() in _NON_SECRET_VALUES or is_placeholder(v) or _ENV_NAME_RE.match(v):
        return False
    if v.startswith(("/", "~/", "./", "../", "http://", "https://", "#", "@", "[", "{", "(")):
        return False
    if re.fullmatch(r"[\d.,:_\-]+", v):  # numbers, dates, times, versions
        return False
    classes = _char_classes(v)
    ent = shannon_entropy(v)
    if classes >= 3 and ent >= min_entropy:
        return True
    # Hex/base64-ish tokens: two classes but long and random.
    return classes == 2 and len(v) >= 16 and ent >= min_entropy + 0.5


def _emit(ctx: Context, f: SourceFile, fd: Finding, message: str) -> Diagnostic:
    d = ctx.diag(f, message, start=fd.start, end=fd.end, help=_HELP)
    d.extra = {"secret": True, "secret_kind": fd.kind}
    return d


_HELP = (
    "Bootstrap files are sent to the model on every turn, memory/ is indexed for "
    "memory_search, and workspaces are usually git repositories. Rotate the credential, "
    "then reference it from the environment (`${VAR}` in openclaw.json) instead."
)


# Every file clawlint reads, memory/'s non-Markdown files too: a secret's findings depend on
# its file alone, so these are per-file rules (an edit re-scans only the edited file).
ALL_KINDS = frozenset(Kind)


@rule("SEC001", kinds=ALL_KINDS)
def known_format_secret(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    text = f.text or ""
    for fd in private_keys(text) + known_secrets(text):
        yield _emit(
            ctx,
            f,
            fd,
            f"{fd.kind} ({fd.masked}) written in the workspace; revoke and rotate it, delete "
            "it from this file (and git history), and load it from an environment variable "
            "or a secrets store instead",
        )


@rule("SEC002", kinds=ALL_KINDS)
def credential_assignment(ctx: Context, f: SourceFile) -> Iterator[Diagnostic]:
    min_length = int(ctx.options.get("min_length", 8))
    min_entropy = float(ctx.options.get("min_entropy", 3.0))
    text = f.text or ""
    low = text.lower()
    if not any(w in low for w in ("pass", "pwd", "secret", "token", "key", "bearer")):
        return
    taken: list[tuple[int, int]] | None = None  # SEC001's spans, found only when needed
    for key, start, end in assignments(text):
        value = text[start:end]
        if not looks_like_secret_value(value, min_length, min_entropy):
            continue
        if taken is None:
            taken = [(x.start, x.end) for x in known_secrets(text) + private_keys(text)]
        if any(a < end and start < b for a, b in taken):
            continue  # already reported by SEC001
        fd = Finding(start, end, f"`{key}`", mask(value))
        yield _emit(
            ctx,
            f,
            fd,
            f"`{key}` is set to what looks like a real credential ({fd.masked}); move the "
            "value out of the workspace (environment variable or secrets store) and rotate it",
        )
