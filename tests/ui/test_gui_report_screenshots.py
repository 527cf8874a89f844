"""The dashboard and the first page of the monthly recap, rendered at 1366x768 for the guide.

Refresh the pictures in docs/screenshots/ (for docs/panduan.md) with:
    LAPOR_SCREENSHOTS=docs/screenshots QT_QPA_PLATFORM=offscreen \\
        .venv/bin/python -m pytest tests/ui/test_gui_report_screenshots.py
Without the variable they go to a temporary folder: the rendering is still checked. The
desk holds the hand-counted August 2026 and 600 more complaints spread over the year,
drawn with a fixed seed so the pictures only change when the dashboard does.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QGroupBox
from pytestqt.qtbot import QtBot

from lapor_desktop.desk import Desk
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.recap import RecapFormat, make_recap
from lapor_desktop.services.reports.service import ReportService
from lapor_desktop.settings import OfficeSettings
from tests.support import accounts
from tests.support.clock import FakeClock
from tests.test_report_fixtures import (
    AUGUST,
    DRAFT,
    FIN,
    FOL,
    FWD,
    OUTSIDE,
    ZONE,
    Fake,
    Q,
    lingga_office,
    store,
)
from ui.dashboard_page import DashboardPage
from ui.i18n import Language
from ui.style import STYLESHEET
from ui.tasks import TaskRunner

TODAY = dt.date(2026, 12, 7)
PLACES = ("2104021010", "2104021020", "2104022001", "210401", "210403", "210405")
CHANNELS = ("tatap_muka", "telepon", "surat", "whatsapp")


@pytest.fixture
def office() -> OfficeSettings:
    return lingga_office()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("LAPOR_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def settled(page: DashboardPage) -> bool:
    """Every section is as tall as it asks (the layout follows the figures a moment late)."""
    boxes = page.body.findChildren(QGroupBox)
    return bool(boxes) and all(b.height() >= b.minimumSizeHint().height() for b in boxes)


def a_year_of_complaints(count: int = 600) -> list[Fake]:
    draw = random.Random(18)
    fakes: list[Fake] = []
    for number in range(count):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=draw.randrange(0, 330))
        steps = [(Q, day, 9, 0)]
        if draw.random() < 0.85:
            steps.append((FWD, day + dt.timedelta(days=draw.choice((1, 2, 3, 4, 6, 9))), 10, 0))
            if draw.random() < 0.8:
                steps.append((FOL, steps[-1][1] + dt.timedelta(days=draw.choice((2, 4, 8))), 10, 0))
                if draw.random() < 0.7:
                    steps.append(
                        (FIN, steps[-1][1] + dt.timedelta(days=draw.choice((3, 30))), 9, 0)
                    )
        fakes.append(
            Fake(
                f"R{number}",
                [step for step in steps if step[1] < TODAY],
                f"Pengaduan warga nomor {number}",
                channel=draw.choice(CHANNELS),
                region=draw.choice(PLACES),
                rahasia=draw.random() < 0.05,
            )
        )
    return fakes


def test_the_dashboard_and_the_recaps_first_page_render_for_the_guide(
    qtbot: QtBot,
    sqlite_desk: Desk,
    language: Language,
    runner: TaskRunner,
    clock: FakeClock,
    shots: Path,
) -> None:
    store(sqlite_desk, [*AUGUST, *OUTSIDE, DRAFT, *a_year_of_complaints()])
    clock.current = dt.datetime.combine(TODAY, dt.time(9), ZONE).astimezone(dt.UTC)
    boss = accounts.sign_in_supervisor(sqlite_desk).actor
    page = DashboardPage(language, ReportService(sqlite_desk.context), boss, runner, TODAY)
    qtbot.addWidget(page)
    page.setStyleSheet(STYLESHEET)
    page.resize(1366, 768)
    page.show()
    changes: tuple[tuple[str, Callable[[], None]], ...] = (
        ("dashboard", lambda: page.period_box.setCurrentIndex(1)),  # November 2026
        ("dashboard_district", lambda: page.area_picker.choose("210402")),
    )
    for name, change in changes:
        with qtbot.waitSignal(page.shown, timeout=20_000):
            change()
        qtbot.waitUntil(lambda: settled(page))
        assert page.grab().save(str(shots / f"{name}.png"))
        assert (shots / f"{name}.png").stat().st_size > 20_000
    assert page.report is not None and page.report.area is not None

    pdf = io.BytesIO()
    make_recap(sqlite_desk.context, Period.month(2026, 11), RecapFormat.PDF, pdf, actor=boss)
    assert pdf.getvalue().startswith(b"%PDF")
    if shutil.which("pdftoppm"):
        source = shots / "recap.pdf"
        source.write_bytes(pdf.getvalue())
        pages = ["-f", "1", "-l", "1", "-singlefile"]
        command = ["pdftoppm", "-png", "-r", "80", *pages, str(source), str(shots / "recap_pdf")]
        subprocess.run(
            command,
            check=True,
        )
        source.unlink()
        assert (shots / "recap_pdf.png").stat().st_size > 10_000
