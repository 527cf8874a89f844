"""``python -m sync.reference_server --port P --data-dir D``."""

import sys

from sync.reference_server.cli import main

if __name__ == "__main__":
    sys.exit(main())
