"""Where the dashboard counts: the whole office, one district (kecamatan), or one of its villages.

The places offered are the core's (``services/reports/areas.py``: the
office's districts and their villages from the reference data); this only
shows them as two pickers and says which area is chosen.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from lapor_desktop.i18n import N_
from lapor_desktop.services.reports.areas import Area
from lapor_desktop.services.reports.service import ReportService
from ui.i18n import Texts

WHOLE_OFFICE = N_("All districts")
EVERY_VILLAGE = N_("All villages")


class AreaPicker(QWidget):
    """``changed`` with the chosen :class:`Area`, or None for the whole office."""

    changed = Signal(object)

    def __init__(
        self,
        texts: Texts,
        service: ReportService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.districts = service.districts()
        self.villages: tuple[Area, ...] = ()
        self.district_box, self.village_box = QComboBox(), QComboBox()
        self.district_box.addItem("")
        for area in self.districts:
            self.district_box.addItem(area.name)
        self.village_box.addItem("")
        self.village_box.setEnabled(False)
        district_label, village_label = QLabel(), QLabel()
        texts.bind(district_label.setText, N_("District"))
        texts.bind(village_label.setText, N_("Village"))
        texts.bind(lambda text: self.district_box.setItemText(0, text), WHOLE_OFFICE)
        texts.bind(lambda text: self.village_box.setItemText(0, text), EVERY_VILLAGE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (district_label, self.district_box, village_label, self.village_box):
            layout.addWidget(widget)
        self.district_box.currentIndexChanged.connect(self._district_chosen)
        self.village_box.currentIndexChanged.connect(lambda _index: self.changed.emit(self.area))

    @property
    def district(self) -> Area | None:
        index = self.district_box.currentIndex()
        return self.districts[index - 1] if index > 0 else None

    @property
    def area(self) -> Area | None:
        """The village when one is chosen, else the district, else None (the whole office)."""
        index = self.village_box.currentIndex()
        if index > 0 and index - 1 < len(self.villages):
            return self.villages[index - 1]
        return self.district

    def choose(self, code: str) -> None:
        """Pick a district (six digits) or a village (ten) by code, saying so once; else nothing."""
        district = next((a for a in self.districts if code.startswith(a.code)), None)
        if district is None:
            return
        self.district_box.blockSignals(True)
        self.district_box.setCurrentIndex(self.districts.index(district) + 1)
        self.district_box.blockSignals(False)
        self._fill_villages()
        village = next((i for i, a in enumerate(self.villages) if a.code == code), None)
        self.village_box.blockSignals(True)
        self.village_box.setCurrentIndex(0 if village is None else village + 1)
        self.village_box.blockSignals(False)
        self.changed.emit(self.area)

    def _district_chosen(self, _index: int) -> None:
        self._fill_villages()
        self.changed.emit(self.area)

    def _fill_villages(self) -> None:
        district = self.district
        self.villages = self._service.villages(district) if district is not None else ()
        self.village_box.blockSignals(True)
        while self.village_box.count() > 1:
            self.village_box.removeItem(1)
        for area in self.villages:
            self.village_box.addItem(area.name)
        self.village_box.setCurrentIndex(0)
        self.village_box.setEnabled(district is not None)
        self.village_box.blockSignals(False)
