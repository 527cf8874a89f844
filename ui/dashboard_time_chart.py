"""Charts over time drawn with QPainter: columns (complaints per week) and lines (on-time shares).

Nothing is computed here but where to draw: the values are the core's
(``services/reports/weekly.py``). Like ``dashboard_chart.BarChart``, a few
lines of painting instead of shipping QtCharts (PySide6-Addons) or pyqtgraph.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.dashboard_chart import BAR_COLOURS

LINE_COLOURS = ("#3f6e9a", "#c0504d", "#6a9a3f")
LEFT, RIGHT, TOP, BOTTOM = 40.0, 12.0, 10.0, 22.0
LEGEND_HEIGHT = 20.0
GRID = "#d9dee3"


class TimeChart(QWidget):
    """One point per period along the bottom: columns for one series, lines for several."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.series: list[list[float | None]] = []
        self.names: list[str] = []
        self.lines = False
        self.top: float | None = None
        self.suffix = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.sizeHint().height())

    def set_columns(self, labels: Sequence[str], values: Sequence[float | None]) -> None:
        """One column per label, its height the value (e.g. complaints received that week)."""
        self._set(labels, [values], names=(), lines=False, top=None, suffix="")

    def set_lines(
        self,
        labels: Sequence[str],
        series: Sequence[Sequence[float | None]],
        names: Sequence[str],
        *,
        top: float = 100.0,
        suffix: str = "%",
    ) -> None:
        """One line per series; a None leaves a gap (nothing judged that week)."""
        self._set(labels, series, names=names, lines=True, top=top, suffix=suffix)

    def _set(
        self,
        labels: Sequence[str],
        series: Sequence[Sequence[float | None]],
        *,
        names: Sequence[str],
        lines: bool,
        top: float | None,
        suffix: str,
    ) -> None:
        self.labels = list(labels)
        self.series = [list(values) for values in series]
        self.names, self.lines, self.top, self.suffix = list(names), lines, top, suffix
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 200)

    def scale_top(self) -> float:
        """The value at the chart's top: the fixed one (100 %), else the largest, at least 1."""
        if self.top is not None:
            return self.top
        largest = max((v for s in self.series for v in s if v is not None), default=0.0)
        return _round_up(largest * 1.15) if largest > 0 else 1.0

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().windowText().color()
        top = TOP + (LEGEND_HEIGHT if self.names else 0.0)
        area = QRectF(LEFT, top, self.width() - LEFT - RIGHT, self.height() - top - BOTTOM)
        if self.names:
            self._legend(painter, text_colour)
        self._axes(painter, area, text_colour)
        if self.labels:
            if self.lines:
                self._lines(painter, area)
            else:
                self._columns(painter, area, text_colour)
        painter.end()

    def _x(self, area: QRectF, index: int) -> float:
        step = area.width() / max(1, len(self.labels))
        return area.left() + step * (index + 0.5)

    def _y(self, area: QRectF, value: float) -> float:
        return area.bottom() - area.height() * value / self.scale_top()

    def _axes(self, painter: QPainter, area: QRectF, text_colour: QColor) -> None:
        top = self.scale_top()
        for fraction in (0.0, 0.5, 1.0):
            y = area.bottom() - area.height() * fraction
            painter.setPen(QPen(QColor(GRID), 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(text_colour)
            value = top * fraction
            text = f"{value:.0f}{self.suffix}" if value >= 10 else f"{value:g}{self.suffix}"
            painter.drawText(
                QRectF(0, y - 8, LEFT - 4, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        metrics = painter.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label in self.labels), default=1)
        every = max(1, int((widest + 8) * len(self.labels) / max(1.0, area.width())) + 1)
        for index, label in enumerate(self.labels):
            if index % every:
                continue
            x = self._x(area, index)
            painter.drawText(
                QRectF(x - widest, area.bottom() + 3, 2 * widest, BOTTOM - 4),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )

    def _columns(self, painter: QPainter, area: QRectF, text_colour: QColor) -> None:
        step = area.width() / len(self.labels)
        width = max(2.0, step * 0.7)
        show_values = step >= painter.fontMetrics().horizontalAdvance("0000")
        for index, value in enumerate(self.series[0] if self.series else []):
            if value is None:
                continue
            x, y = self._x(area, index), self._y(area, value)
            painter.fillRect(
                QRectF(x - width / 2, y, width, area.bottom() - y), QColor(BAR_COLOURS[0])
            )
            if show_values:
                painter.setPen(text_colour)
                painter.drawText(
                    QRectF(x - step / 2, y - 16, step, 15),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    f"{value:g}",
                )

    def _lines(self, painter: QPainter, area: QRectF) -> None:
        for number, values in enumerate(self.series):
            colour = QColor(LINE_COLOURS[number % len(LINE_COLOURS)])
            painter.setPen(QPen(colour, 2))
            path, drawing = QPainterPath(), False
            for index, value in enumerate(values):
                if value is None:
                    drawing = False
                    continue
                point = QPointF(self._x(area, index), self._y(area, value))
                if drawing:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                    drawing = True
                painter.setBrush(colour)
                painter.drawEllipse(point, 2.5, 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)

    def _legend(self, painter: QPainter, text_colour: QColor) -> None:
        """One name per series, each given an equal share of the width (elided if longer)."""
        metrics = painter.fontMetrics()
        room = (self.width() - LEFT - RIGHT) / max(1, len(self.names))
        for number, name in enumerate(self.names):
            x = LEFT + number * room
            painter.fillRect(
                QRectF(x, TOP + 3, 10, 10), QColor(LINE_COLOURS[number % len(LINE_COLOURS)])
            )
            painter.setPen(text_colour)
            shown = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(room - 22))
            painter.drawText(
                QRectF(x + 14, TOP, room - 16, 16), Qt.AlignmentFlag.AlignVCenter, shown
            )


def _round_up(value: float) -> float:
    """The next readable axis top at or above ``value`` (1, 1.2, 1.6, 2, 4, 6 or 8 times 10ⁿ)."""
    power = 1.0
    while power * 10 <= value:
        power *= 10
    return next(step * power for step in (1, 1.2, 1.6, 2, 4, 6, 8, 10) if step * power >= value)
