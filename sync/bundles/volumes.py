"""A bundle cut into numbered volume files for a small stick or a phone's message limit.

Each volume names its bundle, its place, its own checksum and the whole envelope's, so
that joining them finds a missing, repeated, cut or damaged one and says which, before
the envelope's own signature is checked (``envelope.parse_envelope``).
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lapor_desktop import durable_files
from lapor_desktop.i18n import N_, Message
from sync.bundles.problems import BundleProblem

MAGIC = b"LAPOR-VOLUME/1\n"
SUFFIX = ".laporbundle"
MIN_VOLUME_BYTES = 64 * 1024
_LENGTH = struct.Struct(">I")
_MAX_HEADER = 4096

NOT_A_VOLUME = N_("{file} is not a volume of a LAPOR! bundle.")
CUT_SHORT = N_(
    "{file} (volume {index} of {count}) is cut short: {have} of {want} bytes. "
    "Copy it again from the stick or the phone."
)
VOLUME_DAMAGED = N_(
    "{file} (volume {index} of {count}) is damaged: its contents do not match its checksum. "
    "Copy it again."
)
MIXED = N_("These files belong to different bundles: import the volumes of one bundle at a time.")
MISSING = N_("Volumes {missing} of {count} are missing: bring every volume of the bundle.")
REPEATED = N_("Volume {index} was given twice with different contents: keep only the right copy.")
DISAGREE = N_("The volumes do not make up one whole bundle: copy all of them again.")
TOO_SMALL = N_("A volume must hold at least {minimum} KB.")


@dataclass(frozen=True)
class VolumeHeader:
    bundle_id: str
    index: int
    count: int
    part_bytes: int
    part_sha256: str
    envelope_bytes: int
    envelope_sha256: str


def volume_names(stem: str, count: int) -> list[str]:
    """``LAPOR-2104-B0007-1dari3.laporbundle``: the place in the name, for the person carrying."""
    return [f"{stem}-{i}dari{count}{SUFFIX}" for i in range(1, count + 1)]


def write_volumes(
    envelope: bytes,
    folder: Path,
    *,
    bundle_id: str,
    stem: str,
    max_volume_bytes: int | None = None,
) -> list[Path]:
    """Write the envelope as volumes of at most ``max_volume_bytes`` each (one if None).

    Each file is written whole or not at all (``durable_files``), so a stick pulled out
    mid-write leaves no volume that looks complete.
    """
    if max_volume_bytes is not None and max_volume_bytes < MIN_VOLUME_BYTES:
        raise BundleProblem(
            "volume_too_small", Message(TOO_SMALL, {"minimum": MIN_VOLUME_BYTES // 1024})
        )
    whole = hashlib.sha256(envelope).hexdigest()
    # The volume header and magic take room in each file: leave them a fixed allowance.
    room = (max_volume_bytes - _MAX_HEADER) if max_volume_bytes else max(len(envelope), 1)
    count = max(1, math.ceil(len(envelope) / room))
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for index, name in enumerate(volume_names(stem, count), start=1):
        part = envelope[(index - 1) * room : index * room]
        header = VolumeHeader(
            bundle_id,
            index,
            count,
            len(part),
            hashlib.sha256(part).hexdigest(),
            len(envelope),
            whole,
        )
        raw = json.dumps(header.__dict__, sort_keys=True, separators=(",", ":")).encode()
        path = folder / name
        durable_files.write_bytes(path, b"".join((MAGIC, _LENGTH.pack(len(raw)), raw, part)))
        paths.append(path)
    return paths


def read_volume(path: Path) -> tuple[VolumeHeader, bytes]:
    """One volume's header and part, checked whole and undamaged."""
    data = path.read_bytes()
    name = path.name
    start = len(MAGIC) + _LENGTH.size
    if not data.startswith(MAGIC) or len(data) < start:
        raise BundleProblem("not_a_volume", Message(NOT_A_VOLUME, {"file": name}))
    (length,) = _LENGTH.unpack_from(data, len(MAGIC))
    try:
        if length > _MAX_HEADER:
            raise ValueError("header too long")
        body = json.loads(data[start : start + length].decode("utf-8"))
        header = VolumeHeader(**body)
        if not (1 <= header.index <= header.count) or header.part_bytes < 0:
            raise ValueError("bad place")
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise BundleProblem("not_a_volume", Message(NOT_A_VOLUME, {"file": name})) from error
    part = data[start + length :]
    place = {"file": name, "index": header.index, "count": header.count}
    if len(part) < header.part_bytes:
        cut = {**place, "have": len(part), "want": header.part_bytes}
        raise BundleProblem("cut_short", Message(CUT_SHORT, cut))
    if len(part) > header.part_bytes or hashlib.sha256(part).hexdigest() != header.part_sha256:
        raise BundleProblem("volume_damaged", Message(VOLUME_DAMAGED, place))
    return header, part


def join_volumes(paths: Sequence[Path]) -> bytes:
    """The envelope the volumes hold, in any order given; an identical copy is ignored."""
    parts: dict[int, tuple[VolumeHeader, bytes]] = {}
    for path in paths:
        header, part = read_volume(path)
        first = next(iter(parts.values()), None)
        if first is not None and (
            first[0].envelope_sha256 != header.envelope_sha256 or first[0].count != header.count
        ):
            raise BundleProblem("mixed_bundles", Message(MIXED))
        seen = parts.get(header.index)
        if seen is not None and seen[1] != part:
            raise BundleProblem("repeated_volume", Message(REPEATED, {"index": header.index}))
        parts[header.index] = (header, part)
    if not parts:
        raise BundleProblem("missing_volumes", Message(MISSING, {"missing": "1", "count": 1}))
    count = next(iter(parts.values()))[0].count
    missing = [str(i) for i in range(1, count + 1) if i not in parts]
    if missing:
        where = {"missing": ", ".join(missing), "count": count}
        raise BundleProblem("missing_volumes", Message(MISSING, where))
    envelope = b"".join(parts[i][1] for i in range(1, count + 1))
    header = parts[1][0]
    if len(envelope) != header.envelope_bytes or (
        hashlib.sha256(envelope).hexdigest() != header.envelope_sha256
    ):
        raise BundleProblem("volumes_disagree", Message(DISAGREE))
    return envelope
