"""Who may do what: the three roles of a district desk and their permissions.

Services check these (``lapor_desktop.services.accounts.require``), so a
hidden button is never the only thing between a role and an action. IT
staff keep the desk running but never see a complainant's identity
(Perpres 76/2013 keeps it confidential).
"""

from __future__ import annotations

import enum

from lapor_desktop.i18n import N_


class Role(enum.StrEnum):
    FRONT_DESK = "front_desk"
    SUPERVISOR = "supervisor"
    IT = "it"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.FRONT_DESK: N_("Front desk"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.IT: N_("IT"),
}


class Permission(enum.StrEnum):
    RECORD_COMPLAINTS = "record_complaints"
    LOOK_UP_COMPLAINTS = "look_up_complaints"
    VIEW_IDENTITY = "view_identity"
    VIEW_RAHASIA_IDENTITY = "view_rahasia_identity"
    EXPORT_WITHOUT_IDENTITY = "export_without_identity"
    EXPORT_WITH_IDENTITY = "export_with_identity"
    DECIDE_QUARANTINE = "decide_quarantine"
    MANAGE_USERS = "manage_users"
    CHANGE_SETTINGS = "change_settings"
    RUN_SYNC = "run_sync"
    MANAGE_BACKUPS = "manage_backups"
    VIEW_AUDIT_LOG = "view_audit_log"
    DATA_SUBJECT_REQUESTS = "data_subject_requests"
    ROUTE_COMPLAINTS = "route_complaints"
    CARRY_BUNDLES = "carry_bundles"
    """Seal the outbox into an offline bundle, import one (relay or return): sealed, never read."""

    @property
    def label(self) -> str:
        """The action as a phrase, for "your role does not allow …" messages."""
        return _PERMISSION_LABELS[self]


_PERMISSION_LABELS = {
    Permission.RECORD_COMPLAINTS: N_("record complaints"),
    Permission.LOOK_UP_COMPLAINTS: N_("look up complaints"),
    Permission.VIEW_IDENTITY: N_("see a complainant's identity"),
    Permission.VIEW_RAHASIA_IDENTITY: N_("see the identity behind a confidential complaint"),
    Permission.EXPORT_WITHOUT_IDENTITY: N_("export complaints without identities"),
    Permission.EXPORT_WITH_IDENTITY: N_("export complaints with identities"),
    Permission.DECIDE_QUARANTINE: N_("decide on quarantined complaints"),
    Permission.MANAGE_USERS: N_("manage user accounts"),
    Permission.CHANGE_SETTINGS: N_("change settings"),
    Permission.RUN_SYNC: N_("run synchronisation"),
    Permission.MANAGE_BACKUPS: N_("make or restore backups"),
    Permission.VIEW_AUDIT_LOG: N_("view the audit log"),
    Permission.DATA_SUBJECT_REQUESTS: N_("handle requests from data subjects"),
    Permission.ROUTE_COMPLAINTS: N_("move a complaint between the LAPOR! routes"),
    Permission.CARRY_BUNDLES: N_("make or import offline bundles"),
}

_FRONT_DESK = frozenset(
    {
        Permission.RECORD_COMPLAINTS,
        Permission.LOOK_UP_COMPLAINTS,
        Permission.VIEW_IDENTITY,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # The front desk takes the citizen's details, so it sees identities,
    # except behind rahasia complaints.
    Role.FRONT_DESK: _FRONT_DESK,
    Role.SUPERVISOR: _FRONT_DESK
    | {
        Permission.VIEW_RAHASIA_IDENTITY,
        Permission.EXPORT_WITHOUT_IDENTITY,
        Permission.EXPORT_WITH_IDENTITY,
        Permission.DECIDE_QUARANTINE,
        Permission.MANAGE_USERS,
        Permission.VIEW_AUDIT_LOG,
        Permission.DATA_SUBJECT_REQUESTS,
        Permission.ROUTE_COMPLAINTS,
        Permission.CARRY_BUNDLES,
        # Many district desks have no IT staff of their own: the head of the desk sets it up.
        Permission.CHANGE_SETTINGS,
    },
    # IT runs the machinery and never sees who complained.
    Role.IT: frozenset(
        {
            Permission.CHANGE_SETTINGS,
            Permission.RUN_SYNC,
            Permission.MANAGE_BACKUPS,
            Permission.VIEW_AUDIT_LOG,
            Permission.EXPORT_WITHOUT_IDENTITY,
            Permission.LOOK_UP_COMPLAINTS,
            # A bundle is sealed to the national key: carrying it shows IT no identity.
            Permission.CARRY_BUNDLES,
        }
    ),
}

IDENTITY_PERMISSIONS = frozenset(
    {
        Permission.VIEW_IDENTITY,
        Permission.VIEW_RAHASIA_IDENTITY,
        Permission.EXPORT_WITH_IDENTITY,
        Permission.DATA_SUBJECT_REQUESTS,
    }
)
"""Permissions that reveal personal data; IT holds none of them."""


def allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
