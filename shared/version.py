"""The one place the ClassChat version is kept (setup.cfg reads it from here)."""

__version__ = "0.1.0"
PRODUCT_NAME = "ClassChat"
