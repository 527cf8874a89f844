"""A picture attachment shown large, inside the desk: no decrypted copy is written to disk."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lapor_desktop.i18n import N_
from ui.i18n import Language, Texts

MAX_WIDTH, MAX_HEIGHT = 960, 720


class PreviewDialog(QDialog):
    """Esc or Enter closes it; the picture is scaled down to fit, never up."""

    def __init__(
        self, language: Language, title: str, image: QImage, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        texts = Texts(language, self)
        texts.bind(self.setWindowTitle, N_("Attachment: {name}"), name=title)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = QPixmap.fromImage(image)
        if pixmap.width() > MAX_WIDTH or pixmap.height() > MAX_HEIGHT:
            pixmap = pixmap.scaled(
                MAX_WIDTH,
                MAX_HEIGHT,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.picture.setPixmap(pixmap)
        scroll = QScrollArea()
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        self.close_button = QPushButton()
        texts.bind(self.close_button.setText, N_("C&lose"))
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.resize(min(pixmap.width() + 40, MAX_WIDTH + 40), min(pixmap.height() + 80, 800))

    @classmethod
    def show_image(
        cls, language: Language, title: str, image: QImage, parent: QWidget | None = None
    ) -> PreviewDialog:
        dialog = cls(language, title, image, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog
