"""The 所属 switch changes only when its button is pressed, and every save
says which organization it was made as."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.people.models import Household
from tsunagu.tests.factories import Ward, add_member
from tsunagu.tests.test_bad_input import intake_data


@pytest.fixture
def two_hats(ward: Ward) -> Staff:
    """A counselor of the center who also works at another center."""
    counselor = ward.member(Role.COUNSELOR)
    add_member(counselor, ward.other_center, Role.COUNSELOR)
    return counselor


@pytest.mark.django_db
def test_the_switch_has_a_visible_button_and_no_automatic_submit(
    two_hats: Staff, client: Client
) -> None:
    client.force_login(two_hats)
    html = client.get(reverse("home")).content.decode()
    switch = html[html.index('action="/account/acting-organization/"') :]
    switch = switch[: switch.index("</form>")]
    assert "js-autosubmit" not in switch
    assert "js-hidden" not in switch
    assert ">切り替える</button>" in switch


@pytest.mark.django_db
def test_a_save_says_which_organization_it_was_made_as(
    ward: Ward, two_hats: Staff, client: Client
) -> None:
    client.force_login(two_hats)
    client.post(reverse("accounts:acting_organization"), {"organization": ward.other_center.pk})

    response = client.post(
        reverse("consultations:intake"),
        intake_data(ward, organization=ward.other_center.pk),
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert any(m.endswith(f"（{ward.other_center.name}として保存しました。）") for m in shown), (
        shown
    )

    with tenancy.tenant_context(ward.municipality):
        household = Household.objects.latest("pk")
    form = client.get(reverse("people:household_edit", args=[household.pk])).content.decode()
    assert f"{ward.other_center.name}として保存します" in form


@pytest.mark.django_db
def test_the_switch_itself_says_what_it_changed_to(
    ward: Ward, two_hats: Staff, client: Client
) -> None:
    client.force_login(two_hats)
    response = client.post(
        reverse("accounts:acting_organization"), {"organization": ward.other_center.pk}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [f"{ward.other_center.name}として操作します。"]
