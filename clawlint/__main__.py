"""Entry point: replay an unchanged check (clawlint/replay.py) before importing the CLI."""

import sys


def main() -> None:
    from clawlint.replay import try_replay

    code = try_replay(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from clawlint import recache

    recache.install()  # before the CLI and the rules import their patterns
    from clawlint.cli import main as cli_main

    try:
        cli_main()
    finally:
        recache.save()


if __name__ == "__main__":
    main()
