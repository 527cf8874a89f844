"""The one place services check permissions, whatever front end called them."""

from __future__ import annotations

from lapor_desktop.domain.roles import Permission, allows
from lapor_desktop.i18n import N_, Message
from lapor_desktop.services.context import Actor


class PermissionDenied(Exception):
    """A role tried an action it does not have; ``message`` names the action."""

    def __init__(self, message: Message, permission: Permission) -> None:
        self.message = message
        self.permission = permission
        super().__init__(message.render("en"))


def require(actor: Actor, permission: Permission) -> None:
    """Raise unless ``actor`` may act; an unchanged initial password allows nothing."""
    action = Message(permission.label)
    if actor.must_change_password:
        template = N_("Change your initial password before you {action}.")
        raise PermissionDenied(Message(template, {"action": action}), permission)
    if not allows(actor.role, permission):
        template = N_("Your role ({role}) does not allow you to {action}.")
        role = Message(actor.role.label)
        raise PermissionDenied(Message(template, {"role": role, "action": action}), permission)
