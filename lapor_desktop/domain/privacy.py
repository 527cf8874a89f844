"""Who may see a complainant's identity, and where it may never appear.

*anonim*: the public must not learn who complained, so the identity (if
given) never appears on receipts, lists or exports; staff may still see it
on the complaint itself to contact the citizen. *rahasia*: the identity is
for supervisors only; everyone else sees a placeholder. IT staff never see
identities at all.
"""

from __future__ import annotations

from lapor_desktop.domain.roles import Permission, Role, allows
from lapor_desktop.i18n import N_

CONFIDENTIAL_PLACEHOLDER = N_("(confidential)")
ANONYMOUS_PLACEHOLDER = N_("(anonymous)")


def may_see_identity(role: Role, *, rahasia: bool) -> bool:
    """On the complaint's own page (detail view, ``show``)."""
    if not allows(role, Permission.VIEW_IDENTITY):
        return False
    return not rahasia or allows(role, Permission.VIEW_RAHASIA_IDENTITY)


def may_export_identity(role: Role, *, anonim: bool, rahasia: bool) -> bool:
    """In an identity export, which a supervisor asked for explicitly (and which is audited)."""
    if anonim or not allows(role, Permission.EXPORT_WITH_IDENTITY):
        return False
    return may_see_identity(role, rahasia=rahasia)
