"""Qt's own dialogs in the desk's language: a translator for Qt's texts, non-native file dialogs.

Qt ships no Indonesian (no ``qtbase_id.qm`` in PySide6), so a translator
answers Qt's own requests from ``ui.qt_indonesian`` while the desk speaks
Indonesian. The file dialogs are Qt's own (non-native) while it does: the
native Windows one speaks the language of Windows, often English on office
PCs. The print dialog on Windows is always the native one of Windows.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QFileDialog

from ui.i18n import Language
from ui.qt_indonesian import QT_INDONESIAN

TABLES = {"id": QT_INDONESIAN}
"""Per desk language, the table of Qt's texts; a language without one keeps Qt's English."""


class QtTexts(QTranslator):
    """Translates Qt's texts into the language shown now; re-installed on a switch, which
    sends every widget Qt's language-change event so open Qt dialogs follow."""

    def __init__(self, language: Language) -> None:
        super().__init__()
        self._language = language
        language.changed.connect(self._switched)

    def translate(
        self,
        context: str,
        sourceText: str,
        /,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        table = TABLES.get(self._language.code)
        if table is None:
            return None
        return table.get(context, {}).get(sourceText)

    def isEmpty(self) -> bool:
        return False

    def _switched(self, _code: str) -> None:
        application = QCoreApplication.instance()
        if application is not None:
            QCoreApplication.removeTranslator(self)
            QCoreApplication.installTranslator(self)


def install_qt_texts(language: Language) -> QtTexts:
    """Install for the running application; keep the object (Qt does not own it)."""
    translator = QtTexts(language)
    QCoreApplication.installTranslator(translator)
    return translator


def file_dialog_options(language: Language) -> QFileDialog.Option:
    """Qt's own file dialog while Qt's texts are ours to translate; else the native one."""
    if language.code in TABLES:
        return QFileDialog.Option.DontUseNativeDialog
    return QFileDialog.Option(0)
