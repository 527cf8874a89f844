"""The size and place of the window and the big dialogs: fitted to the screen, remembered.

The office laptop is 1366×768 with a 40-pixel Windows taskbar, so 1366×728
is available (1280×680 on a 1280×720 one): a window opened at a fixed
1280×860 hid its Save buttons, status line and sync bar below the edge.
What the operator chose last is kept per workstation in a QSettings file
in the data folder (the only use of QSettings; ``docs/architecture.md``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SETTINGS_FILE = "window.ini"
FRAME = QSize(16, 40)
"""What the window manager adds around a window: Windows 10/11 borders and title bar."""


def available_area(widget: QWidget) -> QRect:
    """The screen's free area (without the taskbar) where ``widget`` is, or the primary's."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(widget: QWidget, preferred: QSize, available: QRect | None = None) -> None:
    """``preferred`` or less, so that the window with its frame fits, centred in the area."""
    area = available if available is not None else available_area(widget)
    width = max(min(preferred.width(), area.width() - FRAME.width()), 1)
    height = max(min(preferred.height(), area.height() - FRAME.height()), 1)
    widget.resize(width, height)
    widget.move(
        area.x() + max((area.width() - width - FRAME.width()) // 2, 0),
        area.y() + max((area.height() - height - FRAME.height()) // 2, 0),
    )


def fits(widget: QWidget, available: QRect) -> bool:
    """Whether the window with its frame lies inside the area."""
    outer = QRect(widget.pos(), widget.size() + FRAME)
    return available.contains(outer)


class WindowPlacement:
    """One window's remembered place, size and maximised state (``name`` tells the windows
    apart in the file). Kept as plain numbers, not Qt's opaque geometry, so that they are
    checked against the screen it opens on now, which may be a laptop's."""

    def __init__(self, folder: Path, name: str) -> None:
        self._settings = QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat)
        self._name = name

    def restore(self, widget: QWidget, preferred: QSize, available: QRect | None = None) -> None:
        """The place kept last time if it still fits this screen; else the size kept (or
        ``preferred``) fitted and centred."""
        area = available if available is not None else available_area(widget)
        kept = self._settings.value(f"{self._name}/rect")
        if not isinstance(kept, QRect) or not kept.isValid():
            fit_to_screen(widget, preferred, area)
            return
        widget.resize(kept.size())
        widget.move(kept.topLeft())
        if not fits(widget, area):
            fit_to_screen(widget, kept.size(), area)
        if self._settings.value(f"{self._name}/maximized") in (True, "true"):
            widget.setWindowState(widget.windowState() | Qt.WindowState.WindowMaximized)

    def save(self, widget: QWidget) -> None:
        maximized = widget.isMaximized()
        if not maximized:
            self._settings.setValue(f"{self._name}/rect", QRect(widget.pos(), widget.size()))
        self._settings.setValue(f"{self._name}/maximized", maximized)
        self._settings.sync()
