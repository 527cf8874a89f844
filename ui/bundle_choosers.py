"""What the Bundles page asks the operator with Qt's own dialogs: a folder, the volume files,
a district office; and how it writes a size in the desk's language.

Kept apart so that tests replace each chooser on the page with a function of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from ui.i18n import Language
from ui.qt_dialogs import file_dialog_options

FolderChooser = Callable[[QWidget, str], Path | None]
"""(parent, title) → the chosen folder, or None: cancelled."""
FilesChooser = Callable[[QWidget, str, str], list[Path]]
"""(parent, title, file-type filter) → the chosen files; none: cancelled."""
DistrictChooser = Callable[[QWidget, str, Sequence[str]], str | None]
"""(parent, title, the district offices this desk trusts) → the one chosen, or None."""


def number_locale(code: str) -> QLocale:
    """How numbers read in this language: "20,0" in Indonesian; never grouped ("4096")."""
    locale = QLocale(QLocale.Language.Indonesian if code == "id" else QLocale.Language.English)
    locale.setNumberOptions(QLocale.NumberOption.OmitGroupSeparator)
    return locale


def choose_folder_with_dialog(parent: QWidget, title: str, language: Language) -> Path | None:
    options = QFileDialog.Option.ShowDirsOnly | file_dialog_options(language)
    chosen = QFileDialog.getExistingDirectory(parent, title, "", options)
    return Path(chosen) if chosen else None


def choose_files_with_dialog(
    parent: QWidget, title: str, file_filter: str, language: Language
) -> list[Path]:
    options = file_dialog_options(language)
    chosen, _filter = QFileDialog.getOpenFileNames(parent, title, "", file_filter, options=options)
    return [Path(name) for name in chosen]


def choose_district_with_dialog(
    parent: QWidget, title: str, offices: Sequence[str], label: str
) -> str | None:
    chosen, ok = QInputDialog.getItem(parent, title, label, list(offices), 0, False)
    return chosen if ok and chosen else None
