"""``python -m ray_operator``."""

import sys

from ray_operator.cli import main

sys.exit(main())
