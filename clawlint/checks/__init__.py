"""Rule implementations, one family per module. Each registers with `@rule(CODE)`;
name, severity, options and documentation live in `rules/CODE.md`."""
