"""``python -m sdk`` runs the ``ddt`` command."""

import sys

from sdk.cli import main

sys.exit(main())
