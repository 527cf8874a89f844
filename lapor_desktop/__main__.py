"""``python -m lapor_desktop``: the same as the ``lapor-desktop`` command."""

import sys

from lapor_desktop.launcher import main

if __name__ == "__main__":
    sys.exit(main())
