"""clawlint: a static linter and prompt-cache auditor for OpenClaw agent workspaces."""

__version__ = "0.1.0"
