"""Writes of the LINE channel's settings (the system administrator's page)."""

from __future__ import annotations

from django.db import transaction

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.frontdoor.models import LineChannel

#: The fields whose values never leave the database: the audit names them, no more.
SECRET_FIELDS = ("channel_secret", "channel_access_token")


@transaction.atomic
def line_channel_set(
    *,
    actor: Staff,
    bot_user_id: str,
    api_base: str,
    active: bool,
    channel_secret: str = "",
    channel_access_token: str = "",
) -> LineChannel:
    """Create or change the current municipality's channel. A blank secret or
    token keeps the one stored; the audit event lists what changed, with the
    values of the plain fields and only the names of the secret ones."""
    channel = LineChannel.objects.select_for_update().first()
    created = channel is None
    if channel is None:
        channel = LineChannel()
    plain = {"bot_user_id": bot_user_id, "api_base": api_base.rstrip("/"), "active": active}
    changed: dict[str, object] = {}
    for name, value in plain.items():
        if getattr(channel, name) != value or created:
            setattr(channel, name, value)
            changed[name] = value
    secrets_changed = []
    for name, value in (
        ("channel_secret", channel_secret),
        ("channel_access_token", channel_access_token),
    ):
        if value and getattr(channel, name) != value:
            setattr(channel, name, value)
            secrets_changed.append(name)
    if not changed and not secrets_changed:
        return channel
    channel.save()
    audit_record(
        AuditAction.CREATE if created else AuditAction.CHANGE,
        actor=actor,
        obj=channel,
        detail={**changed, "secrets_changed": secrets_changed},
    )
    return channel
