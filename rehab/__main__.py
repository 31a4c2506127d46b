"""``python -m rehab`` is the same as the ``rehab`` command."""

import sys

from rehab.app.cli import main

sys.exit(main())
