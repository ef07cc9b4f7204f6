"""Where the pure-Python near-duplicate search stops paying off.

DUP001's lexical backend finds all card pairs above the TF-IDF cosine threshold. Small corpora
run in pure Python (clawlint.retrieval.lexical.pairs_above_small); larger ones use numpy, whose
import alone takes ~0.1 s. For generated workspaces (benchmarks/bench.py's generator) this
prints both timings, each in a fresh process so the numpy side pays its import as a real run
does, and checks that both give the same pairs and similarities.

    python benchmarks/lexical_crossover.py                  # 40 100 200 300 400 600 cards
    python benchmarks/lexical_crossover.py --sizes 40 1000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
from pathlib import Path
from clawlint.config import Settings
from clawlint.workspace import Workspace
from clawlint.checks.duplicates import _card_units
texts = [u.text for u in _card_units(Workspace(Path(sys.argv[1]), Settings(no_cache=True), None))]
t = time.perf_counter()
from clawlint.retrieval import lexical as L
if sys.argv[2] == "python":
    L.SMALL_CORPUS_CHARS = 10**12  # force the pure-Python path at every size
    L.SMALL_CANDIDATE_BUDGET = 10**12
    pairs = L.pairs_above_small(texts, 0.8)
else:
    pairs = L.TfIdf(texts, pairs_only=True).pairs_above(0.8)
took = time.perf_counter() - t
print(json.dumps({"s": took, "chars": sum(map(len, texts)), "pairs": pairs}))
"""


def run(root: Path, mode: str, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(root), mode], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[40, 100, 200, 300, 400, 600])
    ap.add_argument("--repeat", type=int, default=3, help="runs per size and path (best kept)")
    args = ap.parse_args()
    repo = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(repo / "benchmarks"))
    from bench import generate

    env = {**os.environ, "PYTHONPATH": str(repo) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    from clawlint.retrieval.lexical import SMALL_CORPUS_CHARS

    print(f"{'cards':>6} {'chars':>9} {'python':>9} {'numpy':>9}  same  path used by clawlint")
    for n in args.sizes:
        root = Path(tempfile.mkdtemp(prefix=f"clawlint-lex-{n}-"))
        try:
            generate(root, n)
            py = [run(root, "python", env) for _ in range(args.repeat)]
            np_ = [run(root, "numpy", env) for _ in range(args.repeat)]
            same = py[0]["pairs"] == np_[0]["pairs"]
            chars = py[0]["chars"]
            used = "python" if chars <= SMALL_CORPUS_CHARS else "numpy"
            print(f"{n:>6} {chars:>9,} {min(r['s'] for r in py) * 1000:>7.0f}ms "
                  f"{min(r['s'] for r in np_) * 1000:>7.0f}ms  {'yes' if same else 'NO':>4}  {used}")
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
