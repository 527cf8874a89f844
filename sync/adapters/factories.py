"""The entry-point factory of our own protocol's adapter (``lapor-v1``).

Registered in ``pyproject.toml`` like any office's adapter, so the desk has
one way to find an adapter, ours included.
"""

from __future__ import annotations

from sync.adapters.lapor_v1 import LaporV1Adapter
from sync.adapters.registry import AdapterContext
from sync.adapters.service import NationalService


def lapor_v1(context: AdapterContext) -> NationalService:
    """The session already sends the token, so the adapter is not given it again."""
    return LaporV1Adapter(
        context.session,
        context.base_url,
        trusted_keys=context.trusted_keys,
        clock=context.clock,
        language=context.language,
    )
