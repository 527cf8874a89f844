"""This desk's bundle keys: made once, kept sealed with the data key, never in clear (issue 14)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import select

from lapor_desktop.desk import Desk
from lapor_desktop.security.keys import Tampered, b64encode, new_data_key
from lapor_desktop.services import device_keys
from lapor_desktop.storage.models import SyncValue
from sync.protocol.receipts import key_id as receipt_key_id
from tests.support.clock import FakeClock


def test_the_keys_are_made_once_and_the_same_pair_comes_back(desk: Desk, clock: FakeClock) -> None:
    cipher = device_keys.vault_cipher(desk.context.require_vault())
    with desk.database.write() as session:
        assert device_keys.load(session, cipher) is None
        assert device_keys.public_ids(session) is None
        made = device_keys.load_or_create(session, cipher, now=clock())
    with desk.database.write() as session:
        again = device_keys.load_or_create(session, cipher, now=clock())
        public = device_keys.public_ids(session)

    assert again.signing_public == made.signing_public
    assert again.sealing_public == made.sealing_public
    assert public is not None and public.signing_key == made.signing_public_b64
    assert public.signing_key_id == made.signing_key_id
    assert public.sealing_key_id == made.sealing_key_id
    # The same formula as the receipts' key ids in the sync layer.
    assert made.signing_key_id == receipt_key_id(made.signing.public_key())
    assert made.sealing_key_id == hashlib.sha256(made.sealing_public).hexdigest()[:16]
    assert made.signing_key_id not in repr(made.signing) and "DeviceKeys(signing=" in repr(made)


def test_no_private_key_is_stored_in_clear(desk: Desk, clock: FakeClock) -> None:
    cipher = device_keys.vault_cipher(desk.context.require_vault())
    with desk.database.write() as session:
        keys = device_keys.load_or_create(session, cipher, now=clock())
    raw = {
        keys.signing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
        keys.sealing.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()),
    }
    with desk.database.read() as session:
        stored = " ".join(session.scalars(select(SyncValue.value)))
    for secret in raw:
        assert b64encode(secret) not in stored and secret.hex() not in stored
    assert keys.signing_public_b64 in stored  # the public halves are no secret


def test_another_data_key_does_not_open_them(sqlite_desk: Desk, clock: FakeClock) -> None:
    cipher = device_keys.vault_cipher(sqlite_desk.context.require_vault())
    with sqlite_desk.database.write() as session:
        device_keys.load_or_create(session, cipher, now=clock())
    with sqlite_desk.database.read() as session, pytest.raises(Tampered):
        device_keys.load(session, device_keys.cipher_for(new_data_key()))


def test_the_national_bundle_key_and_the_registration_are_kept(
    sqlite_desk: Desk, clock: FakeClock
) -> None:
    national = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    cipher = device_keys.vault_cipher(sqlite_desk.context.require_vault())
    with sqlite_desk.database.write() as session:
        keys = device_keys.load_or_create(session, cipher, now=clock())
        assert device_keys.national_bundle_key(session) is None
        assert not device_keys.is_registered(session, keys)
        problem = device_keys.set_national_bundle_key(session, "not base64!", now=clock())
        assert problem is not None and "32 bytes" in problem.render("en")
        assert device_keys.set_national_bundle_key(session, b64encode(national[:16]), now=clock())
        assert (
            device_keys.set_national_bundle_key(session, b64encode(national), now=clock()) is None
        )
        device_keys.set_registered(session, keys.signing_key_id, now=clock())
    with sqlite_desk.database.read() as session:
        found = device_keys.national_bundle_key(session)
        assert found is not None
        assert found.public_bytes(Encoding.Raw, PublicFormat.Raw) == national
        assert device_keys.national_bundle_key_text(session) == b64encode(national)
        assert device_keys.is_registered(session, keys)
        assert device_keys.registered_key_id(session) == keys.signing_key_id
