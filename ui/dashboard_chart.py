"""A small horizontal bar chart drawn with QPainter: labels, bars, values; nothing computed here.

PySide6-Essentials has no QtCharts, and the dashboard needs only bars: a
hundred lines of painting add nothing to the installer, where QtCharts
(PySide6-Addons) or pyqtgraph (with numpy) would each ship a large package.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOURS = ("#3f6e9a", "#9aa9b8", "#d0a85c")
GAP = 8
LEGEND_HEIGHT = 20
LABEL_SHARE = 0.42


class BarChart(QWidget):
    """Bars per label, one colour per series (e.g. this period, the one before, a year earlier)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.series: list[list[float | None]] = []
        self.suffix = ""
        self.names: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_data(
        self,
        labels: Sequence[str],
        series: Sequence[Sequence[float | None]],
        suffix: str = "",
        names: Sequence[str] = (),
    ) -> None:
        """``series[i][j]``: the value of label j in series i (None: no figure).

        ``names``: a legend, one name per series (none for a single series).
        """
        self.labels = list(labels)
        self.series = [list(values) for values in series]
        self.suffix = suffix
        self.names = list(names)
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def bar_height(self) -> float:
        return 14.0 if len(self.series) <= 1 else 9.0

    def row_height(self) -> float:
        return self.bar_height() * max(1, len(self.series)) + GAP

    def sizeHint(self) -> QSize:
        legend = LEGEND_HEIGHT if self.names else 0
        return QSize(420, int(12 + legend + len(self.labels) * self.row_height()))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = self.width()
        label_width = width * LABEL_SHARE
        bar_room = width - label_width - 60
        top_value = max((v for s in self.series for v in s if v is not None), default=0.0) or 1.0
        bars = max(1, len(self.series))
        bar_height = self.bar_height()
        y = 6.0
        palette = self.palette()
        metrics = painter.fontMetrics()
        painter.setPen(palette.windowText().color())
        if self.names:
            x = label_width
            for number, name in enumerate(self.names):
                painter.fillRect(
                    QRectF(x, y + 3, 10, 10), QColor(BAR_COLOURS[number % len(BAR_COLOURS)])
                )
                painter.drawText(QRectF(x + 14, y, 200, 16), Qt.AlignmentFlag.AlignVCenter, name)
                x += 24 + metrics.horizontalAdvance(name)
            y += LEGEND_HEIGHT
        for index, label in enumerate(self.labels):
            row = QRectF(0, y, label_width - 6, bar_height * bars)
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(label_width - 8))
            painter.drawText(
                row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, shown
            )
            for number, values in enumerate(self.series):
                value = values[index] if index < len(values) else None
                top = y + number * bar_height
                if value is not None:
                    length = bar_room * value / top_value
                    painter.fillRect(
                        QRectF(label_width, top, max(1.0, length), bar_height - 1),
                        QColor(BAR_COLOURS[number % len(BAR_COLOURS)]),
                    )
                    text = f"{value:g}{self.suffix}"
                else:
                    length, text = 0.0, "–"
                painter.drawText(
                    QRectF(label_width + length + 4, top, 56, bar_height),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
            y += self.row_height()
        painter.end()
