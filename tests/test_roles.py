"""What each role may do: the matrix behind every permission check in the services."""

from __future__ import annotations

import pytest

from lapor_desktop.domain.roles import (
    IDENTITY_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    allows,
)
from lapor_desktop.i18n import translate
from lapor_desktop.security.keys import new_data_key
from lapor_desktop.services.accounts import Principal, require
from lapor_desktop.services.permissions import PermissionDenied


def _principal(role: Role) -> Principal:
    return Principal(f"{role.value}1", role, must_change_password=False, data_key=new_data_key())


def test_it_staff_cannot_see_identities() -> None:
    it = _principal(Role.IT)
    for permission in IDENTITY_PERMISSIONS:
        assert not allows(Role.IT, permission)
        with pytest.raises(PermissionDenied):
            require(it, permission)


def test_it_staff_run_the_machinery_and_export_without_identity() -> None:
    it = _principal(Role.IT)
    for permission in (
        Permission.CHANGE_SETTINGS,
        Permission.RUN_SYNC,
        Permission.MANAGE_BACKUPS,
        Permission.VIEW_AUDIT_LOG,
        Permission.EXPORT_WITHOUT_IDENTITY,
        Permission.LOOK_UP_COMPLAINTS,
    ):
        require(it, permission)
    assert not allows(Role.IT, Permission.RECORD_COMPLAINTS)
    assert not allows(Role.IT, Permission.MANAGE_USERS)


def test_front_desk_records_and_sees_identities_except_behind_rahasia() -> None:
    assert ROLE_PERMISSIONS[Role.FRONT_DESK] == {
        Permission.RECORD_COMPLAINTS,
        Permission.LOOK_UP_COMPLAINTS,
        Permission.VIEW_IDENTITY,
    }
    assert not allows(Role.FRONT_DESK, Permission.VIEW_RAHASIA_IDENTITY)
    assert not allows(Role.FRONT_DESK, Permission.EXPORT_WITHOUT_IDENTITY)


def test_supervisor_can_do_everything_the_front_desk_can_and_more() -> None:
    supervisor = ROLE_PERMISSIONS[Role.SUPERVISOR]
    assert supervisor > ROLE_PERMISSIONS[Role.FRONT_DESK]
    assert supervisor >= IDENTITY_PERMISSIONS
    for permission in (
        Permission.EXPORT_WITHOUT_IDENTITY,
        Permission.DECIDE_QUARANTINE,
        Permission.MANAGE_USERS,
        Permission.VIEW_AUDIT_LOG,
        Permission.DATA_SUBJECT_REQUESTS,
    ):
        assert permission in supervisor


def test_every_permission_belongs_to_some_role() -> None:
    granted = frozenset().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission)
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_a_refusal_names_the_role_and_the_action_in_both_languages() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(_principal(Role.FRONT_DESK), Permission.MANAGE_USERS)
    assert refused.value.permission is Permission.MANAGE_USERS
    english = refused.value.message.render("en")
    assert "Front desk" in english
    assert "manage user accounts" in english
    indonesian = refused.value.message.render("id")
    assert translate("manage user accounts", "id") in indonesian


def test_an_unchanged_initial_password_allows_nothing() -> None:
    fresh = Principal("budi", Role.SUPERVISOR, must_change_password=True, data_key=b"k" * 32)
    for permission in Permission:
        with pytest.raises(PermissionDenied):
            require(fresh, permission)


def test_a_principal_never_shows_its_data_key() -> None:
    key = new_data_key()
    principal = Principal("siti", Role.SUPERVISOR, must_change_password=False, data_key=key)
    assert key.hex() not in repr(principal)
    assert repr(key) not in repr(principal)
    assert "data_key" not in repr(principal)
