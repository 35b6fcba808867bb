"""Every write a person can make on a page has an API operation.

The write pages are enumerated from the URL configuration (their policy
declaration creates, changes or archives); each is answered here by the API
operation that makes the same write through the same service, or stands on
a short list of page-only actions with the reason. A new write page with
neither fails the test, and so does a named operation that is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu import policy
from tsunagu.api.root import operations
from tsunagu.tests.routes import walk


@dataclass(frozen=True)
class PageOnly:
    reason: str


ACCOUNT = PageOnly(
    "本人のアカウント操作（パスワード・二要素認証・APIトークン）は本人がブラウザで行う。"
    "トークンでトークンや認証を作り替えられないようにするため"
)
ACCOUNT_ADMINISTRATION = PageOnly(
    "職員アカウントと所属・セキュリティ設定はシステム管理者が二要素認証の下で画面から管理する"
)
CHANNEL_CREDENTIALS = PageOnly(
    "LINE公式アカウントのチャネルシークレットとアクセストークンは、セキュリティ設定と同じく"
    "システム管理者が二要素認証の下で画面から設定する。APIトークンで住民の相談の受け口を"
    "作り替えられないようにするため"
)
DRAFT = PageOnly(
    "画面で入力中のフォームの下書き（本人だけが読む）。API の利用者は送る前の内容を自分で持つ"
)
TYPING_AID = PageOnly("入力中の候補表示（読み取り）。API では GET /persons の検索が同じ役目を持つ")

#: Page (URL pattern) → the API operation ("METHOD function") doing the same write.
PARITY: dict[str, str | PageOnly] = {
    "two-factor/setup/": ACCOUNT,
    "account/": ACCOUNT,
    "account/tokens/<int:pk>/revoke/": ACCOUNT,
    "account/acting-organization/": PageOnly(
        "API では要求ごとに X-Tsunagu-Organization ヘッダーで所属機関を選ぶ"
    ),
    "drafts/save/": DRAFT,
    "drafts/discard/": DRAFT,
    "account/staff/new/": ACCOUNT_ADMINISTRATION,
    "account/memberships/<int:pk>/end/": ACCOUNT_ADMINISTRATION,
    "account/security/": ACCOUNT_ADMINISTRATION,
    "settings/line/": CHANNEL_CREDENTIALS,
    "directory/organizations/new/": "POST organization_create",
    "directory/organizations/<int:pk>/": "PUT organization_update",
    "directory/organizations/<int:pk>/archive/": "POST organization_archive",
    "directory/districts/new/": "POST district_create",
    "directory/districts/<int:pk>/": "PUT district_update",
    "directory/districts/<int:pk>/archive/": "POST district_archive",
    "directory/businesses/new/": "POST sub_business_create",
    "directory/businesses/<int:pk>/": "PUT sub_business_update",
    "directory/businesses/<int:pk>/archive/": "POST sub_business_archive",
    "directory/case-features/new/": "POST case_feature_create",
    "directory/case-features/<int:pk>/": "PUT case_feature_update",
    "directory/case-features/<int:pk>/archive/": "POST case_feature_archive",
    "people/households/<int:pk>/edit/": "PUT household_update",
    "people/households/<int:pk>/archive/": "POST household_archive",
    "people/households/<int:pk>/members/new/": "POST household_member_add",
    "people/memberships/<int:pk>/end/": "POST household_member_end",
    "people/persons/<int:pk>/archive/": "POST person_archive",
    "people/persons/<int:pk>/merge/<int:other>/": "POST person_merge",
    "people/merges/<int:pk>/undo/": "POST person_merge_undo",
    "people/matches/": TYPING_AID,
    "people/reading/": TYPING_AID,
    "people/emergency/": PageOnly(
        "緊急時の閲覧は、職員が理由を書いて画面から一世帯ずつ開く。"
        "プログラムからの一括の開封や検索をさせないため"
    ),
    "consultations/new/": "POST consultation_create",
    "consultations/<int:pk>/continuity/": "PUT consultation_continuity_set",
    "consultations/<int:pk>/link/": "POST consultation_link",
    "referrals/new/": "POST referral_create",
    "referrals/<int:pk>/transition/": "POST referral_transition",
    "cases/new/": "POST case_create",
    "cases/<int:pk>/transition/": "POST case_transition",
    "cases/<int:pk>/update/": "PUT case_update",
    "cases/<int:pk>/team/": "POST case_team_add",
    "cases/<int:pk>/team/<int:member_pk>/leave/": "POST case_team_leave",
    "cases/<int:pk>/consents/new/": "POST consent_create",
    "cases/consents/<int:pk>/withdraw/": "POST consent_withdraw",
    "meetings/new/": "POST meeting_create",
    "meetings/tasks/<int:pk>/done/": "POST meeting_task_done",
    "meetings/<int:pk>/attendees/": "POST meeting_attendee_add",
    "meetings/<int:pk>/guests/": "POST meeting_guest_invite",
    "meetings/<int:pk>/attendees/<int:attendee_pk>/pledge/": "POST attendee_pledge",
    "meetings/<int:pk>/pledge/": "POST attendee_pledge",
    "meetings/<int:pk>/questionnaire/": "POST meeting_questionnaire_answer",
    "meetings/<int:pk>/agenda/": "POST agenda_item_create",
    "meetings/<int:pk>/hold/": "POST meeting_hold",
    "meetings/<int:pk>/cancel/": "POST meeting_cancel",
    "meetings/<int:pk>/minutes/": "PUT meeting_minutes_save",
    "meetings/agenda/<int:pk>/brief/": "PUT meeting_brief_save",
    "meetings/agenda/<int:pk>/decisions/": "POST meeting_decisions_record",
    "plans/new/<int:case_pk>/": "POST plan_create",
    "plans/<int:pk>/activate/": "POST plan_activate",
    "plans/<int:pk>/monitoring/": "POST plan_monitoring_create",
    "outreach/households/<int:household_pk>/new/": "POST outreach_contact_create",
    "outreach/<int:pk>/edit/": "PUT outreach_contact_update",
    "progress/households/<int:household_pk>/new/": "POST progress_note_create",
    "progress/<int:pk>/edit/": "PUT progress_note_update",
    "assessments/persons/<int:person_pk>/new/": "POST assessment_create",
    "life-events/households/<int:household_pk>/new/": "POST life_event_create",
    "life-events/<int:pk>/edit/": "PUT life_event_update",
    "life-events/<int:pk>/archive/": "POST life_event_archive",
    "participation/persons/<int:person_pk>/profile/": "PUT profile_save",
    "participation/persons/<int:person_pk>/propose/": "POST participation_create",
    "participation/<int:pk>/transition/": "POST participation_transition",
    "participation/<int:pk>/notes/": "POST participation_note",
    "resources/new/": "POST resource_create",
    "resources/<int:pk>/edit/": "PUT resource_update",
    "resources/<int:pk>/archive/": "POST resource_archive",
    "resources/providers/new/": "POST provider_create",
    "resources/providers/<int:pk>/edit/": "PUT provider_update",
    "resources/providers/<int:pk>/archive/": "POST provider_archive",
    "resources/hsds/import/": "POST hsds_import",
    "community/places/new/": "POST place_create",
    "community/places/<int:pk>/edit/": "PUT place_update",
    "community/projects/new/": "POST project_create",
    "community/projects/<int:pk>/edit/": "PUT project_update",
    "community/projects/<int:pk>/transition/": "POST project_transition",
    "community/projects/<int:pk>/notes/": "POST project_note",
    "community/issues/new/": "POST issue_create",
    "community/issues/<int:pk>/edit/": "PUT issue_update",
    "community/issues/<int:pk>/advance/": "POST issue_advance",
    "activities/new/": "POST activity_record_create",
    "activities/<int:pk>/edit/": "PUT activity_record_update",
    "activities/<int:pk>/archive/": "POST activity_record_archive",
    "activities/counted/save/": "POST counted_entry_save",
    "reports/business/layout/": "POST business_layout_install",
    "reports/business/layout/rows/<int:pk>/": "PUT business_row_update",
    "reports/business/layout/tables/<int:table_pk>/rows/new/": "POST business_row_create",
    "reports/strategy/new/": "POST strategy_sheet_create",
    "reports/strategy/<int:pk>/manage/": PageOnly(
        "操作を選ぶための画面（読み取り）。API では GET /strategy-sheets/{id} と各操作"
    ),
    "reports/strategy/<int:pk>/edit/": "PUT strategy_sheet_update",
    "reports/strategy/<int:pk>/values/": "PUT strategy_values_set",
    "reports/strategy/<int:pk>/budgets/": "PUT strategy_budgets_set",
    "reports/strategy/<int:pk>/narratives/": "PUT strategy_narratives_update",
    "reports/strategy/<int:pk>/programmes/new/": "POST strategy_programme_create",
    "reports/strategy/programmes/<int:pk>/edit/": "PUT strategy_programme_update",
    "reports/strategy/programmes/<int:pk>/move/": "POST strategy_programme_move",
    "reports/strategy/programmes/<int:pk>/archive/": "POST strategy_programme_archive",
    "reports/strategy/programmes/<int:pk>/indicators/new/": "POST strategy_indicator_create",
    "reports/strategy/indicators/<int:pk>/edit/": "PUT strategy_indicator_update",
    "reports/strategy/indicators/<int:pk>/move/": "POST strategy_indicator_move",
    "reports/strategy/indicators/<int:pk>/archive/": "POST strategy_indicator_archive",
    "events/new/": "POST consultation_event_create",
    "events/<int:pk>/edit/": "PUT consultation_event_update",
    "events/<int:pk>/archive/": "POST consultation_event_archive",
    "appointments/new/": "POST appointment_create",
    "appointments/<int:pk>/status/": "PUT appointment_status_set",
    "appointments/settings/": "PUT appointment_settings_update",
    "threads/<int:pk>/reply/": "POST thread_reply",
    "threads/<int:pk>/hand-over/": "POST thread_hand_over",
    "threads/<int:pk>/convert/": "POST thread_convert",
    "threads/<int:pk>/close/": "POST thread_close",
    "threads/<int:pk>/reopen/": "POST thread_reopen",
    "threads/triage/": "PUT front_door_settings_update",
    "threads/triage/rules/new/": "POST triage_rule_create",
    "threads/triage/rules/<int:pk>/remove/": "DELETE triage_rule_delete",
}

WRITES = (policy.Action.CREATE, policy.Action.CHANGE, policy.Action.ARCHIVE)
#: Pages declared VIEW that still write: what an attendee (a guest included)
#: does at their own meeting — the pledge and the questionnaire.
WRITES_DECLARED_AS_VIEW = {"meetings/<int:pk>/pledge/", "meetings/<int:pk>/questionnaire/"}


def _write_pages() -> set[str]:
    found = set()
    for route in walk():
        declared = policy.declaration_of(route.callback)
        if route.is_api or not isinstance(declared, policy.RouteDeclaration):
            continue
        if declared.action in WRITES or route.pattern in WRITES_DECLARED_AS_VIEW:
            found.add(route.pattern)
    return found


def _operation_keys() -> set[str]:
    return {f"{'/'.join(sorted(op.methods))} {op.view_func.__name__}" for op in operations()}


def test_every_write_page_has_an_api_operation_or_a_reason() -> None:
    pages = _write_pages()
    assert sorted(pages - PARITY.keys()) == [], "write pages with no API counterpart"
    assert sorted(PARITY.keys() - pages) == [], "counterparts of pages that are gone"


def test_every_named_operation_exists() -> None:
    named = {answer for answer in PARITY.values() if isinstance(answer, str)}
    assert sorted(named - _operation_keys()) == []


def test_the_page_only_list_stays_short_and_reasoned() -> None:
    page_only = [page for page, answer in PARITY.items() if isinstance(answer, PageOnly)]
    # (13: a form's draft, saved and discarded, is the page's own typing;
    # 14: the LINE channel's credentials, set like the security settings.)
    assert len(page_only) <= 14
    assert all(len(PARITY[page].reason) > 20 for page in page_only)  # type: ignore[union-attr]
