"""The tanda terima the citizen takes home: what it says, and printing it (PDF or a printer).

It never carries the identity of an anonim complaint (domain.privacy), nor
an identity the signed-in role may not see; the NIK is always masked
(``mask_nik``). A training desk stamps every receipt, so a practice
receipt can never pass for a real one. A QR code carries the registration
number (``segno``), so a returning citizen's receipt is scanned, not typed.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass
from pathlib import Path

import segno
from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from lapor_desktop.domain.complaint import Classification
from lapor_desktop.domain.privacy import ANONYMOUS_PLACEHOLDER
from lapor_desktop.i18n import N_, translate
from lapor_desktop.settings import OfficeSettings
from lapor_desktop.validation.nik import mask_nik
from ui.detail_data import DetailPage
from ui.formatting import EMPTY, enum_label, long_date, long_datetime

TRAINING_MARK = "PELATIHAN / TRAINING"
"""Both languages at once, whatever the desk's language: it must be unmistakable."""

TRAINING_STYLE = "color:#8a3b00; font-size:14pt; font-weight:bold"

HEADING = N_("RECEIPT OF COMPLAINT")
COPY_MARK = N_("COPY (reprint)")
SERVICE = N_("Public complaint service SP4N-LAPOR!")
REGISTRATION = N_("Registration no.")
TRACKING_ID = N_("LAPOR! tracking ID")
FINGERPRINT = N_("Receipt fingerprint")
QR_URL = "qr:registration"
QR_SIZE = 110
RECORDED = N_("Date and time")
CLASSIFICATION = N_("Classification")
TITLE = N_("Title")
COMPLAINANT = N_("Complainant")
RECEIVED_BY = N_("Received by")
NIK = N_("NIK")
VISIBILITY = N_("Anonymous / confidential")
ANONYMOUS = N_("anonymous")
WITH_NAME = N_("with name")
CONFIDENTIAL = N_("confidential")
PUBLIC = N_("public")
NEXT = N_("What happens next")
STEP_SEND = N_("This desk sends the report to SP4N-LAPOR! as soon as it is online.")
STEP_VERIFY = N_("It is checked and forwarded to the agency by {date}.")
STEP_FOLLOW_UP = N_("The agency follows up within {days} working days of receiving it.")
STEP_SETTLE = N_("It must be settled by {date} at the latest.")
KEEP_IT = N_(
    "Keep this receipt. Give the registration number when you ask about your complaint. "
    "This service is free of charge."
)


@dataclass(frozen=True)
class Receipt:
    """What is printed; built from the detail page, so it follows the lookup's privacy rules."""

    office_name: str
    registration_number: str
    recorded_at: dt.datetime
    timezone: str
    classification: str | None
    title: str
    complainant: str
    """The name as given, or the msgid of a placeholder (anonymous, hidden)."""
    complainant_is_placeholder: bool
    masked_nik: str
    anonim: bool
    rahasia: bool
    verify_by: dt.date | None
    legal_ceiling: dt.date | None
    follow_up_days: int
    received_by: str = ""
    tracking_id: str = ""
    """The national service's ID, once it has the complaint."""
    fingerprint: str = ""
    """The short fingerprint of the national service's signed receipt, once there is one."""
    training: bool = False
    copy: bool = False


def receipt_for(
    page: DetailPage, office: OfficeSettings, *, training: bool = False, copy: bool = False
) -> Receipt:
    detail = page.detail
    summary = detail.summary
    if summary.anonim:
        complainant, placeholder, nik = ANONYMOUS_PLACEHOLDER, True, ""
    elif detail.identity_hidden is not None:
        complainant, placeholder, nik = detail.identity_hidden, True, ""
    else:
        identity = detail.identity
        complainant, placeholder = identity.full_name, False
        nik = mask_nik(identity.nik) if identity.nik else ""
    deadlines = page.deadlines
    return Receipt(
        office_name=office.office_name,
        registration_number=summary.registration_number or "",
        recorded_at=summary.created_at,
        timezone=office.timezone,
        classification=summary.classification,
        title=summary.title,
        complainant=complainant,
        complainant_is_placeholder=placeholder,
        masked_nik=nik,
        anonim=summary.anonim,
        rahasia=summary.rahasia,
        verify_by=deadlines.verify_by if deadlines else None,
        legal_ceiling=deadlines.legal_ceiling if deadlines else None,
        follow_up_days=office.sla.follow_up_working_days,
        received_by=page.received_by or (detail.timeline[0].actor if detail.timeline else ""),
        tracking_id=summary.tracking_id or "",
        fingerprint=page.fingerprint or "",
        training=training,
        copy=copy,
    )


def receipt_html(receipt: Receipt, language: str) -> str:
    """The receipt as the rich text Qt prints; every value escaped."""

    def tr(msgid: str, **params: object) -> str:
        text = translate(msgid, language)
        return html.escape(text.format(**params) if params else text)

    def row(msgid: str, value: str, *, big: bool = False) -> str:
        shown = html.escape(value or EMPTY)
        if big:
            shown = f"<span style='font-size:14pt; white-space:nowrap'>{shown}</span>"
        return f"<tr><td width='30%'>{tr(msgid)}</td><td><b>{shown}</b></td></tr>"

    complainant = receipt.complainant
    if receipt.complainant_is_placeholder:
        complainant = translate(complainant, language)
    visibility = ", ".join(
        translate(msgid, language)
        for msgid in (
            ANONYMOUS if receipt.anonim else WITH_NAME,
            CONFIDENTIAL if receipt.rahasia else PUBLIC,
        )
    )
    recorded = long_datetime(receipt.recorded_at, receipt.timezone, language)
    parts = []
    if receipt.training:
        parts.append(f"<p align='center' style='{TRAINING_STYLE}'>{TRAINING_MARK}</p>")
    if receipt.copy:
        parts.append(f"<p align='center'><b>{tr(COPY_MARK)}</b></p>")
    rows = [
        (REGISTRATION, receipt.registration_number),
        (TRACKING_ID, receipt.tracking_id),
        (FINGERPRINT, receipt.fingerprint),
        (RECORDED, recorded),
        (RECEIVED_BY, receipt.received_by),
        (CLASSIFICATION, enum_label(Classification, receipt.classification, language)),
        (TITLE, receipt.title),
        (COMPLAINANT, complainant),
        (NIK, receipt.masked_nik),
    ]
    parts += [
        f"<h2 align='center'>{tr(HEADING)}</h2>",
        f"<p align='center'>{html.escape(receipt.office_name)}<br>{tr(SERVICE)}</p>",
        f"<p align='center'><img src='{QR_URL}' width='{QR_SIZE}' height='{QR_SIZE}'></p>",
        "<table width='100%' cellspacing='0' cellpadding='4'>",
    ]
    parts += [
        row(msgid, value, big=msgid == REGISTRATION)
        for msgid, value in rows
        if value or msgid not in (TRACKING_ID, FINGERPRINT, RECEIVED_BY, NIK)
    ]
    parts += [row(VISIBILITY, visibility), "</table>", f"<h3>{tr(NEXT)}</h3><ol>"]
    steps = [] if receipt.tracking_id else [tr(STEP_SEND)]
    if receipt.verify_by is not None:
        steps.append(tr(STEP_VERIFY, date=long_date(receipt.verify_by, language)))
    steps.append(tr(STEP_FOLLOW_UP, days=receipt.follow_up_days))
    if receipt.legal_ceiling is not None:
        steps.append(tr(STEP_SETTLE, date=long_date(receipt.legal_ceiling, language)))
    parts += [f"<li>{step}</li>" for step in steps]
    parts += ["</ol>", f"<p>{tr(KEEP_IT)}</p>"]
    return "\n".join(parts)


def qr_image(text: str) -> QImage:
    """The QR code of ``text`` (error correction M: survives a crumpled, stamped receipt)."""
    buffer = io.BytesIO()
    segno.make(text or "-", error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return QImage.fromData(buffer.getvalue())


def add_qr(document: QTextDocument, registration_number: str) -> None:
    """Give ``document`` the picture its ``<img src='qr:registration'>`` shows."""
    image = qr_image(registration_number)
    document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(QR_URL), image)


def print_receipt(
    device: QPagedPaintDevice, body: str, *, training: bool, registration_number: str = ""
) -> None:
    """Lay the receipt out on ``device`` (a PDF writer or a printer), page by page."""
    device.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    device.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    document = QTextDocument()
    document.setDefaultFont(QFont("DejaVu Sans", 10))
    document.documentLayout().setPaintDevice(device)
    add_qr(document, registration_number)
    document.setHtml(body)
    page = QSizeF(device.width(), device.height())
    document.setPageSize(page)
    painter = QPainter(device)
    try:
        for number in range(document.pageCount()):
            if number:
                device.newPage()
            painter.save()
            painter.translate(0, -number * page.height())
            document.drawContents(painter, QRectF(QPointF(0, number * page.height()), page))
            painter.restore()
            if training:
                _stamp(painter, page)
    finally:
        painter.end()


def save_pdf(
    path: Path, body: str, *, training: bool, title: str, registration_number: str = ""
) -> Path:
    writer = QPdfWriter(str(path))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("LAPOR! Desktop")
    print_receipt(writer, body, training=training, registration_number=registration_number)
    return path


def _stamp(painter: QPainter, page: QSizeF) -> None:
    """A large diagonal mark across the page, light enough to read the receipt through."""
    painter.save()
    font = QFont("DejaVu Sans")
    font.setBold(True)
    font.setPixelSize(int(page.width() / 11))
    painter.setFont(font)
    painter.setPen(QColor(200, 80, 0, 70))
    painter.translate(page.width() / 2, page.height() / 2)
    painter.rotate(-35)
    box = QRectF(-page.width(), -page.height() / 8, 2 * page.width(), page.height() / 4)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, TRAINING_MARK)
    painter.restore()
