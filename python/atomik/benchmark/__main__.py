"""``python -m atomik.benchmark``: the command line (see :mod:`atomik.benchmark.cli`)."""

import sys

from atomik.benchmark import main

sys.exit(main())
