"""SEC: secrets in workspace files. Fake tokens are assembled at run time so that this file
never holds a token-shaped literal."""

from __future__ import annotations

import pytest
from helpers import codes, lint

from clawlint.config import Settings
from clawlint.emitters import FORMATS, EmitContext, emit

R36 = "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"  # random-looking base62, 36 chars
SECRETS = {
    "GitHub token": "ghp" + "_" + R36,
    "OpenAI project API key": "sk-" + "proj-" + R36 + "_Qa9",
    "OpenAI API key": "sk-" + R36 + "Ab12",
    "Anthropic API key": "sk-" + "ant-api03-" + R36 + "Xy7_",
    "Google API key": "AI" + "za" + "Sy" + R36[:33],
    "Slack token": "xo" + "xb-" + "739184526031-4826159370452-" + R36[:24],
    "AWS access key ID": "AK" + "IA" + "Z3QX7V2B9K4M1N8P",
    "Telegram bot token": "784512963" + ":" + "AAHk3LmZq9Xr2Tb7Vn4Wc1Ys8Pd6Fg0Jh5K",
    "JSON Web Token": "ey" + "JhbGciOiJIUzI1NiJ9." + "ey" + "JzdWIiOiI5ODc2In0." + R36[:20],
    "Hugging Face token": "hf" + "_" + R36[:34],
    "GitLab token": "gl" + "pat-" + R36[:20],
}


def run(ws, files, select, settings=None):
    return lint(ws(files), select=select, settings=settings)


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_known_formats_found_and_masked(ws, kind):
    secret = SECRETS[kind]
    text = f"# TOOLS\n\nkey for the thing: {secret} (do not share)\n"
    d = run(ws, {"TOOLS.md": text}, ["SEC001"])
    assert codes(d) == ["SEC001"], kind
    diag = d[0]
    assert diag.message.startswith(kind)
    assert secret not in diag.message and secret[4:-2] not in diag.message
    assert diag.extra.get("secret") is True
    line = text.splitlines()[diag.line - 1]
    assert line[diag.column - 1 : diag.end_column - 1] == secret


def test_mask_shape(ws):
    d = run(ws, {"MEMORY.md": f"token {SECRETS['GitHub token']}\n"}, ["SEC001"])
    assert f"(ghp_…{R36[-2:]})" in d[0].message


@pytest.mark.parametrize("text", [
    "sk-" + "x" * 30,
    "OPENAI_API_KEY=${OPENAI_API_KEY}",
    "api key: sk-your-api-key-goes-here-please",
    "AK" + "IAIOSFODNN7EXAMPLE",
    "use the task-runner-" + R36 + " script",
    "sk-learn-compatible-estimator-pipelines-2026",
    "ghp_...P4 is the masked form",
    "token: <redacted>",
    "ghp" + "_" + "abcdefghijklmnopqrstuvwxyz0123456789",
    "xo" + "xb-000000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
])
def test_placeholders_and_words_ignored(ws, text):
    assert run(ws, {"TOOLS.md": f"# TOOLS\n\n{text}\n"}, ["SEC"]) == []


def test_private_key_block(ws):
    body = "\n".join([R36 + R36[:28]] * 3)
    key = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----"
    d = run(ws, {"memory/cards/ssh.md": f"# SSH\n\n```\n{key}\n```\n"}, ["SEC001"])
    assert codes(d) == ["SEC001"] and "OPENSSH private key block" in d[0].message
    assert d[0].line == 4 and d[0].end_line == 8 and R36 not in d[0].message


def test_private_key_placeholder_ignored(ws):
    doc = "-----BEGIN " + "PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"
    assert run(ws, {"AGENTS.md": doc}, ["SEC001"]) == []


@pytest.mark.parametrize("line, hit", [
    ("NAS_PASSWORD=Kx9!mQ2#vLp7", True),
    ('password = "Tr0ub4dor&3x"', True),
    ("api_key: a3f9b2c4d5e6f708a9b0c1d2e3f40516", True),
    ("- db secret: 'Summer2026!x'", True),
    ("password: hunter2", False),
    ("tokens: 400", False),
    ("maxTokens: 8000", False),
    ("tokenizer: trigram", False),
    ("DB_PASSWORD=${DB_PASSWORD}", False),
    ("token: your_token_here", False),
    ("pwd: /home/sam/projects", False),
    ("api-key=OPENAI_API_KEY", False),
    ("Password login is off; keys only.", False),
    ("secret: changeme123!", False),
    ("token: https://example.com/callback", False),
])
def test_credential_assignments(ws, line, hit):
    d = run(ws, {"TOOLS.md": f"# TOOLS\n\n{line}\n"}, ["SEC002"])
    assert bool(d) is hit, line
    if d:
        assert d[0].extra["secret"] and "…" in d[0].message


def test_assignment_with_known_secret_not_double_reported(ws):
    text = f"OPENAI_API_KEY={SECRETS['OpenAI API key']}\n"
    assert codes(run(ws, {"TOOLS.md": text}, ["SEC"])) == ["SEC001"]


def test_config_and_non_markdown_files_scanned(ws):
    files = {"openclaw.json": '{ "memorySearch": { "remote": { "apiKey": "' +
                              SECRETS["OpenAI project API key"] + '" } } }\n',
             "memory/export.json": '{"token": "' + SECRETS["GitHub token"] + '"}\n',
             "AGENTS.md": '# A\n\n```json\n{"apiKey": "ollama"}\n```\n'}
    d = run(ws, files, ["SEC"])
    assert sorted(x.path for x in d) == ["memory/export.json", "openclaw.json"]


def test_min_entropy_option(ws):
    settings = Settings(rules={"SEC002": {"min_entropy": 4.5}})
    assert run(ws, {"TOOLS.md": "NAS_PASSWORD=Kx9!mQ2#vLp7\n"}, ["SEC002"], settings) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_output_format_prints_the_secret(ws, fmt):
    # Values differ from the rule docs' examples, which SARIF embeds as rule help.
    secret = SECRETS["GitHub token"]
    text = f"# TOOLS\n\ndeploy token: {secret}\nNAS_PASSWORD=Vq7$wE3!pZ9r\n"
    d = run(ws, {"TOOLS.md": text}, ["SEC"])
    assert len(d) == 2
    lines = text.splitlines()
    ctx = EmitContext(source_line=lambda diag: lines[diag.line - 1])
    out = emit(fmt, d, ctx)
    assert secret not in out and R36[4:] not in out
    assert "Vq7$wE3!pZ9r" not in out


def test_separator_scan_matches_the_plain_regex_scan():
    """The fast separator-first scan finds exactly what `_CRED_WORD_RE.finditer` finds."""
    import random

    from clawlint.checks import secrets as s

    pieces = ["password", "PassWord", "pwd", "token", "api_key", "apikey", "API-KEY",
              "client_secret", "secret", "bearer", "private_key", "passphrase", ":", "=", ":=",
              " ", "\t", "\n", '"', "'", "x", "_", "-", "a1B2c3D4", "\u017fecret", "my", "."]
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 20)))
        want = [(m.start(), m.end(), m.group("q1")) for m in s._CRED_WORD_RE.finditer(text)]
        got = [(m.start(), m.end(), m.group("q1")) for m in s._cred_matches(text)]
        assert got == want, text


def test_telegram_hint_matches_digits_before_colon():
    from clawlint.checks import secrets as s

    assert s._may_hold_known("bot 12345678:abc")
    assert not s._may_hold_known("bot 1234567:abc and 12345678 :x")
