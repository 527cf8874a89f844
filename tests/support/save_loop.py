"""A child process that saves complaints as fast as it can until it is killed.

Prints each registration number after its transaction committed, so the
parent knows what must have survived the SIGKILL.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lapor_desktop.desk import open_desk
from lapor_desktop.paths import DataPaths
from tests.support import accounts
from tests.support.samples import valid_form


def main() -> None:
    desk = open_desk(DataPaths(Path(sys.argv[1])), account_factory=accounts.cheap_accounts)
    actor = accounts.sign_in_supervisor(desk).actor
    n = 0
    while True:
        n += 1
        form = valid_form(title=f"Keluhan nomor {n} tentang air bersih")
        outcome = (
            desk.intake.submit(form, actor=actor)
            if n % 3
            else desk.intake.save_draft(form, actor=actor)
        )
        print(outcome.uuid, flush=True)


if __name__ == "__main__":
    main()
