"""Memory-hygiene facts: the three-tier layout (MEMORY.md index, knowledge cards, daily logs),
what OpenClaw indexes under `memory/`, and the budgets behind the MEM/CRD/LOG/IDX rules.

Sources: the memory guide (shared/seeds/memory-and-cache-hygiene.txt, "the guide") and
shared/reference/openclaw-facts.md (section numbers below).
"""

from __future__ import annotations

import re

# ---- Tier 1: MEMORY.md ------------------------------------------------------------------
# Guide: "A slim file (~2KB) loaded every session"; its own size check warns above 4096.
MEMORY_MD_TARGET_CHARS = 2048
MEMORY_MD_WARN_CHARS = 4096
# The same budget in tokens at the ~4 chars/token rule of thumb (facts §2.3: chunker uses 4).
MEMORY_MD_WARN_TOKENS = 1024
# Where log-like content belongs (facts §2.1: "Keep detailed logs in memory/YYYY-MM-DD.md").
DAILY_LOG_HINT = "memory/YYYY-MM-DD.md"

# ---- Tier 2: knowledge cards --------------------------------------------------------------
# Guide: "Each card has YAML frontmatter for search": topic, category, tags, created, updated.
CARD_REQUIRED_FIELDS: tuple[str, ...] = ("topic", "category", "tags", "created", "updated")
CARD_TARGET_TOKENS = 350  # guide: "one topic per card, ~350 tokens each"
CARD_WARN_TOKENS = 600  # clawlint default: well past the target and past one search chunk
CARD_STALE_DAYS = 90  # guide's "card staleness scan" (decay pass); clawlint default window
# facts §2.3: memory search chunks are `tokens` (default 400) * 4 chars; a card above that
# is split across chunks, so one search hit no longer returns the whole card.
CHUNK_TOKENS_DEFAULT = 400
CHUNK_CHARS_DEFAULT = CHUNK_TOKENS_DEFAULT * 4

# YAML 1.1 booleans PyYAML resolves from plain scalars (yes/no/on/off in three casings).
YAML11_BOOL_WORDS = frozenset(
    {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}
)

# ---- Tier 3: daily logs -------------------------------------------------------------------
# facts §2.1/§2.6: memory/YYYY-MM-DD.md; the session-memory hook writes YYYY-MM-DD-<slug>.md
# (fallback YYYY-MM-DD-HHMM.md). Only those names are "dated" for temporal decay; any other
# name in memory/ is evergreen (never decayed).
DAILY_LOG_ARCHIVE_DAYS = 30  # guide: "Archive daily logs older than 30 days if desired."
TEMPORAL_DECAY_HALF_LIFE_DAYS = 30  # facts §2.6
# facts §1.5: contextLimits.memoryGetMaxChars default 12000: memory_get returns at most this
# much of a file, so a bigger log cannot be read back in one call.
MEMORY_GET_MAX_CHARS = 12000

# Names that carry a date but not in the form OpenClaw recognises (YYYY-M-D, YYYY_MM_DD,
# YYYYMMDD, YYYY.MM.DD), optionally followed by a slug.
LOOSE_DATE_NAME_RE = re.compile(
    r"^(?P<y>(?:19|20)\d{2})(?P<sep>[-_.]?)(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:(?P<slugsep>[-_ .])(?P<slug>.+?))?\.md$"
)

# ---- Indexed paths (facts §2.2) -----------------------------------------------------------
# `memory/` is walked recursively and every `.md` is indexed; other extensions are ignored
# (multimodal only applies to extraPaths).
INDEXED_SUFFIX = ".md"
# OpenClaw's own non-Markdown state under memory/ (facts §2.1: dreaming, Memory Audit).
OPENCLAW_OWNED_PREFIXES: tuple[str, ...] = ("memory/.dreams/", "memory/audit/")
# Harmless VCS placeholders and OS litter.
IGNORED_NON_MD_NAMES = frozenset({".gitkeep", ".keep", ".gitignore", ".gitattributes", ".DS_Store"})
# Non-Markdown backup suffixes (not indexed, but clutter that may hold stale secrets).
BACKUP_SUFFIXES: tuple[str, ...] = (".bak", ".orig", ".old", "~", ".swp")
# Guide gotcha 2: a migrated monolithic MEMORY.md backup "might be 50-60KB".
LARGE_DUMP_CHARS = 20000

# Inbound-message envelopes the session-memory hook copies into memory/ files verbatim
# (OpenClaw's own UI and recall plugins strip these before use).
SESSION_METADATA_MARKERS: tuple[str, ...] = (
    "Conversation info (untrusted metadata):",
    "Sender (untrusted metadata):",
    "Replied message (untrusted, for context):",
)
