"""Retrieval benchmark: DUP001 + DUP002 on generated 1,000- and 10,000-card workspaces.

For each size and backend it prints cold (empty embedding cache) and warm (nothing changed)
rule-only times (the workspace is loaded and card frontmatter parsed before the clock starts,
as every card rule needs it anyway), the number of texts sent to the embedding server, the
findings, and the process's RSS before the rules and at its peak (each size/backend runs in a
fresh subprocess so the peak belongs to it):

    python benchmarks/bench_retrieval.py                       # DUP001, then DUP002
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


def _lint(root: Path, settings: Any, select: list[str]) -> tuple[float, float, list[Any], Any]:
    from clawlint.engine import RunOptions, lint_workspace
    from clawlint.registry import resolve_selection
    from clawlint.workspace import Kind, Workspace

    ws = Workspace(root, settings)
    for f in ws.of_kind(Kind.CARD):  # shared parse work, not the rules' own time
        _ = f.frontmatter
    active = resolve_selection(settings, select)
    before, _ = _rss_mb()
    t = time.perf_counter()
    result = lint_workspace(ws, RunOptions(active=active))
    return time.perf_counter() - t, before, result.diagnostics, ws


def _rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB (Linux)."""
    import resource

    cur = 0.0
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            cur = int(fh.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        pass
    return cur, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(n: int, backend: str, select: list[str], out: Any = print) -> list[dict[str, Any]]:
    """One size and backend in this process: cold then warm."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from clawlint.config import Settings
    from clawlint.retrieval.run import get_retrieval

    rows: list[dict[str, Any]] = []
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
            wall, before, diags, ws = _lint(tmp, settings, select)
            _, peak = _rss_mb()
            r = get_retrieval(ws)
            row = {
                "cards": n, "backend": backend, "phase": phase, "seconds": round(wall, 3),
                "rss_before_mb": round(before, 1), "peak_rss_mb": round(peak, 1),
                "embedded": r.embedded, "planted_copies": planted,
                "DUP001": sum(d.code == "DUP001" for d in diags),
                "DUP002": sum(d.code == "DUP002" for d in diags),
                "DUP003": sum(d.code == "DUP003" for d in diags),
            }
            rows.append(row)
            out(f"{n:>6} cards  {backend:<8} {phase:<5} {'+'.join(select):<14} "
                f"rules {wall:7.2f} s  RSS {before:6.1f} -> peak {peak:6.1f} MB  "
                f"embedded {row['embedded']:>6}  DUP001 {row['DUP001']:>4} (planted {planted})"
                f"  DUP002 {row['DUP002']:>4}  DUP003 {row['DUP003']}")
            del diags, ws, r  # the warm run must not also hold the cold run's workspace
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def run(sizes: list[int], backends: list[str], select: list[str] | None = None,
        out: Any = print) -> list[dict[str, Any]]:
    """Every size x backend in a fresh subprocess (so peak RSS is per measurement)."""
    import json
    import subprocess

    select = select or ["DUP001"]
    rows: list[dict[str, Any]] = []
    for n in sizes:
        for backend in backends:
            proc = subprocess.run(
                [sys.executable, __file__, "--one", str(n), backend, "--select", *select],
                capture_output=True, text=True, check=False)
            for line in proc.stdout.splitlines():
                if line.startswith("@@ROWS "):
                    rows.extend(json.loads(line[7:]))
                elif line.strip():
                    out(line)
            if proc.returncode:
                out(proc.stderr.strip()[-2000:])
    return rows


def main(argv: list[str] | None = None) -> int:
    import json

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--backends", nargs="+", choices=["lexical", "ollama"],
                    default=["lexical", "ollama"])
    ap.add_argument("--select", nargs="+", default=None,
                    help="rules to time together (default: DUP001, then DUP002 separately)")
    ap.add_argument("--one", nargs=2, metavar=("N", "BACKEND"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        rows = measure(int(args.one[0]), args.one[1], args.select or ["DUP001"])
        print("@@ROWS " + json.dumps(rows))
        return 0
    for select in ([args.select] if args.select else [["DUP001"], ["DUP002"]]):
        run(args.sizes, args.backends, select)
    return 0


if __name__ == "__main__":
    sys.exit(main())
