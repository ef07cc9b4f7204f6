"""OpenClaw ground truth as data, in one package.

Each module holds the facts for one area (bootstrap files, memory search, skills, ...),
with the source recorded next to each value (see ../shared/reference/openclaw-facts.md).
Rules import from here; nothing else in clawlint hard-codes OpenClaw names or numbers.
"""
