"""Extra CLI commands; each module exposes a click command named `command`."""
