"""``python -m bench``: run the benchmarks and print a table."""

import sys

from bench.cli import main

sys.exit(main())
