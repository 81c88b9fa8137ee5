"""`python -m benchmarks`: the benchmark's entry point (main thread)."""

import sys

from benchmarks.cli import main

sys.exit(main())
