"""Retrieval benchmark: DUP001 + DUP002 on generated 1,000- and 10,000-card workspaces.

For each size and backend it prints cold (empty embedding cache) and warm (nothing changed)
wall times, the number of texts sent to the embedding server, and the findings:

    python benchmarks/bench_retrieval.py                       # 1000 and 10000, both backends
    python benchmarks/bench_retrieval.py --sizes 1000 --backends lexical

Importable: `run(sizes, backends)` returns one dict per measurement (used by bench.py).
The Ollama path runs against tests/fake_ollama.py on 127.0.0.1 (its vectors are computed in
pure Python, so that side measures clawlint's client, batching and cache, not a real model).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "restic nightly snapshot weekly monthly repository integrity offsite bucket sunday port tcp "
    "proxy caddy library device password login prefer metric hour review schedule reminder "
    "appointment doctor dentist renew license plate insurance policy premium annual invoice "
    "paid pending bank transfer route gateway subnet dhcp lease static hostname domain "
    "certificate garden tomato basil recipe oven flour yeast marathon interval tempo playlist "
    "album vinyl school teacher homework tax receipt deduction printer toner cartridge vpn"
).split()
TOPICS = ["backup", "network", "ssh", "docker", "nas", "photos", "calendar", "travel", "budget",
          "garden", "car", "health", "reading", "music", "kids", "school", "taxes", "insurance"]


def make_workspace(root: Path, n: int, seed: int = 7, dup_rate: float = 0.01) -> int:
    """n cards with distinct facts, plus about n*dup_rate lightly edited copies among them.
    Returns the number of planted copies."""
    rng = random.Random(seed)
    cards = root / "memory" / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    (root / "AGENTS.md").write_text("# Agent\n", encoding="utf-8")
    copies = max(1, int(n * dup_rate))
    bodies: list[str] = []
    for i in range(n - copies):
        topic = f"{rng.choice(TOPICS).title()} note {i}"
        tags = rng.sample(TOPICS, 2)
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90)))
        body += f". Reference number {i}, code {rng.randint(1000, 9999)}."
        bodies.append(body)
        (cards / f"card-{i:05d}.md").write_text(
            f"---\ntopic: {topic}\ntags: [{', '.join(tags)}]\ncreated: 2026-01-01\n"
            f"updated: 2026-0{1 + i % 9}-01\n---\n# {topic}\n\n{body}\n", encoding="utf-8")
    for c in range(copies):
        src = cards / f"card-{c * 3:05d}.md"
        text = src.read_text(encoding="utf-8").replace("updated: 2026-", "updated: 2025-")
        words = text.split(" ")
        words[len(words) // 2] = "edited"
        (cards / f"copy-{c:05d}.md").write_text(" ".join(words), encoding="utf-8")
    return copies


def _lint(root: Path, settings: Any, select: list[str]) -> tuple[float, list[Any], Any]:
    from clawlint.engine import RunOptions, lint_workspace
    from clawlint.registry import resolve_selection
    from clawlint.workspace import Workspace

    t = time.perf_counter()
    ws = Workspace(root, settings)
    result = lint_workspace(ws, RunOptions(active=resolve_selection(settings, select)))
    return time.perf_counter() - t, result.diagnostics, ws


def run(sizes: list[int], backends: list[str], select: list[str] | None = None,
        out: Any = print) -> list[dict[str, Any]]:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from clawlint.config import Settings
    from clawlint.retrieval.run import get_retrieval

    select = select or ["DUP001", "DUP002"]
    rows: list[dict[str, Any]] = []
    for n in sizes:
        for backend in backends:
            tmp = Path(tempfile.mkdtemp(prefix=f"clawlint-bench-{n}-"))
            server = None
            try:
                planted = make_workspace(tmp, n)
                if backend == "ollama":
                    from fake_ollama import FakeOllama

                    server = FakeOllama().start()
                    settings = Settings(embeddings="ollama", ollama_url=server.url,
                                        embed_model="all-minilm")
                else:
                    settings = Settings(embeddings="lexical")
                settings.no_cache = False  # type: ignore[attr-defined]
                for phase in ("cold", "warm"):
                    wall, diags, ws = _lint(tmp, settings, select)
                    r = get_retrieval(ws)
                    row = {
                        "cards": n, "backend": backend, "phase": phase, "seconds": round(wall, 3),
                        "embedded": r.embedded, "planted_copies": planted,
                        "DUP001": sum(d.code == "DUP001" for d in diags),
                        "DUP002": sum(d.code == "DUP002" for d in diags),
                        "DUP003": sum(d.code == "DUP003" for d in diags),
                    }
                    rows.append(row)
                    out(f"{n:>6} cards  {backend:<8} {phase:<5} {wall:8.2f} s  "
                        f"embedded {row['embedded']:>6}  DUP001 {row['DUP001']:>4} "
                        f"(planted {planted})  DUP002 {row['DUP002']:>4}  DUP003 {row['DUP003']}")
            finally:
                if server is not None:
                    server.stop()
                shutil.rmtree(tmp, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--backends", nargs="+", choices=["lexical", "ollama"],
                    default=["lexical", "ollama"])
    ap.add_argument("--select", nargs="+", default=["DUP001", "DUP002"])
    args = ap.parse_args(argv)
    run(args.sizes, args.backends, args.select)
    return 0


if __name__ == "__main__":
    sys.exit(main())
