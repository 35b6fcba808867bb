"""The demo ward's assessments: made by the coordinating section for open
cases, the model household's re-assessed, shown on the case page and in the
家族年表 to the coordinator, and proposed as 課題 when the case is re-planned."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tsunagu import policy
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.selectors import plan_proposals
from tsunagu.cases.models import Case
from tsunagu.core.models import Municipality
from tsunagu.demo.cases import MODEL_CASE_TITLE
from tsunagu.tests.two_factor import force_login_verified


def test_the_model_household_is_assessed_twice_and_the_case_shows_it(
    demo: Municipality,
) -> None:
    case = Case.objects.get(title=MODEL_CASE_TITLE)
    versions = list(Assessment.objects.filter(case=case).order_by("version_number"))
    assert [a.version_number for a in versions] == [1, 2]
    assert versions[1].previous_id == versions[0].pk
    assert Assessment.objects.values("case").distinct().count() >= 4
    coordinator = versions[0].created_by
    assert coordinator is not None
    decision = policy.decide(coordinator, policy.Action.VIEW, "assessment", versions[1])
    assert decision.basis == policy.Basis.OWN_ORGANIZATION
    client = force_login_verified(Client(), coordinator)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("assessments:detail", args=[versions[1].pk]) in page
    household = client.get(reverse("people:household_detail", args=[case.household_id]))
    assert household.content.decode().count("アセスメント実施") == 2
    proposals = plan_proposals(coordinator, case, [versions[1].person_id])
    assert proposals[versions[1].person_id].assessment.pk == versions[1].pk
