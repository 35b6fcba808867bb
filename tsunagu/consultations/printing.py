"""The printed 相談受付・申込票: one consultation as the national default form
(自治体事務マニュアル, modelled on the 自立相談支援 standard forms), as a PDF.

The sheet has two variants: with the person's consent to share (同意あり),
which carries the application and consent declaration with a signature box,
and without it (同意なし). Which one is printed follows
``Consultation.consent_to_share``.

The caller has already fetched the consultation through the policy
(``policy.get_or_404(user, "consultation", Action.PRINT, pk=...)``), which
checks the viewer's basis and writes the print to the audit trail; this
module only lays out what that call allowed, and names the basis in the
footer of every page.

Nothing is fetched from outside while rendering: the HTML and CSS are one
self-contained template, fonts come from the machine's fontconfig (Noto
Sans CJK JP, package ``fonts-noto-cjk``), and the URL fetcher refuses every
URL but inline ``data:`` ones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.consultations.models import (
    CaseFeature,
    ConsentToShare,
    Consultation,
    ConsultationSubject,
    LifeIssue,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core import tenancy
from tsunagu.core.printing import html_to_pdf, wareki_datetime, wareki_or_western
from tsunagu.directory.models import Organization
from tsunagu.referrals.models import SharingBasis, Status

if TYPE_CHECKING:
    from tsunagu.accounts.models import Staff

TEMPLATE = "consultations/intake_sheet_print.html"


@dataclass(frozen=True)
class CheckItem:
    """One printed checkbox: ☑ or ☐, and ◎ for the main 相談内容."""

    label: str
    checked: bool
    main: bool = False


@dataclass(frozen=True)
class SubjectIdentity:
    """The identity block of one person the consultation is about (carries over to every sheet)."""

    name: str
    kana: str
    sex: str
    birth_date: str
    age: int | None
    address: str
    phone: str


def _choices(choices: Any, selected: set[str], main: str = "") -> list[CheckItem]:
    return [
        CheckItem(label=str(choice.label), checked=choice.value in selected, main=choice == main)
        for choice in choices
    ]


def _subjects(consultation: Consultation, received_on: datetime.date) -> list[SubjectIdentity]:
    links = (
        ConsultationSubject.objects.filter(consultation=consultation)
        .select_related("person")
        .order_by("id")
    )
    household = consultation.household
    identities = []
    for link in links:
        person = link.person
        identities.append(
            SubjectIdentity(
                name=person.full_name,
                kana=person.full_name_kana,
                sex=person.get_sex_display(),
                birth_date=wareki_or_western(person.birth_date) if person.birth_date else "",
                age=person.age_on(received_on),
                # A person recorded without an address lives at the household's.
                address=person.address or (household.address if household else ""),
                phone=person.phone or (household.phone if household else ""),
            )
        )
    return identities


def _case_features(consultation: Consultation) -> list[CheckItem]:
    """The municipality's 世帯の特徴, checked where recorded; an archived one only if checked."""
    checked = set(consultation.case_features.values_list("pk", flat=True))
    features = CaseFeature.objects.filter(Q(archived_at__isnull=True) | Q(pk__in=checked))
    return [CheckItem(label=f.name, checked=f.pk in checked) for f in features]


def _consent_organizations(consultation: Consultation, viewer: Staff) -> list[Organization]:
    """The organizations named in the consent declaration: the receiving one,
    the 多機関協働 coordinating section, and those this consultation was sent
    to on the person's consent (only referrals the viewer may see)."""
    referred_to = (
        policy.visible(viewer, "referral", policy.Action.VIEW)
        .filter(consultation=consultation, sharing_basis=SharingBasis.CONSENT)
        .exclude(status__in=[Status.DRAFT, Status.CANCELLED])
        .values("to_organization_id")
    )
    others = Organization.objects.filter(
        Q(is_coordinating=True, archived_at__isnull=True) | Q(pk__in=referred_to)
    ).exclude(pk=consultation.organization_id)
    return [consultation.organization, *others.order_by("-is_coordinating", "name", "id")]


def intake_sheet_context(
    consultation: Consultation,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> dict[str, Any]:
    """Everything the print template shows, resolved to plain values."""
    if consultation.municipality_id != viewer.municipality_id:
        raise PermissionDenied
    printed_at = printed_at or timezone.now()
    with tenancy.tenant_context(viewer.municipality):
        received_on = timezone.localdate(consultation.received_at)
        checked_topics = set(consultation.topics.values_list("topic", flat=True))
        with_consent = consultation.consent_to_share == ConsentToShare.OBTAINED
        return {
            "consultation": consultation,
            "municipality_name": viewer.municipality.name,
            "with_consent": with_consent,
            "variant_label": _("同意あり") if with_consent else _("同意なし"),
            "variant_detail": consultation.get_consent_to_share_display(),
            "number": consultation.number,
            "received_on": wareki_or_western(received_on),
            "received_time": f"{timezone.localtime(consultation.received_at):%H:%M}",
            "organization_name": consultation.organization.name,
            "received_by_name": consultation.received_by.full_name,
            "channel": consultation.get_channel_display(),
            "consulter": consultation.get_consulter_display(),
            "consulter_note": consultation.consulter_note,
            "household_number": consultation.household.number if consultation.household else "",
            "subjects": _subjects(consultation, received_on),
            "unknown_subject": consultation.unknown_subject,
            "topics": _choices(Topic, checked_topics, consultation.main_topic),
            "life_issues": _choices(LifeIssue, set(consultation.life_issues)),
            "case_features": _case_features(consultation),
            "summary": consultation.summary,
            "urgency": _choices(Urgency, {consultation.urgency}),
            "outcome": _choices(Outcome, {consultation.outcome}),
            "consent_organizations": (
                [org.name for org in _consent_organizations(consultation, viewer)]
                if with_consent
                else []
            ),
            "printed_at": wareki_datetime(printed_at),
            "printed_by": viewer.full_name,
            "basis_label": str(policy.Basis(basis).label) if basis else _("（根拠なし）"),
        }


def intake_sheet_html(
    consultation: Consultation,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> str:
    """The sheet as self-contained HTML+CSS for A4 print."""
    context = intake_sheet_context(consultation, viewer=viewer, basis=basis, printed_at=printed_at)
    return render_to_string(TEMPLATE, context)


def intake_sheet_pdf(
    consultation: Consultation,
    *,
    viewer: Staff,
    basis: policy.Basis | str | None,
    printed_at: datetime.datetime | None = None,
) -> bytes:
    """The 相談受付・申込票 of ``consultation`` as PDF bytes.

    ``viewer`` is the staff member printing and ``basis`` the policy basis the
    consultation was fetched under (both printed in the footer). The view
    serves the bytes as ``application/pdf``.
    """
    return html_to_pdf(
        intake_sheet_html(consultation, viewer=viewer, basis=basis, printed_at=printed_at)
    )
