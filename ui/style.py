"""Colours with a meaning: sync states, errors, training mode. Text always says it too.

Colour alone fails the colour-blind and faded office screens, so every
badge also carries its label; the pairs are dark text on a light fill
with a contrast ratio above 7:1.
"""

from __future__ import annotations

from lapor_desktop.domain.status import SyncState

SYNC_COLOURS: dict[str, tuple[str, str]] = {
    SyncState.NOT_QUEUED.value: ("#e2e3e5", "#2b2f32"),
    SyncState.PENDING.value: ("#fff3cd", "#523e02"),
    SyncState.SENT.value: ("#d1e7dd", "#0a3622"),
    SyncState.QUARANTINED.value: ("#f8d7da", "#58151c"),
}
"""(fill, text) per sync state."""

ERROR_TEXT = "#a1161e"
TRAINING_FILL = "#ffd8a8"
TRAINING_TEXT = "#5c2c00"

STYLESHEET = f"""
QLabel[role="error"] {{ color: {ERROR_TEXT}; }}
QLabel[role="hint"] {{ color: #45494d; }}
QLabel[role="heading"] {{ font-size: 13pt; font-weight: bold; }}
QLabel[role="training"] {{
    background: {TRAINING_FILL}; color: {TRAINING_TEXT}; font-weight: bold; padding: 4px;
}}
QLabel[role="status-ok"] {{ color: #0a3622; }}
QLabel[role="status-warn"] {{ color: {ERROR_TEXT}; font-weight: bold; }}
"""


def sync_colours(state: str) -> tuple[str, str]:
    return SYNC_COLOURS.get(state, SYNC_COLOURS[SyncState.NOT_QUEUED.value])
