"""What a contact with a household must be, whoever records it: an outreach
contact (アウトリーチ記録) and a 支援経過記録 share these rules, so they
live here once."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.people.models import Household, HouseholdMembership, Person


def check_contact(
    *,
    household: Household,
    person: Person | None,
    case: Any | None,
    occurred_at: datetime.datetime,
    next_on: datetime.date | None,
) -> None:
    """The person is of the household, the case is the household's, the
    contact is not in the future, and its next date does not come before it."""
    errors: dict[str, str] = {}
    if (
        person is not None
        and not HouseholdMembership.objects.filter(household=household, person=person).exists()
    ):
        errors["person"] = _("この世帯の世帯員を選んでください。")
    if case is not None and case.household_id != household.pk:
        errors["case"] = _("この世帯のケースを選んでください。")
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["occurred_at"] = _(
            "未来の日時は記録できません。予定は「次回予定日」に入力してください。"
        )
    if next_on is not None and next_on < timezone.localtime(occurred_at).date():
        errors["next_on"] = _("次回予定日は、今回の日付以降にしてください。")
    if errors:
        raise ValidationError(errors)


def set_contact_staff(
    *,
    record: Any,
    rows: Any,
    actor: Any,
    staff: Iterable[tuple[Any, Any]],
    field: str,
) -> None:
    """The staff who took part in a contact, each for one of their
    organizations (``rows``: the contact's table of them, with ``contact``/
    ``note``, ``staff`` and ``organization``); the one who records it always
    takes part, for the record's organization. ``field`` names the form's
    field an error belongs to."""
    pairs = {actor.pk: (actor, record.organization)}
    for member, organization in staff:
        if organization.pk not in member.organization_ids():
            raise ValidationError(
                {
                    field: _("%(name)s さんは %(org)s の職員ではありません。")
                    % {"name": member.full_name, "org": organization.name}
                }
            )
        pairs.setdefault(member.pk, (member, organization))
    link = rows.field.name
    rows.exclude(staff_id__in=pairs).delete()
    for member, organization in pairs.values():
        rows.model.objects.update_or_create(
            **{link: record}, staff=member, defaults={"organization": organization}
        )
