"""Sharing files: the store in the data folder, its limits, and the transfer connections (see docs/files.md)."""
