"""``python -m sdk`` runs the ``ddt`` command."""

import sys

from .cli import main

sys.exit(main())
