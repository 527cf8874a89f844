"""The low-severity holes: attachment names with folders, an unguarded admin endpoint, and a
swapped ciphertext that ended in a traceback."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lapor_desktop.attachments.store import clean_filename
from lapor_desktop.desk import Desk
from lapor_desktop.domain.complaint import AttachmentView
from lapor_desktop.security.keys import Tampered
from lapor_desktop.services.accounts import Principal
from lapor_desktop.services.context import Actor
from lapor_desktop.services.identity_vault import IdentityTampered
from lapor_desktop.storage.models import ComplainantIdentity, Complaint
from sync.reference_server.faults import ADMIN_TOKEN_HEADER
from tests.support.clock import FakeClock
from tests.support.reference_server import admin_headers, running_reference_server
from tests.support.samples import valid_form


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("../../x.sh", "x.sh"),
        ("..\\..\\Windows\\evil.bat", "evil.bat"),
        ("/etc/passwd", "passwd"),
        ("foto\x00.jpg\n", "foto.jpg"),
        ("..", "attachment"),
        ("", "attachment"),
        ("surat pengantar.pdf", "surat pengantar.pdf"),
    ],
)
def test_an_attachment_name_is_reduced_to_a_clean_base_name(typed: str, kept: str) -> None:
    assert clean_filename(typed) == kept


def test_an_attachment_named_with_folders_is_stored_and_shown_by_its_base_name(
    desk: Desk, clerk: Actor, tmp_path: Path
) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("Pesan warga tentang jalan rusak.\n", "utf-8")
    stored = desk.intake.store_file(chat, actor=clerk)
    assert isinstance(stored, AttachmentView), stored
    renamed = dataclasses.replace(stored, filename="../../x.sh")
    saved = desk.intake.submit(valid_form(), actor=clerk, files=[renamed])
    detail = desk.lookup.get(saved.uuid, actor=clerk)
    assert detail is not None
    assert [a.filename for a in detail.attachments] == ["x.sh"]


def test_the_admin_endpoint_is_absent_without_fault_injection(
    tmp_path: Path, clock: FakeClock
) -> None:
    with (
        running_reference_server(tmp_path / "server", clock=clock, fault_injection=False) as off,
        requests.Session() as session,
    ):
        answer = session.put(f"{off.url}/_admin/faults", json={"deduplicate": False})
        assert answer.status_code == 404
        assert off.admin_token is None
        assert off.state.faults.current.deduplicate is True


def test_the_admin_endpoint_wants_the_token_of_its_server(tmp_path: Path, clock: FakeClock) -> None:
    with (
        running_reference_server(tmp_path / "server", clock=clock) as server,
        requests.Session() as session,
    ):
        url = f"{server.url}/_admin/faults"
        assert session.put(url, json={"deduplicate": False}).status_code == 401
        wrong = {ADMIN_TOKEN_HEADER: "tebak-token"}
        assert session.put(url, json={"deduplicate": False}, headers=wrong).status_code == 401
        assert server.state.faults.current.deduplicate is True
        right = session.put(url, json={"deduplicate": False}, headers=admin_headers(server))
        assert right.status_code == 200 and right.json()["deduplicate"] is False


def test_a_ciphertext_swapped_between_two_complaints_is_a_clear_integrity_error(
    desk: Desk, clerk: Actor, supervisor: Principal
) -> None:
    first = desk.intake.submit(valid_form(), actor=clerk)
    second = desk.intake.submit(valid_form(full_name="Budi Santoso"), actor=clerk)
    with desk.database.write() as session:
        rows = {
            uuid: session.scalars(
                select(ComplainantIdentity).join(Complaint).where(Complaint.uuid == uuid)
            ).one()
            for uuid in (first.uuid, second.uuid)
        }
        rows[first.uuid].full_name, rows[second.uuid].full_name = (
            rows[second.uuid].full_name,
            rows[first.uuid].full_name,
        )

    with pytest.raises(IdentityTampered) as refused:
        desk.lookup.get(first.uuid, actor=supervisor.actor)

    assert isinstance(refused.value, Tampered)
    shown = refused.value.explanation
    assert first.uuid in shown.render("en") and "full_name" in shown.render("id")
    assert "integrity" in shown.render("en")
