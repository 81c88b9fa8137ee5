"""Build machinery for the one-file ClassChat executables (not shipped; see docs/executables.md)."""
