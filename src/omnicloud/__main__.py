"""``python -m omnicloud``: the command line, with the same exit codes as the script."""

import sys

from omnicloud.cli import main

sys.exit(main())
