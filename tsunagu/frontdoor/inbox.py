"""Staff writes on a thread from the online inbox: reply, hand over to another
window, turn into a 相談受付, close and reopen; and the coordinating section's
door settings and triage rules.

Each is one function taking the acting staff member and the organization they
act for, checking the version the page or client read (optimistic lock:
:class:`ThreadConflict`), checking the status against :data:`TRANSITIONS`, and
keeping the thread, its history (ThreadEvent) and the audit event in one
transaction. Whether the staff member may act on the thread at all is the
policy's (the views and the API ask it first).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.accounts.models import Staff
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.consultations import services as consultation_services
from tsunagu.consultations.models import Channel as ConsultationChannel
from tsunagu.consultations.models import Consultation
from tsunagu.core.versioning import EditConflict, check_version
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import publichost, services
from tsunagu.frontdoor.models import (
    Channel,
    EventKind,
    FrontDoorSettings,
    Message,
    Status,
    Thread,
    ThreadEvent,
    TriageRule,
)
from tsunagu.people.models import Person


class ThreadConflict(EditConflict):
    what = gettext_lazy("オンライン相談")
    verb = gettext_lazy("操作")


#: status → the statuses a staff action may take it to.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.CLOSED, Status.CONVERTED}),
    Status.CLOSED: frozenset({Status.OPEN}),
    Status.CONVERTED: frozenset(),
}

#: The thread's channel → the 相談経路 of the 相談受付 it becomes.
CONSULTATION_CHANNEL: dict[str, str] = {
    Channel.WEB: ConsultationChannel.WEB_FORM,
    Channel.LINE: ConsultationChannel.MESSAGING,
    Channel.MAIL: ConsultationChannel.EMAIL,
}


def _check(thread: Thread, version: int | None) -> None:
    if thread.anonymised_at is not None:
        raise ValidationError(_("このオンライン相談は保存期間を過ぎて匿名化されています。"))
    check_version(thread.version, version, ThreadConflict)


def _move(thread: Thread, to: str) -> None:
    if to not in TRANSITIONS[thread.status]:
        raise ValidationError(
            _("「%(status)s」のオンライン相談にはこの操作はできません。")
            % {"status": thread.get_status_display()}
        )
    thread.status = to


def _event(
    thread: Thread, kind: str, actor: Staff, organization: Organization, **detail: Any
) -> ThreadEvent:
    return ThreadEvent.objects.create(
        thread=thread, kind=kind, actor=actor, organization=organization, detail=detail
    )


def _bump(thread: Thread, *fields: str) -> None:
    thread.version += 1
    thread.save(update_fields=[*fields, "version"])


@transaction.atomic
def thread_reply(
    *, actor: Staff, organization: Organization, thread: Thread, version: int | None, body: str
) -> Message:
    """Answer the resident (in any language: the page shows the thread's)."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check(thread, version)
    if thread.status == Status.CLOSED:
        raise ValidationError(_("終了したオンライン相談です。再開してから返信してください。"))
    if not body.strip():
        raise ValidationError({"body": _("返信の本文を入力してください。")})
    message = services.reply(thread, body, staff=actor, organization=organization)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=thread,
        organization_id=organization.pk,
        detail={"replied": message.pk},
    )
    return message


@transaction.atomic
def thread_hand_over(
    *,
    actor: Staff,
    organization: Organization,
    thread: Thread,
    version: int | None,
    to: Organization | None,
    note: str = "",
) -> Thread:
    """Give the thread to another window (None: back to the coordinating section).

    The previous window loses access at once (the policy reads only the
    thread's current window)."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check(thread, version)
    if thread.status != Status.OPEN:
        raise ValidationError(_("対応中のオンライン相談だけを他の窓口に渡せます。"))
    target = to.pk if to is not None else None
    if target == thread.organization_id:
        raise ValidationError({"organization": _("いまの担当窓口と同じです。")})
    if to is not None and to.archived_at is not None:
        raise ValidationError({"organization": _("この窓口は使われていません。")})
    before = thread.organization_id
    thread.organization = to
    _bump(thread, "organization")
    _event(
        thread, EventKind.HANDED_OVER, actor, organization, to=target, **{"from": before}, note=note
    )
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=thread,
        organization_id=organization.pk,
        detail={"handed_over": {"from": before, "to": target}},
    )
    return thread


def consultation_summary(thread: Thread) -> str:
    """The 相談の概要 prefilled from the resident's messages (oldest first)."""
    lines = [
        f"[{timezone.localtime(m.sent_at):%Y-%m-%d %H:%M}] {m.body}"
        for m in thread.messages.filter(direction="in")
    ]
    header = _("オンライン相談 %(number)s（%(channel)s・%(language)s）より") % {
        "number": thread.number,
        "channel": thread.get_channel_display(),
        "language": thread.get_language_display(),
    }
    return "\n".join([header, *lines])


@transaction.atomic
def thread_convert(
    *,
    actor: Staff,
    organization: Organization,
    thread: Thread,
    version: int | None,
    consultation: Consultation,
    topics: Iterable[str],
    subjects: Iterable[Person] = (),
) -> Consultation:
    """Turn the thread into a 相談受付 of ``organization`` (unsaved ``consultation``:
    its channel, receipt time and, without a person, the unknown subject come
    from the thread) through the consultations' own service."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check(thread, version)
    _move(thread, Status.CONVERTED)
    consultation.channel = CONSULTATION_CHANNEL[thread.channel]
    consultation.received_at = thread.opened_at
    consultation.received_by = actor
    subjects = list(subjects)
    if consultation.household_id is None and not subjects and not consultation.unknown_subject:
        consultation.unknown_subject = (
            _("オンライン相談 %(number)s の相談者") % {"number": thread.number}
            + (f"（{thread.nickname}）" if thread.nickname else "")
        )[:200]
    consultation = consultation_services.consultation_create(
        actor=actor,
        organization=organization,
        consultation=consultation,
        topics=topics,
        subjects=subjects,
    )
    thread.consultation = consultation
    thread.closed_at = timezone.now()
    _bump(thread, "status", "consultation", "closed_at")
    _event(thread, EventKind.CONVERTED, actor, organization, consultation=consultation.pk)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=thread,
        organization_id=organization.pk,
        detail={"converted": consultation.pk},
    )
    return consultation


@transaction.atomic
def thread_close(
    *, actor: Staff, organization: Organization, thread: Thread, version: int | None, reason: str
) -> Thread:
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check(thread, version)
    if not reason.strip():
        raise ValidationError({"reason": _("終了する理由を入力してください。")})
    _move(thread, Status.CLOSED)
    thread.closed_at = timezone.now()
    _bump(thread, "status", "closed_at")
    _event(thread, EventKind.CLOSED, actor, organization, reason=reason)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=thread,
        organization_id=organization.pk,
        detail={"closed": True},
    )
    return thread


@transaction.atomic
def thread_reopen(
    *, actor: Staff, organization: Organization, thread: Thread, version: int | None
) -> Thread:
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _check(thread, version)
    _move(thread, Status.OPEN)
    thread.closed_at = None
    _bump(thread, "status", "closed_at")
    _event(thread, EventKind.REOPENED, actor, organization)
    audit_record(
        AuditAction.CHANGE,
        actor=actor,
        obj=thread,
        organization_id=organization.pk,
        detail={"reopened": True},
    )
    return thread


# --- The coordinating section's settings ----------------------------------------------

SETTINGS_FIELDS = (
    "accepting",
    "public_host",
    "mail_address",
    "emergency_guidance",
    "public_notice",
)


def front_door_settings() -> FrontDoorSettings:
    """The current municipality's settings (unsaved defaults until first saved)."""
    return FrontDoorSettings.objects.first() or FrontDoorSettings()


@transaction.atomic
def front_door_settings_save(*, actor: Staff, **values: Any) -> FrontDoorSettings:
    settings = FrontDoorSettings.objects.select_for_update().first() or FrontDoorSettings()
    changed = sorted(name for name in SETTINGS_FIELDS if getattr(settings, name) != values[name])
    for name in SETTINGS_FIELDS:
        setattr(settings, name, values[name])
    settings.full_clean(exclude=["municipality"])
    settings.save()
    # The public host may have changed: this process reads the hosts again at once,
    # the others within settings.TSUNAGU_PUBLIC_HOST_SECONDS.
    publichost.forget_public_hosts()
    audit_record(AuditAction.CHANGE, actor=actor, obj=settings, detail={"changed": changed})
    return settings


@transaction.atomic
def triage_rule_add(
    *,
    actor: Staff,
    organization: Organization,
    topic: str = "",
    language: str = "",
    district_id: int | None = None,
) -> TriageRule:
    if TriageRule.objects.filter(
        organization=organization, topic=topic, language=language, district_id=district_id
    ).exists():
        raise ValidationError(_("同じ振り分けの設定がすでにあります。"))
    rule = TriageRule.objects.create(
        organization=organization, topic=topic, language=language, district_id=district_id
    )
    audit_record(
        AuditAction.CREATE,
        actor=actor,
        obj=rule,
        detail={
            "organization": organization.pk,
            "topic": topic,
            "language": language,
            "district": district_id,
        },
    )
    return rule


@transaction.atomic
def triage_rule_remove(*, actor: Staff, rule: TriageRule) -> None:
    audit_record(
        AuditAction.ARCHIVE,
        actor=actor,
        obj=rule,
        detail={
            "removed": True,
            "organization": rule.organization_id,
            "topic": rule.topic,
            "language": rule.language,
            "district": rule.district_id,
        },
    )
    rule.delete()
