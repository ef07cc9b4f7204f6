"""Entry point: replay an unchanged check (clawlint/replay.py) before importing the CLI."""

import sys

GC_THRESHOLD = (50_000, 20, 20)  # CPython's default is (700, 10, 10)


def main() -> None:
    from clawlint.replay import try_replay

    code = try_replay(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    import gc

    # A lint run builds a large, long-lived heap (every file, its frontmatter and lines) and
    # frees little: with the default thresholds the collector walked it ~5 times and spent a
    # fifth of a 10,000-card run (0.8 s of 4 s). Collect young objects less often.
    gc.set_threshold(GC_THRESHOLD[0], GC_THRESHOLD[1], GC_THRESHOLD[2])
    from clawlint import dccache, recache

    recache.install()  # before the CLI and the rules import their patterns
    dccache.install()  # and define their dataclasses
    from clawlint.cli import main as cli_main

    try:
        cli_main()
    finally:
        recache.save()
        dccache.save()


if __name__ == "__main__":
    main()
