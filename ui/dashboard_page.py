"""The dashboard: a period's figures at a glance, the late complaints, and the periods beside it.

Every figure is the core's (``services/reports``): the page asks the report
service on the database worker and only shows what comes back, so the
window stays responsive while a year is counted. Read-only for everyone who
may look complaints up; double-clicking a late complaint opens it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import Actor
from lapor_desktop.services.reports.period import Period
from lapor_desktop.services.reports.recap import RecapFormat, RecapMade
from lapor_desktop.services.reports.recap_tables import CONFIDENTIAL
from lapor_desktop.services.reports.service import OfficeReport, ReportService
from lapor_desktop.services.sla import DEADLINE_LABELS
from ui.dashboard_area import AreaPicker
from ui.dashboard_chart import BarChart
from ui.dashboard_tables import CountTabs
from ui.dashboard_time_chart import TimeChart
from ui.errors import explain
from ui.i18n import Language, Texts
from ui.recap_export import RecapExport
from ui.tasks import TaskRunner

MONTHS_OFFERED = 24
UUID_ROLE = Qt.ItemDataRole.UserRole
LOADING = Message(N_("Counting…"))
SUMMARY_ROWS = (
    N_("Complaints received"),
    N_("Reached LAPOR!"),
    N_("Confidential (rahasia), counted only"),
    N_("Late now (any deadline)"),
)
SLA_COLUMNS = (
    N_("Deadline"),
    N_("On time"),
    N_("Late"),
    N_("Overdue, still open"),
    N_("Not yet due"),
    N_("On time (%)"),
)
OVERDUE_COLUMNS = (
    N_("Registration number"),
    N_("Title"),
    N_("Received"),
    N_("Deadline missed"),
    N_("Days late"),
)


def offered_periods(today: dt.date) -> list[Period]:
    """This month and the ones before it, then this year and the last."""
    months = [Period.month(today.year, today.month)]
    while len(months) < MONTHS_OFFERED:
        months.append(months[-1].previous())
    return [*months, Period.year(today.year), Period.year(today.year - 1)]


class DashboardPage(QWidget):
    """``shown`` with each :class:`OfficeReport` shown; ``open_requested`` with a UUID."""

    shown = Signal(object)
    open_requested = Signal(str)

    def __init__(
        self,
        language: Language,
        service: ReportService,
        actor: Actor,
        runner: TaskRunner,
        today: dt.date,
        parent: QWidget | None = None,
        *,
        recap: RecapExport | None = None,
    ) -> None:
        """``recap``: how to make the recap files; None (the front desk) shows no recap buttons."""
        super().__init__(parent)
        self._texts = texts = Texts(language, self)
        self._service, self._actor, self._runner = service, actor, runner
        self.report: OfficeReport | None = None
        self.periods = offered_periods(today)
        self.period_box = QComboBox()
        for period in self.periods:
            self.period_box.addItem(period.label())
        self.area_picker = AreaPicker(texts, service)
        self.refresh_button = QPushButton()
        self.recap = recap
        self.xlsx_button, self.pdf_button = QPushButton(), QPushButton()
        self.message = QLabel()
        self.summary = QTableWidget(len(SUMMARY_ROWS), 3)
        self.sla_table = QTableWidget(0, len(SLA_COLUMNS))
        self.overdue_table = QTableWidget(0, len(OVERDUE_COLUMNS))
        self.category_chart, self.channel_chart = BarChart(), BarChart()
        self.sla_chart = BarChart()
        self.weekly_chart, self.sla_time_chart = TimeChart(), TimeChart()
        self.count_tabs = CountTabs()
        self.overdue_note = QLabel()
        texts.bind(self.refresh_button.setText, N_("Refresh"))
        texts.bind(self.xlsx_button.setText, N_("Monthly recap (XLSX)…"))
        texts.bind(self.pdf_button.setText, N_("Monthly recap (PDF)…"))
        for button, file_format in (
            (self.xlsx_button, RecapFormat.XLSX),
            (self.pdf_button, RecapFormat.PDF),
        ):
            button.setVisible(recap is not None)
            button.clicked.connect(lambda _=False, f=file_format: self._make_recap(f))
        if recap is not None:
            recap.made.connect(self._recap_made)
            recap.failed.connect(self._failed)
        self._lay_out()
        self.period_box.currentIndexChanged.connect(self.refresh)
        self.area_picker.changed.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        self.overdue_table.itemDoubleClicked.connect(self._open)
        language.changed.connect(lambda _code: self._show(self.report) if self.report else None)

    @property
    def period(self) -> Period:
        return self.periods[max(0, self.period_box.currentIndex())]

    def refresh(self) -> None:
        """Count the chosen period again, on the database worker."""
        service, actor, period = self._service, self._actor, self.period
        area = self.area_picker.area
        self._texts.show("message", self.message.setText, LOADING)
        self.refresh_button.setEnabled(False)
        self._runner.run(
            lambda: service.report(period, actor=actor, area=area), self._show, self._failed
        )

    def _show(self, report: OfficeReport) -> None:
        self.report = report
        t = self._texts.text
        self.refresh_button.setEnabled(True)
        self._texts.show(
            "message",
            self.message.setText,
            Message(N_("Figures as of {day}"), {"day": f"{report.as_of:%d/%m/%Y}"}),
        )
        self._fill_summary(report)
        self._fill_sla(report)
        self._fill_overdue(report)
        received = report.received
        self.category_chart.set_data(
            [t(c.label) for c in received.by_category], [[c.count for c in received.by_category]]
        )
        self.channel_chart.set_data(
            [t(c.label) for c in received.by_channel], [[c.count for c in received.by_channel]]
        )
        comparison = report.comparison
        summaries = (comparison.current, comparison.previous, comparison.a_year_earlier)
        self.sla_chart.set_data(
            [t(DEADLINE_LABELS[d]) for d, _share in comparison.current.on_time_percent],
            [[share for _d, share in s.on_time_percent] for s in summaries],
            suffix="%",
            names=[s.period.label() for s in summaries],
        )
        self._fill_weeks(report)
        self.count_tabs.show_report(report, self._texts.language.code)
        self.shown.emit(report)

    def _fill_weeks(self, report: OfficeReport) -> None:
        t = self._texts.text
        labels = [week.label for week in report.weekly]
        self.weekly_chart.set_columns(labels, [week.received for week in report.weekly])
        deadlines = [d.deadline for d in report.sla.deadlines]
        self.sla_time_chart.set_lines(
            labels,
            [[dict(week.on_time_percent)[d] for week in report.weekly] for d in deadlines],
            [t(DEADLINE_LABELS[d]) for d in deadlines],
        )

    def _fill_summary(self, report: OfficeReport) -> None:
        comparison = report.comparison
        summaries = (comparison.current, comparison.previous, comparison.a_year_earlier)
        self.summary.setHorizontalHeaderLabels([s.period.label() for s in summaries])
        self.summary.setVerticalHeaderLabels([self._texts.text(m) for m in SUMMARY_ROWS])
        for column, s in enumerate(summaries):
            values = (s.received, s.reached_lapor, s.rahasia, s.complaints_overdue)
            for row, value in enumerate(values):
                self.summary.setItem(row, column, _number(value))

    def _fill_sla(self, report: OfficeReport) -> None:
        t = self._texts.text
        self.sla_table.setHorizontalHeaderLabels([t(m) for m in SLA_COLUMNS])
        self.sla_table.setRowCount(len(report.sla.deadlines))
        for row, d in enumerate(report.sla.deadlines):
            cells = (d.on_time, d.late, d.overdue, d.pending, d.on_time_percent)
            self.sla_table.setItem(row, 0, QTableWidgetItem(t(d.label)))
            for column, value in enumerate(cells, start=1):
                self.sla_table.setItem(row, column, _number(value))

    def _fill_overdue(self, report: OfficeReport) -> None:
        t = self._texts.text
        self.overdue_table.setHorizontalHeaderLabels([t(m) for m in OVERDUE_COLUMNS])
        rows = report.overdue.rows
        self.overdue_table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            title = t(CONFIDENTIAL) if row.title is None else row.title
            missed = ", ".join(t(DEADLINE_LABELS[d]) for d in row.missed)
            cells = (row.registration_number, title, f"{row.received_on:%d/%m/%Y}", missed)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(UUID_ROLE, row.uuid)
                self.overdue_table.setItem(index, column, item)
            late = _number(row.days_late)
            late.setData(UUID_ROLE, row.uuid)
            self.overdue_table.setItem(index, len(cells), late)
        self.overdue_note.setText(
            t(N_("{shown} of {total} late complaints, most days late first.")).format(
                shown=len(rows), total=report.overdue.total
            )
        )

    def _open(self, item: QTableWidgetItem) -> None:
        uuid = item.data(UUID_ROLE)
        if isinstance(uuid, str):
            self.open_requested.emit(uuid)

    def _make_recap(self, file_format: RecapFormat) -> None:
        if self.recap is not None:
            self.recap.make(self.period, file_format, self)

    def _recap_made(self, made: RecapMade) -> None:
        self._texts.show(
            "message",
            self.message.setText,
            Message(N_("Recap of {period} saved."), {"period": made.period.label()}),
        )

    def _failed(self, error: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self._texts.show("message", self.message.setText, explain(error)[0])

    def _lay_out(self) -> None:
        texts = self._texts
        top = QHBoxLayout()
        period_label = QLabel()
        texts.bind(period_label.setText, N_("Period"))
        top.addWidget(period_label)
        top.addWidget(self.period_box)
        top.addWidget(self.area_picker)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        top.addWidget(self.xlsx_button)
        top.addWidget(self.pdf_button)
        for table in (self.summary, self.sla_table, self.overdue_table):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.overdue_table.verticalHeader().setVisible(False)
        self.sla_table.verticalHeader().setVisible(False)
        self.overdue_table.setMinimumHeight(220)
        self.sla_table.setMinimumHeight(130)
        grid = QGridLayout()
        sections = (
            (N_("Summary, beside the period before and a year earlier"), self.summary, 0, 0),
            (N_("Complaints per week"), self.weekly_chart, 0, 1),
            (N_("On time (%) per deadline"), self.sla_chart, 1, 0),
            (
                N_("SLA compliance over time: on time (%) by week received"),
                self.sla_time_chart,
                1,
                1,
            ),
            (N_("By category"), self.category_chart, 2, 0),
            (N_("By channel"), self.channel_chart, 2, 1),
        )
        for title, widget, row, column in sections:
            grid.addWidget(self._group(title, widget), row, column)
        body = QWidget()
        column_layout = QVBoxLayout(body)
        column_layout.addLayout(grid)
        column_layout.addWidget(self._group(N_("Complaints received"), self.count_tabs))
        column_layout.addWidget(self._group(N_("SLA compliance"), self.sla_table))
        late_box = self._group(N_("Late now, most days late first"), self.overdue_table)
        late_layout = late_box.layout()
        if late_layout is not None:
            late_layout.addWidget(self.overdue_note)
        column_layout.addWidget(late_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.body = body
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addWidget(self.message)
        outer.addWidget(scroll, 1)

    def _group(self, title: str, widget: QWidget) -> QGroupBox:
        box = QGroupBox()
        self._texts.bind(box.setTitle, title)
        layout = QVBoxLayout(box)
        layout.addWidget(widget)
        return box


def _number(value: int | float | None) -> QTableWidgetItem:
    text = "–" if value is None else (f"{value:.1f}" if isinstance(value, float) else str(value))
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
