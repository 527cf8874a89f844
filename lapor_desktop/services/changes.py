"""What a write changed (after Anki's ``OpChanges``), so a view repaints only that.

Every service write and every sync pass says which complaints, which outbox
entries (by their complaint), and whether bundles, reference data or settings changed.
Plain, frozen and Qt-free: it crosses threads and layers as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DeskChanges:
    """``complaints``: UUIDs whose row or detail may show something new;
    ``added``/``removed``: those that came or went (the list's count changes);
    ``outbox``: UUIDs of complaints whose outbox entries changed (queued, sent, set aside);
    ``bundles``: an offline bundle was made, taken in, relayed or answered (the Bundles page);
    ``everything``: too much to name, refresh it all (a restore, a wholesale import)."""

    complaints: frozenset[str] = field(default_factory=frozenset)
    added: frozenset[str] = field(default_factory=frozenset)
    removed: frozenset[str] = field(default_factory=frozenset)
    outbox: frozenset[str] = field(default_factory=frozenset)
    bundles: bool = False
    reference_data: bool = False
    settings: bool = False
    everything: bool = False

    @classmethod
    def of_complaints(
        cls,
        uuids: Iterable[str],
        *,
        added: Iterable[str] = (),
        outbox: Iterable[str] = (),
    ) -> DeskChanges:
        """Complaints that changed; those ``added`` count as changed too."""
        new = frozenset(added)
        return cls(complaints=frozenset(uuids) | new, added=new, outbox=frozenset(outbox))

    def __or__(self, other: DeskChanges) -> DeskChanges:
        return DeskChanges(
            complaints=self.complaints | other.complaints,
            added=self.added | other.added,
            removed=self.removed | other.removed,
            outbox=self.outbox | other.outbox,
            bundles=self.bundles or other.bundles,
            reference_data=self.reference_data or other.reference_data,
            settings=self.settings or other.settings,
            everything=self.everything or other.everything,
        )

    def merge(self, *others: DeskChanges) -> DeskChanges:
        merged = self
        for other in others:
            merged = merged | other
        return merged

    def __bool__(self) -> bool:
        return bool(
            self.complaints
            or self.removed
            or self.outbox
            or self.bundles
            or self.reference_data
            or self.settings
            or self.everything
        )

    @property
    def count_changed(self) -> bool:
        """Complaints came or went (or anything may have): a list's row count is stale."""
        return self.everything or bool(self.added or self.removed)

    def touches(self, uuid: str) -> bool:
        """Whether a view showing this complaint should read it again."""
        return self.everything or uuid in self.complaints or uuid in self.removed


NOTHING = DeskChanges()
BUNDLES = DeskChanges(bundles=True)
REFERENCE_DATA = DeskChanges(reference_data=True)
SETTINGS = DeskChanges(settings=True)
EVERYTHING = DeskChanges(everything=True)
