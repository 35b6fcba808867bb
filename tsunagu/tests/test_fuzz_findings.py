"""What an outside fuzzing run (schemathesis, all phases, and hand probes)
found, pinned one by one: each answer was a server error or accepted input
that broke a page later. The fixes live where the rule does (core.dates,
core.text, core.jsoninput, core.pagination, core.unavailable, the API's
parser); these tests call the places where the errors were seen.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from django.urls import reverse

from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.accounts.services import api_token_create
from tsunagu.core import tenancy
from tsunagu.core.dates import EARLIEST, latest
from tsunagu.core.printing import wareki_or_western
from tsunagu.core.text import MAX_SEARCH_WORDS
from tsunagu.core.unavailable import connection_lost
from tsunagu.core.wareki import format_wareki, format_wareki_month, period_label
from tsunagu.outreach.models import OutreachContact
from tsunagu.people.models import Person
from tsunagu.reports.models import ReportRow
from tsunagu.reports.tests import test_business
from tsunagu.resources.models import Provider
from tsunagu.tests import resident_factories as make
from tsunagu.tests.factories import Ward

TOKYO = ZoneInfo("Asia/Tokyo")
#: The business report ward (its layout installed, consultations counted).
report_ward = test_business.report_ward


@pytest.fixture
def clerk(ward: Ward) -> Staff:
    return ward.member(Role.COUNSELOR)


@pytest.fixture
def api(clerk: Staff) -> Client:
    with tenancy.tenant_context(clerk.municipality):
        _token, raw = api_token_create(actor=clerk, name="検査")
    return Client(enforce_csrf_checks=True, headers={"authorization": f"Bearer {raw}"})


def send(client: Client, method: str, url: str, body: Any, **extra: Any) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    content_type = extra.pop("content_type", "application/json")
    return getattr(client, method)(url, raw, content_type=content_type, **extra)


# --- 1. 和暦 of a datetime (the minutes of a meeting with a done task) ------------------


def test_wareki_formatters_take_datetimes_in_local_time() -> None:
    # 15:00 UTC on 31 March is 1 April in Tokyo.
    moment = datetime.datetime(2025, 3, 31, 15, 0, tzinfo=datetime.UTC)
    assert format_wareki(moment) == "令和7年4月1日"
    assert wareki_or_western(moment) == "令和7年4月1日"
    assert period_label(moment, moment) == "令和7年4月"
    assert wareki_or_western(datetime.date(1868, 1, 1)) == "1868年1月1日"
    with pytest.raises(ValueError, match="明治5年以前"):
        format_wareki(datetime.date(1868, 1, 1))
    with pytest.raises(ValueError, match="明治5年以前"):
        format_wareki_month(1, 1)


@pytest.mark.django_db
def test_the_minutes_print_with_a_done_task(ward: Ward) -> None:
    from tsunagu.meetings.models import ActionItem, Meeting
    from tsunagu.meetings.services import action_item_done
    from tsunagu.meetings.tests.test_minutes_pdf import Printed

    printed = Printed(ward)
    with tenancy.tenant_context(ward.municipality):
        action = ActionItem.objects.get(agenda_item=printed.item)
        action_item_done(actor=printed.coordinator, action=action, result="訪問した")
        assert Meeting.objects.filter(pk=printed.meeting.pk).exists()
    html = printed.html(printed.coordinator)
    assert "完了（令和" in html
    client = Client()
    client.force_login(printed.coordinator)
    response = client.get(reverse("meetings:print", args=[printed.meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


# --- 2 and 7. Lone surrogates and control characters, every write ------------------------

SURROGATE_WRITES = [
    ("post", "/api/v1/persons", {"family_name": "\ud800"}, "family_name"),
    ("post", "/api/v1/households", {"note": "\ud800"}, "note"),
    ("post", "/api/v1/consultations", {"summary": "相談\udfff"}, "summary"),
    ("post", "/api/v1/households/1/outreach-contacts", {"content": "\ud800"}, "content"),
    ("post", "/api/v1/activity-records", {"intent": "\ud800"}, "intent"),
    ("post", "/api/v1/community/issues", {"title": "\ud800"}, "title"),
    ("post", "/api/v1/resources", {"name": "\ud800"}, "name"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url", "body", "field"), SURROGATE_WRITES)
def test_a_lone_surrogate_is_refused_at_its_field(
    api: Client, ward: Ward, method: str, url: str, body: dict[str, Any], field: str
) -> None:
    response = send(api, method, url, body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert "U+D800" in errors[field][0] or "U+DFFF" in errors[field][0]
    with tenancy.tenant_context(ward.municipality):
        assert Person.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["\ud800", "株式会社\x00テスト"])
def test_the_hsds_import_refuses_what_no_write_may_store(
    api: Client, ward: Ward, text: str
) -> None:
    document = {
        "id": "5c0b0a8e-1f0d-4b53-9d2a-0e6a6c6b1a11",
        "name": text,
        "description": "説明",
    }
    response = send(api, "post", "/api/v1/hsds/import?kind=organization", document)
    assert response.status_code == 422, response.content
    assert "name" in " ".join(response.json()["errors"])
    with tenancy.tenant_context(ward.municipality):
        assert not Provider.objects.exists()


# --- 3. One date range, every date and datetime ---------------------------------------


def test_the_range_is_meiji_6_to_thirty_years_ahead() -> None:
    assert datetime.date(1873, 1, 1) == EARLIEST
    assert latest(datetime.date(2026, 5, 1)) == datetime.date(2056, 12, 31)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"),
    [("1868-01-01", "1868-12-31"), ("0001-01-01", "0001-03-31"), ("9998-01-01", "9999-12-31")],
)
def test_the_business_report_drill_down_refuses_dates_out_of_range(
    report_ward: Ward, start: str, end: str
) -> None:
    with tenancy.tenant_context(report_ward.municipality):
        north = ReportRow.objects.get(label="北")
    client = Client()
    client.force_login(report_ward.member(Role.COUNSELOR))
    page = client.get(f"/reports/business/rows/{north.pk}/1/", {"start1": start, "end1": end})
    assert page.status_code == 404
    api = client.get(
        f"/api/v1/reports/business/rows/{north.pk}/records", {"start": start, "end": end}
    )
    assert api.status_code == 422
    assert set(api.json()["errors"]) == {"start", "end"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "occurred_at", ["0001-01-01T00:00:00Z", "1872-12-31T23:00:00+09:00", "9999-12-31T23:59:59Z"]
)
def test_an_outreach_contact_out_of_range_is_refused(
    api: Client, clerk: Staff, ward: Ward, occurred_at: str
) -> None:
    household = make.household(clerk, ward.center)
    response = send(
        api,
        "post",
        f"/api/v1/households/{household.pk}/outreach-contacts",
        {
            "occurred_at": occurred_at,
            "method": "visit",
            "result": "absent",
            "intent": "safety",
            "stage_after": "none",
        },
    )
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"occurred_at"}
    with tenancy.tenant_context(ward.municipality):
        assert not OutreachContact.objects.exists()
    page = Client()
    page.force_login(clerk)
    assert page.get(reverse("outreach:household", args=[household.pk])).status_code == 200


@pytest.mark.django_db
def test_an_activity_record_of_year_one_is_refused(api: Client, ward: Ward) -> None:
    response = send(
        api,
        "post",
        "/api/v1/activity-records",
        {
            "occurred_on": "0001-01-01",
            "district_id": ward.districts[1].pk,
            "category": "individual",
            "kind": "liaison",
            "mode": "indirect",
            "direction": "outgoing",
            "intent": "主治医と相談する",
        },
    )
    assert response.status_code == 422
    assert "明治5年以前" in response.json()["errors"]["occurred_on"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["0", "20250401", "1e9", "2025-4-1"])
def test_numbers_are_not_dates(api: Client, value: str) -> None:
    response = api.get("/api/v1/activity-records", {"date_to": value})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"date_to"}


@pytest.mark.django_db
def test_a_number_in_a_json_body_is_not_a_date(api: Client, clerk: Staff, ward: Ward) -> None:
    household = make.household(clerk, ward.center)
    response = send(
        api,
        "post",
        f"/api/v1/households/{household.pk}/outreach-contacts",
        {
            "occurred_at": 0,
            "method": "visit",
            "result": "absent",
            "intent": "safety",
            "stage_after": "none",
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"occurred_at"}


@pytest.mark.django_db
def test_forms_refuse_dates_out_of_range(clerk: Staff, ward: Ward) -> None:
    household = make.household(clerk, ward.center)
    client = Client()
    client.force_login(clerk)
    url = reverse("outreach:create", args=[household.pk])
    response = client.post(
        url,
        {"occurred_on": "1800-01-01", "occurred_time": "10:00", "method": "visit"},
    )
    assert response.status_code == 200
    assert "明治5年以前" in response.content.decode()


def test_every_date_the_api_takes_is_of_the_one_type() -> None:
    """Enumerated from the OpenAPI document: every date or datetime in a query,
    a path or a request body carries core.dates' range."""
    from tsunagu.api.root import api as ninja_api

    document = json.loads(json.dumps(ninja_api.get_openapi_schema(), default=str))
    components = document.get("components", {}).get("schemas", {})
    found = []

    def visit(schema: Any, where: str, seen: frozenset[str] = frozenset()) -> None:
        if isinstance(schema, dict):
            ref = schema.get("$ref")
            if ref:
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    visit(components[name], f"{where}>{name}", seen | {name})
                return
            if schema.get("format") in ("date", "date-time"):
                found.append((where, "x-tsunagu-earliest" in schema))
            for key, value in schema.items():
                visit(value, f"{where}.{key}", seen)
        elif isinstance(schema, list):
            for item in schema:
                visit(item, where, seen)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                visit(parameter.get("schema"), f"{method} {path} {parameter['name']}")
            visit(operation.get("requestBody"), f"{method} {path} body")
    assert found
    assert [where for where, typed in found if not typed] == []


# --- 4. Paging ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["services", "organizations", "service_at_locations", "taxonomies", "taxonomy_terms"]
)
@pytest.mark.parametrize("page", ["9223372036854775807", "0", str(10**30)])
def test_hsds_pages_are_bounded(api: Client, url: str, page: str) -> None:
    response = api.get(f"/api/v1/hsds/{url}", {"page": page})
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"page"}


# --- 5. Parse errors and resource limits --------------------------------------------------

DEEP = "[" * 990 + "]" * 990


@pytest.mark.django_db
def test_deep_nesting_is_refused_in_japanese(api: Client) -> None:
    imported = send(api, "post", "/api/v1/hsds/import", DEEP)
    assert imported.status_code == 422
    assert "入れ子が深すぎます" in imported.json()["errors"][0]
    person = send(api, "post", "/api/v1/persons", '{"family_name": ' + DEEP + "}")
    assert person.status_code == 400
    assert "入れ子が深すぎます" in person.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ['{"family_name": NaN}', "{oops", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_a_400_in_japanese(api: Client, body: Any) -> None:
    response = send(api, "post", "/api/v1/persons", body)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[null, null]", "[]", "5", '"x"', "null"])
def test_a_body_that_is_not_an_object_is_refused(
    api: Client, clerk: Staff, ward: Ward, body: str
) -> None:
    person = make.person(clerk, ward.center)
    response = send(api, "put", f"/api/v1/persons/{person.pk}/participation-profile", body)
    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == {"__all__"}


# --- 6. Many search words, and what a 503 means ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["services", "organizations", "service_at_locations"])
def test_many_search_words_are_refused_not_an_outage(api: Client, url: str) -> None:
    response = api.get(f"/api/v1/hsds/{url}", {"search": " ".join(["語"] * 1500)})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"search"}
    words = " ".join(["語"] * MAX_SEARCH_WORDS)
    assert api.get(f"/api/v1/hsds/{url}", {"search": words}).status_code == 200


def _wrapped(error: Exception) -> OperationalError:
    try:
        try:
            raise error
        except Exception as cause:
            raise OperationalError(*cause.args) from cause
    except OperationalError as wrapped:
        return wrapped


def test_only_a_lost_connection_is_an_outage() -> None:
    refused = sqlite3.OperationalError("Expression tree is too large (maximum depth 1000)")
    refused.sqlite_errorcode = 1  # type: ignore[attr-defined]
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 5  # type: ignore[attr-defined]
    assert not connection_lost(_wrapped(refused))
    assert connection_lost(_wrapped(busy))
    assert connection_lost(OperationalError("connection to server failed"))
    assert connection_lost(InterfaceError("connection already closed"))
    assert not connection_lost(ValueError("not the database"))

    class PgError(Exception):
        def __init__(self, sqlstate: str | None) -> None:
            super().__init__("pg")
            self.sqlstate = sqlstate

    assert connection_lost(_wrapped(PgError("08006")))
    assert connection_lost(_wrapped(PgError("57P01")))
    assert not connection_lost(_wrapped(PgError("57014")))  # statement timeout
    assert not connection_lost(_wrapped(PgError("54001")))  # statement too complex


# --- Strict input --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_does_not_say_json_is_a_415(api: Client, content_type: str) -> None:
    response = api.post("/api/v1/persons", '{"family_name": "山田"}', content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    imported = api.post("/api/v1/hsds/import", "{}", content_type="text/plain")
    assert imported.status_code == 415


@pytest.mark.django_db
def test_a_body_over_the_cap_gets_json(api: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"family_name": "山田", "note": "あ" * 2000})
    response = send(api, "post", "/api/v1/persons", body)
    assert response.status_code == 413
    assert response.json() == {"detail": "本文が大きすぎます。分けて送ってください。"}
    form = api.post(
        "/api/v1/persons", "a=" + "b" * 2000, content_type="application/x-www-form-urlencoded"
    )
    # The size is read before the type: over the cap is 413 whatever the body is.
    assert form.status_code == 413
    assert form.json() == {"detail": "本文が大きすぎます。分けて送ってください。"}
    assert form["Content-Type"].startswith("application/json")


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["+{pk}", " {pk}", "{pk} ", "{pk}.0", "%2B{pk}", "-{pk}"])
def test_an_id_is_digits_only(api: Client, clerk: Staff, ward: Ward, written: str) -> None:
    person = make.person(clerk, ward.center)
    assert api.get(f"/api/v1/persons/{person.pk}").status_code == 200
    response = api.get("/api/v1/persons/" + written.format(pk=person.pk).replace(" ", "%20"))
    assert response.status_code == 404, written
    assert response.json() == {"detail": "見つかりません。"}


# --- Free text has a length limit, shown before it is reached -------------------------------


def test_every_free_text_of_every_model_has_a_limit() -> None:
    """Enumerated from the models: every TextField a clerk's input reaches is a
    FreeTextField with a limit (the search text is derived from those)."""
    from django.apps import apps
    from django.db import models

    from tsunagu.core.fields import FreeTextField

    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("tsunagu.")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and field.name != "search_text"
        and not (isinstance(field, FreeTextField) and field.max_length)
    ]
    assert unbounded == []


@pytest.mark.django_db
def test_the_intake_form_shows_the_limit_and_counts_a_line_break_as_one(
    clerk: Staff, ward: Ward
) -> None:
    from tsunagu.core.text import ACCOUNT_MAX_LENGTH, NOTE_MAX_LENGTH

    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("consultations:intake")).content.decode()
    assert f'maxlength="{ACCOUNT_MAX_LENGTH}"' in page
    assert f"{ACCOUNT_MAX_LENGTH:,}文字まで" in page

    household = make.household(clerk, ward.center)
    url = reverse("people:household_edit", args=[household.pk])
    edit = client.get(url).content.decode()
    assert f'maxlength="{NOTE_MAX_LENGTH}"' in edit and f"{NOTE_MAX_LENGTH:,}文字まで" in edit
    # As a browser sends it: 4,000 characters counting each CR LF as one.
    typed = "\r\n".join(["見守り"] * 1000)[: NOTE_MAX_LENGTH + 999]
    typed = typed[: NOTE_MAX_LENGTH + typed.count("\r\n")]
    response = client.post(url, {"address": "北1-2-3", "note": typed, "phone": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    refused = client.post(url, {"address": "北1-2-3", "note": "あ" * 4001, "phone": ""})
    assert refused.status_code == 200
    assert "4,000文字以内で入力してください" in refused.content.decode()


@pytest.mark.django_db
def test_the_api_refuses_a_text_over_its_limit_at_its_field(
    api: Client, clerk: Staff, ward: Ward
) -> None:
    household = make.household(clerk, ward.center)
    contact = send(
        api,
        "post",
        f"/api/v1/households/{household.pk}/outreach-contacts",
        {
            "method": "visit",
            "result": "absent",
            "intent": "safety",
            "stage_after": "none",
            "content": "あ" * 4001,
        },
    )
    assert contact.status_code == 422, contact.content
    assert "4,000文字以内" in contact.json()["errors"]["content"][0]
    with tenancy.tenant_context(ward.municipality):
        assert not OutreachContact.objects.exists()
    huge = send(api, "post", "/api/v1/persons", {"family_name": "山田", "address": "あ" * 20001})
    assert huge.status_code == 422
    assert set(huge.json()["errors"]) == {"address"}


# --- Found by the page forms' fuzzing ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("chosen", [str(2**70), str(-(2**70)), "9" * 40])
def test_a_choice_by_an_id_no_database_holds_is_refused(
    clerk: Staff, ward: Ward, chosen: str
) -> None:
    """The intake form's organization (a record chosen by id) answered 500:
    the driver's OverflowError escaped Django's check of the choice."""
    client = Client()
    client.force_login(clerk)
    response = client.post(reverse("consultations:intake"), {"organization": chosen})
    assert response.status_code == 200
    assert "選択してください" in response.content.decode()


@pytest.mark.django_db
def test_an_outreach_contact_kept_from_before_the_range_still_shows(
    clerk: Staff, ward: Ward
) -> None:
    """A contact of year 1 saved before the API checked the range: the
    household's outreach page shows it (in the western form) instead of a 500."""
    household = make.household(clerk, ward.center)
    with tenancy.tenant_context(ward.municipality):
        from tsunagu.outreach.services import outreach_contact_record

        contact = outreach_contact_record(
            actor=clerk,
            organization=ward.center,
            household=household,
            method="visit",
            result="absent",
            intent="safety",
            stage_after="none",
        )
        OutreachContact.objects.filter(pk=contact.pk).update(
            occurred_at=datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
        )
    page = Client()
    page.force_login(clerk)
    response = page.get(reverse("outreach:household", args=[household.pk]))
    assert response.status_code == 200
    assert "1年1月" in response.content.decode()
