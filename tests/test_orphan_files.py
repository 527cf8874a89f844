"""Leftover attachment files are removed at start-up after a grace period (issue 16, item 5)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from lapor_desktop.attachments.store import TEMP_PREFIX, TEMP_SUFFIX
from lapor_desktop.desk import Desk
from lapor_desktop.domain.complaint import AttachmentView
from lapor_desktop.services.context import Actor
from lapor_desktop.services.orphan_files import DEFAULT_GRACE, find_orphans, remove_orphans
from lapor_desktop.storage.models import Attachment
from tests.support import accounts
from tests.support import cli as support
from tests.support.cli import Run, in_process, open_desk
from tests.support.samples import valid_form

OLD = time.time() - (DEFAULT_GRACE + dt.timedelta(hours=1)).total_seconds()


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


def _age(path: Path) -> Path:
    os.utime(path, (OLD, OLD))
    return path


def _pick(desk: Desk, actor: Actor, folder: Path, name: str, content: bytes) -> AttachmentView:
    view = desk.intake.store_file(_file(folder, name, content), actor=actor)
    assert isinstance(view, AttachmentView), view
    return view


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)  # file times are the real clock's


def test_only_old_files_that_no_complaint_or_draft_uses_are_removed(
    tmp_path: Path, sqlite_desk: Desk, sqlite_clerk: Actor
) -> None:
    store = sqlite_desk.context.attachment_store()
    desk, clerk = sqlite_desk, sqlite_clerk
    sent = desk.intake.submit(
        valid_form(), actor=clerk, attachments=[_file(tmp_path, "a.txt", b"kirim\n")]
    )
    assert sent.queued
    picked = _pick(desk, clerk, tmp_path, "b.txt", b"draf\n")
    assert desk.intake.save_draft(valid_form(), actor=clerk, files=[picked]).uuid
    killed = _pick(desk, clerk, tmp_path, "c.txt", b"tak tersimpan\n")
    young = _pick(desk, clerk, tmp_path, "d.txt", b"baru dipilih\n")
    again = _pick(desk, clerk, tmp_path, "e.txt", b"dipilih lagi\n")
    part = _age(_file(store.root, f"{TEMP_PREFIX}x1{TEMP_SUFFIX}", b"setengah"))
    fresh_part = _file(store.root, f"{TEMP_PREFIX}x2{TEMP_SUFFIX}", b"sedang ditulis")
    for path in store.root.glob("??/??/*"):
        if path.name != young.sha256:
            _age(path)  # the sent one and the draft's too: a row keeps them
    # Picked again into a form that is still open: its grace starts over.
    assert _pick(desk, clerk, tmp_path, "e2.txt", b"dipilih lagi\n").sha256 == again.sha256

    found = find_orphans(sqlite_desk.database, store.root, now=_now())
    assert (found.partial, [p.name for p in found.unreferenced]) == ((part,), [killed.sha256])
    removed = remove_orphans(sqlite_desk.database, store.root, now=_now())
    assert removed == found
    assert not part.exists() and fresh_part.exists()
    assert not store.exists(killed.sha256)
    assert all(store.exists(v.sha256) for v in (young, again, picked))
    with sqlite_desk.database.read() as session:
        named = set(session.scalars(select(Attachment.sha256)))
    assert len(named) == 2 and all(store.exists(sha) for sha in named)  # sent, and the draft's
    assert find_orphans(sqlite_desk.database, store.root, now=_now()).count == 0


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    return in_process(monkeypatch, capsys)


def test_db_check_counts_the_leftovers_without_calling_them_a_problem(
    tmp_path: Path, run: Run
) -> None:
    root = support.set_up_desk(tmp_path)
    desk = open_desk(root)
    try:
        store = desk.context.attachment_store()
        clerk = support.clerk_of(desk)
        for name in ("c.txt", "f.txt"):
            view = _pick(desk, clerk, tmp_path, name, f"{name}\n".encode())
            _age(store.path_for(view.sha256))
        _age(_file(store.root, f"{TEMP_PREFIX}x{TEMP_SUFFIX}", b"setengah"))
    finally:
        desk.close()
    result = run(root, "db", "check", user=support.IT, password=accounts.PASSWORD)
    assert result.code == 0, result.stdout + result.stderr
    line = next(x for x in result.stdout.splitlines() if "Leftover files" in x)
    assert line.startswith("ok") and line.endswith("(1 / 2)")


def test_opening_the_desk_removes_old_leftovers_and_keeps_what_a_complaint_uses(
    tmp_path: Path,
) -> None:
    root = support.set_up_desk(tmp_path)
    desk = open_desk(root)
    try:
        store = desk.context.attachment_store()
        clerk = support.clerk_of(desk)
        kept = _pick(desk, clerk, tmp_path, "foto.txt", b"dipakai\n")
        desk.intake.submit(valid_form(), actor=clerk, files=[kept])
        _age(store.path_for(kept.sha256))
        dropped = _pick(desk, clerk, tmp_path, "lupa.txt", b"tidak dipakai\n")
        _age(store.path_for(dropped.sha256))
        part = _age(_file(store.root, f"{TEMP_PREFIX}y{TEMP_SUFFIX}", b"setengah"))
    finally:
        desk.close()

    open_desk(root).close()

    assert store.path_for(kept.sha256).exists()
    assert not store.path_for(dropped.sha256).exists() and not part.exists()
