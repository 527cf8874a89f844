"""Which passwords and user names an account may have: length, name, and zxcvbn's strength.

A short list of common passwords let ``Lingga2104!`` and ``qwerty123456``
through. zxcvbn estimates how many guesses a password takes, knowing
keyboard patterns, dates, leet-speak and dictionaries, and it is told the
words an attacker tries first here: the user name, the office's name and
code, and the words of this application and of Indonesian offices.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from zxcvbn import zxcvbn

from lapor_desktop.i18n import N_, Message

MIN_PASSWORD_LENGTH = 10
MIN_STRENGTH = 3
"""zxcvbn's score, 0 to 4: 3 is "safely unguessable" (about 10^10 guesses), enough offline
against Argon2id."""
UNAUTHENTICATED = "unauthenticated"
RESERVED_USERNAMES = frozenset({"system", "machine", "admin", "root", UNAUTHENTICATED})
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
_WORD = re.compile(r"[0-9a-z]+")
LOCAL_WORDS = [
    "lapor",
    "sp4n",
    "pengaduan",
    "aduan",
    "laporan",
    "kecamatan",
    "kelurahan",
    "kabupaten",
    "kota",
    "provinsi",
    "desa",
    "kantor",
    "pelayanan",
    "pemerintah",
    "camat",
    "bupati",
    "walikota",
    "indonesia",
    "jakarta",
    "garuda",
    "pancasila",
    "merdeka",
    "bismillah",
    "rahasia",
    "sandi",
    "katasandi",
    "sayang",
    "sayangku",
    "admin",
    "superadmin",
]
"""Words an attacker at an Indonesian office tries first (zxcvbn's own lists are English)."""


def normalise(password: str) -> str:
    """NFC, so that the same password typed on any keyboard hashes the same."""
    return unicodedata.normalize("NFC", password)


def normalise_username(raw: str) -> str:
    return raw.strip().casefold()


def check_username(username: str) -> Message | None:
    """Why a (normalised) user name cannot be used, or None when it can."""
    if not _USERNAME.fullmatch(username):
        return Message(
            N_(
                "A user name has 2 to 32 characters: lower-case letters, digits, dots, "
                "hyphens or underscores, starting with a letter or a digit."
            )
        )
    if username in RESERVED_USERNAMES:
        return Message(N_("This user name is reserved."))
    return None


def check_password(password: str, username: str, *, context: Iterable[str] = ()) -> Message | None:
    """Why ``password`` is not acceptable for ``username``, or None when it is.

    ``context``: more words an attacker would try, such as the office's name and code.
    """
    password = normalise(password)
    folded = password.casefold()
    name = username.strip().casefold()
    if len(password) < MIN_PASSWORD_LENGTH:
        return Message(
            N_("A password needs at least {minimum} characters."),
            {"minimum": MIN_PASSWORD_LENGTH},
        )
    if len(name) >= 3 and name in folded:  # a two-letter name would forbid too many words
        return Message(N_("The password must not contain the user name."))
    if len(set(password)) == 1:
        return Message(N_("The password must not be one character repeated."))
    score = zxcvbn(password, user_inputs=guessable_words(name, context))["score"]
    if score < MIN_STRENGTH:
        return Message(
            N_(
                "This password is too common or too easy to guess (strength {score} of 4, "
                "at least {minimum} needed). Several unrelated words joined by signs and a "
                "number are strong and easy to remember."
            ),
            {"score": score, "minimum": MIN_STRENGTH},
        )
    return None


def guessable_words(username: str, context: Iterable[str]) -> list[str]:
    """The user name, each word of ``context`` (three letters or more) and the local words."""
    words = [username] if username else []
    for text in context:
        words += [w for w in _WORD.findall(text.casefold()) if len(w) >= 3 or w.isdigit()]
    return [*dict.fromkeys(words), *LOCAL_WORDS]
