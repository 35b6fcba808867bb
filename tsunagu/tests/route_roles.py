"""The answer every role must get from every route: the written table.

Each page (by its URL pattern) and each API operation (by method and
operation name) lists the roles that the policy lets through; every other
role is refused (403, audited). `test_route_roles.py` enumerates the routes
from the URL configuration and the API, fails on a route missing here or
named here but gone, and walks every route as every role — the external
guest included — against this table. Changing an answer means changing this
table in the same commit, where a reviewer sees it.

A role let through here still meets the object-level answer (missing and
forbidden look alike: 404). Which records each basis opens is pinned by the
permission matrices (`test_policy*.py`).
"""

from __future__ import annotations

from tsunagu.accounts.roles import Role

EVERYONE = frozenset(Role)
GUEST = frozenset({Role.GUEST})
#: Every staff member of the municipality; external guests reach only their meeting.
STAFF = EVERYONE - GUEST
#: Staff doing casework: the only ones who search, record and open an emergency.
CASEWORK = frozenset({Role.COUNSELOR, Role.ORG_MANAGER, Role.COORDINATOR})
SYSADMIN = frozenset({Role.SYSADMIN})
AUDITOR = frozenset({Role.AUDITOR})
COORDINATOR = frozenset({Role.COORDINATOR})
#: Who shapes the business report and the strategy sheet.
REPORT_EDITORS = frozenset({Role.COORDINATOR, Role.MANAGER, Role.SYSADMIN})
#: Who sees staff accounts: the system administrator, and a manager of an organization its own.
STAFF_ADMINS = frozenset({Role.ORG_MANAGER, Role.SYSADMIN})
#: Who sets up a window's appointments.
ORG_MANAGERS = frozenset({Role.ORG_MANAGER})
#: Who undoes a merge of two person records.
MERGE_UNDOERS = frozenset({Role.ORG_MANAGER, Role.COORDINATOR})

PAGES: dict[str, frozenset[Role]] = {
    "/": EVERYONE,  # own_account view
    "/two-factor/setup/": EVERYONE,  # own_account change
    "/two-factor/verify/": EVERYONE,  # own_account view
    "/account/": EVERYONE,  # own_account change
    "/account/tokens/<int:pk>/revoke/": EVERYONE,  # own_account change
    "/account/acting-organization/": EVERYONE,  # own_account change
    "/account/stay-signed-in/": EVERYONE,  # own_account view
    # A staff member's own drafts of forms: each reads and keeps only theirs.
    "/drafts/": EVERYONE,  # draft view
    "/drafts/save/": EVERYONE,  # draft change
    "/drafts/discard/": EVERYONE,  # draft change
    "/account/staff/": STAFF_ADMINS,  # staff list
    "/account/staff/new/": SYSADMIN,  # staff create
    "/account/staff/<int:pk>/": STAFF_ADMINS,  # staff view
    "/account/memberships/<int:pk>/end/": SYSADMIN,  # staff change
    "/account/security/": SYSADMIN,  # security_settings change
    "/account/security/retention/": SYSADMIN,  # security_settings view
    "/settings/line/": SYSADMIN,  # security_settings change (the LINE channel's credentials)
    "/directory/organizations/": STAFF,  # organization list
    "/directory/organizations/new/": SYSADMIN,  # organization create
    "/directory/organizations/<int:pk>/": SYSADMIN,  # organization change
    "/directory/organizations/<int:pk>/archive/": SYSADMIN,  # organization archive
    "/directory/districts/": STAFF,  # district list
    "/directory/districts/new/": SYSADMIN,  # district create
    "/directory/districts/<int:pk>/": SYSADMIN,  # district change
    "/directory/districts/<int:pk>/archive/": SYSADMIN,  # district archive
    "/directory/businesses/": STAFF,  # business list
    "/directory/businesses/new/": SYSADMIN,  # business create
    "/directory/businesses/<int:pk>/": SYSADMIN,  # business change
    "/directory/businesses/<int:pk>/archive/": SYSADMIN,  # business archive
    "/directory/case-features/": STAFF,  # case_feature list
    "/directory/case-features/new/": SYSADMIN,  # case_feature create
    "/directory/case-features/<int:pk>/": SYSADMIN,  # case_feature change
    "/directory/case-features/<int:pk>/archive/": SYSADMIN,  # case_feature archive
    "/people/search/": CASEWORK,  # person list
    "/people/search/consultations/": CASEWORK,  # consultation list
    "/people/households/<int:pk>/": EVERYONE,  # household view
    "/people/households/<int:pk>/edit/": CASEWORK,  # household change
    "/people/households/<int:pk>/archive/": CASEWORK,  # household archive
    "/people/households/<int:pk>/members/new/": CASEWORK,  # household change
    "/people/memberships/<int:pk>/end/": CASEWORK,  # household change
    "/people/persons/<int:pk>/": EVERYONE,  # person view
    "/people/persons/<int:pk>/archive/": CASEWORK,  # person change
    "/people/persons/<int:pk>/merge/<int:other>/": CASEWORK,  # person_merge create
    "/people/merges/": MERGE_UNDOERS,  # person_merge list
    "/people/merges/<int:pk>/undo/": MERGE_UNDOERS,  # person_merge change
    "/people/matches/": CASEWORK,  # person create
    "/people/reading/": CASEWORK,  # person create
    "/people/emergency/": CASEWORK,  # emergency_access create
    "/people/emergency/review/": AUDITOR,  # emergency_access list
    "/people/name-variants/": STAFF,  # name_variant list
    "/consultations/new/": CASEWORK,  # consultation create
    "/consultations/<int:pk>/": EVERYONE,  # consultation view
    "/consultations/<int:pk>/print/": EVERYONE,  # consultation print
    "/consultations/<int:pk>/continuity/": CASEWORK,  # consultation change
    "/consultations/<int:pk>/link/": CASEWORK,  # consultation change
    "/referrals/": CASEWORK,  # referral list
    "/referrals/new/": CASEWORK,  # referral create
    "/referrals/<int:pk>/": EVERYONE,  # referral view
    "/referrals/<int:pk>/transition/": CASEWORK,  # referral change
    "/cases/": CASEWORK,  # case list
    "/cases/new/": COORDINATOR,  # case create
    "/cases/measures/": CASEWORK,  # case list
    "/cases/<int:pk>/": EVERYONE,  # case view
    "/cases/<int:pk>/transition/": CASEWORK,  # case change
    "/cases/<int:pk>/update/": CASEWORK,  # case change
    "/cases/<int:pk>/team/": CASEWORK,  # case change
    "/cases/<int:pk>/team/<int:member_pk>/leave/": CASEWORK,  # case change
    "/cases/<int:pk>/consents/new/": CASEWORK,  # consent create
    "/cases/consents/<int:pk>/withdraw/": CASEWORK,  # consent change
    "/meetings/": CASEWORK | GUEST,  # meeting list
    "/meetings/new/": CASEWORK,  # meeting create
    "/meetings/tasks/": CASEWORK,  # action_item list
    "/meetings/tasks/<int:pk>/done/": CASEWORK,  # action_item change
    "/meetings/<int:pk>/": EVERYONE,  # meeting view
    "/meetings/<int:pk>/print/": EVERYONE,  # meeting print
    "/meetings/<int:pk>/attendees/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/guests/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/attendees/<int:attendee_pk>/pledge/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/pledge/": EVERYONE,  # meeting view
    "/meetings/<int:pk>/agenda/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/hold/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/cancel/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/minutes/": CASEWORK,  # meeting change
    "/meetings/<int:pk>/questionnaire/": EVERYONE,  # meeting view
    "/meetings/agenda/<int:pk>/brief/": CASEWORK,  # agenda_item change
    "/meetings/agenda/<int:pk>/decisions/": CASEWORK,  # agenda_item change
    "/meetings/agenda/<int:pk>/chronology/": EVERYONE,  # agenda_item print
    "/plans/new/<int:case_pk>/": CASEWORK,  # support_plan create
    "/plans/<int:pk>/": EVERYONE,  # support_plan view
    "/plans/<int:pk>/activate/": CASEWORK,  # support_plan change
    "/plans/<int:pk>/monitoring/": CASEWORK,  # support_plan change
    "/plans/<int:pk>/print/": EVERYONE,  # support_plan print
    "/outreach/": CASEWORK,  # outreach_contact list
    "/outreach/households/<int:household_pk>/": CASEWORK,  # outreach_contact list
    "/outreach/households/<int:household_pk>/new/": CASEWORK,  # outreach_contact create
    "/outreach/<int:pk>/edit/": CASEWORK,  # outreach_contact change
    "/outreach/counts/": STAFF,  # aggregate view
    "/progress/households/<int:household_pk>/": CASEWORK,  # progress_note list
    "/progress/households/<int:household_pk>/new/": CASEWORK,  # progress_note create
    "/progress/households/<int:household_pk>/print/": EVERYONE,  # progress_note print
    "/progress/cases/<int:case_pk>/": CASEWORK,  # progress_note list
    "/progress/<int:pk>/edit/": CASEWORK,  # progress_note change
    "/progress/counts/": STAFF,  # aggregate view
    "/progress/counts/excel/": STAFF,  # aggregate export
    "/assessments/persons/<int:person_pk>/": CASEWORK,  # assessment list
    "/assessments/persons/<int:person_pk>/new/": CASEWORK,  # assessment create
    "/assessments/<int:pk>/": EVERYONE,  # assessment view
    "/assessments/<int:pk>/print/": EVERYONE,  # assessment print
    "/life-events/households/<int:household_pk>/": CASEWORK,  # life_event list
    "/life-events/households/<int:household_pk>/new/": CASEWORK,  # life_event create
    "/life-events/<int:pk>/edit/": CASEWORK,  # life_event change
    "/life-events/<int:pk>/archive/": CASEWORK,  # life_event archive
    "/participation/": CASEWORK,  # participation list
    "/participation/persons/<int:person_pk>/": CASEWORK,  # participation list
    "/participation/persons/<int:person_pk>/profile/": CASEWORK,  # participation_profile create
    "/participation/persons/<int:person_pk>/suggestions/": EVERYONE,  # participation_profile view
    "/participation/persons/<int:person_pk>/propose/": CASEWORK,  # participation create
    "/participation/<int:pk>/": EVERYONE,  # participation view
    "/participation/<int:pk>/transition/": CASEWORK,  # participation change
    "/participation/<int:pk>/notes/": CASEWORK,  # participation change
    "/participation/counts/": STAFF,  # aggregate view
    "/resources/": STAFF,  # resource list
    "/resources/new/": CASEWORK | SYSADMIN,  # resource create
    "/resources/<int:pk>/": STAFF,  # resource view
    "/resources/<int:pk>/edit/": CASEWORK | SYSADMIN,  # resource change
    "/resources/<int:pk>/archive/": CASEWORK | SYSADMIN,  # resource archive
    "/resources/providers/": STAFF,  # provider list
    "/resources/providers/new/": CASEWORK | SYSADMIN,  # provider create
    "/resources/providers/<int:pk>/edit/": CASEWORK | SYSADMIN,  # provider change
    "/resources/providers/<int:pk>/archive/": CASEWORK | SYSADMIN,  # provider archive
    "/resources/hsds/import/": CASEWORK | SYSADMIN,  # resource create
    "/community/": STAFF,  # community_place list
    "/community/places/new/": CASEWORK | SYSADMIN,  # community_place create
    "/community/places/<int:pk>/": STAFF,  # community_place view
    "/community/places/<int:pk>/edit/": CASEWORK | SYSADMIN,  # community_place change
    "/community/projects/new/": CASEWORK | SYSADMIN,  # community_project create
    "/community/projects/<int:pk>/": STAFF,  # community_project view
    "/community/projects/<int:pk>/edit/": CASEWORK | SYSADMIN,  # community_project change
    "/community/projects/<int:pk>/transition/": CASEWORK | SYSADMIN,  # community_project change
    "/community/projects/<int:pk>/notes/": CASEWORK | SYSADMIN,  # community_project change
    "/community/issues/new/": CASEWORK | SYSADMIN,  # regional_issue create
    "/community/issues/<int:pk>/": STAFF,  # regional_issue view
    "/community/issues/<int:pk>/edit/": CASEWORK | SYSADMIN,  # regional_issue change
    "/community/issues/<int:pk>/advance/": CASEWORK | SYSADMIN,  # regional_issue change
    "/activities/": CASEWORK,  # activity_record list
    "/activities/new/": CASEWORK,  # activity_record create
    "/activities/<int:pk>/edit/": CASEWORK,  # activity_record change
    "/activities/<int:pk>/archive/": CASEWORK,  # activity_record archive
    "/activities/counted/": STAFF,  # counted_entry list
    "/activities/counted/save/": CASEWORK,  # counted_entry create
    "/reports/": STAFF,  # aggregate view
    "/reports/business/": STAFF,  # aggregate view
    "/reports/business/excel/": STAFF,  # aggregate export
    "/reports/business/rows/<int:pk>/<int:column>/": STAFF,  # aggregate view
    "/reports/business/layout/": REPORT_EDITORS,  # report_configuration change
    "/reports/business/layout/rows/<int:pk>/": REPORT_EDITORS,  # report_configuration change
    "/reports/business/layout/tables/<int:table_pk>/rows/new/": REPORT_EDITORS,  # report_configuration create
    "/reports/strategy/": STAFF,  # report_configuration view
    "/reports/strategy/excel/": STAFF,  # report_configuration export
    "/reports/strategy/new/": REPORT_EDITORS,  # report_configuration create
    "/reports/strategy/<int:pk>/manage/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/<int:pk>/edit/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/<int:pk>/values/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/<int:pk>/budgets/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/<int:pk>/narratives/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/<int:pk>/programmes/new/": REPORT_EDITORS,  # report_configuration create
    "/reports/strategy/programmes/<int:pk>/edit/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/programmes/<int:pk>/move/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/programmes/<int:pk>/archive/": REPORT_EDITORS,  # report_configuration archive
    "/reports/strategy/programmes/<int:pk>/indicators/new/": REPORT_EDITORS,  # report_configuration create
    "/reports/strategy/indicators/<int:pk>/edit/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/indicators/<int:pk>/move/": REPORT_EDITORS,  # report_configuration change
    "/reports/strategy/indicators/<int:pk>/archive/": REPORT_EDITORS,  # report_configuration archive
    "/reports/survey/": STAFF,  # aggregate list
    "/reports/process/": STAFF,  # aggregate list
    "/audit/": AUDITOR,  # audit_event list
    "/audit/verify/": AUDITOR,  # audit_event list
    # 出張相談会・巡回相談: casework staff (object level: the holding organization; the
    # coordinating section reads every event). 予約: the window's casework staff.
    "/events/": CASEWORK,  # consultation_event list
    "/events/excel/": CASEWORK,  # consultation_event export
    "/events/new/": CASEWORK,  # consultation_event create
    "/events/<int:pk>/": CASEWORK,  # consultation_event view
    "/events/<int:pk>/edit/": CASEWORK,  # consultation_event change
    "/events/<int:pk>/archive/": CASEWORK,  # consultation_event archive
    "/appointments/": CASEWORK,  # appointment list
    "/appointments/new/": CASEWORK,  # appointment create
    "/appointments/settings/": ORG_MANAGERS,  # appointment_settings change
    "/appointments/<int:pk>/": CASEWORK,  # appointment view
    "/appointments/<int:pk>/status/": CASEWORK,  # appointment change
    "/api/v1/openapi.json": EVERYONE,  # own_account view
    "/api/v1/docs": EVERYONE,  # own_account view
    "/api/v1/": EVERYONE,  # own_account view
    # オンライン相談: the assigned window and the coordinating section (object level).
    "/threads/": CASEWORK,  # thread list
    "/threads/<int:pk>/": EVERYONE,  # thread view
    "/threads/<int:pk>/reply/": CASEWORK,  # thread change
    "/threads/<int:pk>/hand-over/": CASEWORK,  # thread change
    "/threads/<int:pk>/convert/": CASEWORK,  # thread change
    "/threads/<int:pk>/close/": CASEWORK,  # thread change
    "/threads/<int:pk>/reopen/": CASEWORK,  # thread change
    "/threads/triage/": COORDINATOR,  # triage_settings change
    "/threads/triage/rules/new/": COORDINATOR,  # triage_settings change
    "/threads/triage/rules/<int:pk>/remove/": COORDINATOR,  # triage_settings change
}

API_OPERATIONS: dict[str, frozenset[Role]] = {
    "GET me": EVERYONE,  # own_account view
    "GET work_queue": EVERYONE,  # own_account view (no casework: zero counts)
    "GET notice_settings": EVERYONE,  # own_account view
    "PUT notice_settings_update": EVERYONE,  # own_account change
    "GET district_list": STAFF,  # district list
    "GET sub_business_list": STAFF,  # business list
    "GET organization_list": STAFF,  # organization list
    "POST organization_create": SYSADMIN,  # organization create
    "GET organization_detail": STAFF,  # organization view
    "PUT organization_update": SYSADMIN,  # organization change
    "POST organization_archive": SYSADMIN,  # organization archive
    "POST district_create": SYSADMIN,  # district create
    "PUT district_update": SYSADMIN,  # district change
    "POST district_archive": SYSADMIN,  # district archive
    "POST sub_business_create": SYSADMIN,  # business create
    "PUT sub_business_update": SYSADMIN,  # business change
    "POST sub_business_archive": SYSADMIN,  # business archive
    "GET case_feature_list": STAFF,  # case_feature list
    "POST case_feature_create": SYSADMIN,  # case_feature create
    "PUT case_feature_update": SYSADMIN,  # case_feature change
    "POST case_feature_archive": SYSADMIN,  # case_feature archive
    "GET staff_list": STAFF_ADMINS,  # staff list
    "GET staff_detail": STAFF_ADMINS,  # staff view
    "GET person_list": CASEWORK,  # person list
    "POST person_create": CASEWORK,  # person create
    "GET person_detail": EVERYONE,  # person view
    "GET household_list": CASEWORK,  # household list
    "POST household_create": CASEWORK,  # household create
    "GET household_detail": EVERYONE,  # household view
    "POST household_member_add": CASEWORK,  # household change
    "POST household_member_end": CASEWORK,  # household change
    "PUT household_update": CASEWORK,  # household change
    "POST household_archive": CASEWORK,  # household archive
    "POST person_archive": CASEWORK,  # person change
    "POST person_merge": CASEWORK,  # person_merge create
    "POST person_merge_undo": MERGE_UNDOERS,  # person_merge change
    "GET consultation_list": CASEWORK,  # consultation list
    "POST consultation_create": CASEWORK,  # consultation create
    "PUT consultation_continuity_set": CASEWORK,  # consultation change
    "POST consultation_link": CASEWORK,  # consultation change
    "GET consultation_detail": EVERYONE,  # consultation view
    "GET referral_list": CASEWORK,  # referral list
    "POST referral_create": CASEWORK,  # referral create
    "GET referral_detail": EVERYONE,  # referral view
    "POST referral_transition": CASEWORK,  # referral change
    "GET case_list": CASEWORK,  # case list
    "POST case_create": COORDINATOR,  # case create
    "GET case_detail": EVERYONE,  # case view
    "POST case_transition": CASEWORK,  # case change
    "PUT case_update": CASEWORK,  # case change
    "POST case_team_add": CASEWORK,  # case change
    "POST case_team_leave": CASEWORK,  # case change
    "GET consent_list": CASEWORK,  # consent list
    "POST consent_create": CASEWORK,  # consent create
    "POST consent_withdraw": CASEWORK,  # consent change
    "GET meeting_list": CASEWORK | GUEST,  # meeting list
    "POST meeting_create": CASEWORK,  # meeting create
    "GET meeting_detail": EVERYONE,  # meeting view
    "POST agenda_item_create": CASEWORK,  # agenda_item create
    "POST meeting_hold": CASEWORK,  # meeting change
    "POST attendee_pledge": EVERYONE,  # meeting view
    "POST meeting_attendee_add": CASEWORK,  # meeting change
    "POST meeting_guest_invite": CASEWORK,  # meeting change
    "PUT meeting_brief_save": CASEWORK,  # agenda_item change
    "POST meeting_decisions_record": CASEWORK,  # agenda_item change
    "GET meeting_task_list": CASEWORK,  # action_item list
    "POST meeting_task_done": CASEWORK,  # action_item change
    "POST meeting_cancel": CASEWORK,  # meeting change
    "PUT meeting_minutes_save": CASEWORK,  # meeting change
    "POST meeting_questionnaire_answer": EVERYONE,  # meeting view
    "GET plan_list": CASEWORK,  # support_plan list
    "GET plan_detail": EVERYONE,  # support_plan view
    "POST plan_create": CASEWORK,  # support_plan create
    "POST plan_activate": CASEWORK,  # support_plan change
    "POST plan_monitoring_create": CASEWORK,  # support_plan change
    "GET outreach_worklist": CASEWORK,  # outreach_contact list
    "GET outreach_contact_list": CASEWORK,  # outreach_contact list
    "POST outreach_contact_create": CASEWORK,  # outreach_contact create
    "GET outreach_months": CASEWORK,  # outreach_contact list
    "GET outreach_contact_detail": EVERYONE,  # outreach_contact view
    "PUT outreach_contact_update": CASEWORK,  # outreach_contact change
    "GET progress_note_list": CASEWORK,  # progress_note list
    "GET progress_note_case_list": CASEWORK,  # progress_note list
    "GET progress_note_person_list": CASEWORK,  # progress_note list
    "POST progress_note_create": CASEWORK,  # progress_note create
    "GET progress_note_detail": EVERYONE,  # progress_note view
    "PUT progress_note_update": CASEWORK,  # progress_note change
    "GET assessment_catalogue": CASEWORK,  # assessment list
    "GET assessment_list": CASEWORK,  # assessment list
    "GET assessment_detail": EVERYONE,  # assessment view
    "POST assessment_create": CASEWORK,  # assessment create
    "GET assessment_proposals": CASEWORK,  # assessment list
    "GET life_event_list": CASEWORK,  # life_event list
    "POST life_event_create": CASEWORK,  # life_event create
    "GET life_event_detail": EVERYONE,  # life_event view
    "PUT life_event_update": CASEWORK,  # life_event change
    "POST life_event_archive": CASEWORK,  # life_event archive
    "GET profile_detail": EVERYONE,  # participation_profile view
    "PUT profile_save": CASEWORK,  # participation_profile create
    "GET resource_suggestions": EVERYONE,  # participation_profile view
    "GET participation_list": CASEWORK,  # participation list
    "POST participation_create": CASEWORK,  # participation create
    "GET participation_detail": EVERYONE,  # participation view
    "POST participation_transition": CASEWORK,  # participation change
    "POST participation_note": CASEWORK,  # participation change
    "GET resource_list": STAFF,  # resource list
    "POST resource_create": CASEWORK | SYSADMIN,  # resource create
    "GET resource_detail": STAFF,  # resource view
    "PUT resource_update": CASEWORK | SYSADMIN,  # resource change
    "GET provider_list": STAFF,  # provider list
    "POST resource_archive": CASEWORK | SYSADMIN,  # resource archive
    "POST provider_create": CASEWORK | SYSADMIN,  # provider create
    "PUT provider_update": CASEWORK | SYSADMIN,  # provider change
    "POST provider_archive": CASEWORK | SYSADMIN,  # provider archive
    "GET hsds_meta": STAFF,  # resource export
    "GET hsds_service_list": STAFF,  # resource export
    "GET hsds_service_detail": STAFF,  # resource export
    "GET hsds_organization_list": STAFF,  # provider export
    "GET hsds_organization_detail": STAFF,  # provider export
    "GET hsds_service_at_location_list": STAFF,  # resource export
    "GET hsds_service_at_location_detail": STAFF,  # resource export
    "GET hsds_taxonomy_list": STAFF,  # resource export
    "GET hsds_taxonomy_detail": STAFF,  # resource export
    "GET hsds_taxonomy_term_list": STAFF,  # resource export
    "GET hsds_taxonomy_term_detail": STAFF,  # resource export
    "POST hsds_import": CASEWORK | SYSADMIN,  # resource create
    "GET activity_record_list": CASEWORK,  # activity_record list
    "POST activity_record_create": CASEWORK,  # activity_record create
    "GET activity_record_detail": EVERYONE,  # activity_record view
    "PUT activity_record_update": CASEWORK,  # activity_record change
    "POST activity_record_archive": CASEWORK,  # activity_record archive
    "GET counted_entry_list": STAFF,  # counted_entry list
    "POST counted_entry_save": CASEWORK,  # counted_entry create
    "POST counted_entry_archive": CASEWORK,  # counted_entry archive
    "GET place_list": STAFF,  # community_place list
    "POST place_create": CASEWORK | SYSADMIN,  # community_place create
    "GET place_detail": STAFF,  # community_place view
    "PUT place_update": CASEWORK | SYSADMIN,  # community_place change
    "GET project_list": STAFF,  # community_project list
    "POST project_create": CASEWORK | SYSADMIN,  # community_project create
    "GET project_detail": STAFF,  # community_project view
    "PUT project_update": CASEWORK | SYSADMIN,  # community_project change
    "POST project_transition": CASEWORK | SYSADMIN,  # community_project change
    "POST project_note": CASEWORK | SYSADMIN,  # community_project change
    "GET issue_list": STAFF,  # regional_issue list
    "POST issue_create": CASEWORK | SYSADMIN,  # regional_issue create
    "GET issue_detail": STAFF,  # regional_issue view
    "PUT issue_update": CASEWORK | SYSADMIN,  # regional_issue change
    "POST issue_advance": CASEWORK | SYSADMIN,  # regional_issue change
    "GET business_report_get": STAFF,  # aggregate view
    "GET business_row_records": STAFF,  # aggregate view
    "POST business_layout_install": REPORT_EDITORS,  # report_configuration change
    "POST business_row_create": REPORT_EDITORS,  # report_configuration create
    "PUT business_row_update": REPORT_EDITORS,  # report_configuration change
    "POST business_row_archive": REPORT_EDITORS,  # report_configuration change
    "GET strategy_sheet_list": STAFF,  # report_configuration list
    "GET strategy_sheet_detail": STAFF,  # report_configuration view
    "PUT strategy_narrative_update": REPORT_EDITORS,  # report_configuration change
    "PUT strategy_narratives_update": REPORT_EDITORS,  # report_configuration change
    "POST strategy_sheet_create": REPORT_EDITORS,  # report_configuration create
    "PUT strategy_sheet_update": REPORT_EDITORS,  # report_configuration change
    "PUT strategy_values_set": REPORT_EDITORS,  # report_configuration change
    "PUT strategy_budgets_set": REPORT_EDITORS,  # report_configuration change
    "POST strategy_programme_create": REPORT_EDITORS,  # report_configuration create
    "PUT strategy_programme_update": REPORT_EDITORS,  # report_configuration change
    "POST strategy_programme_move": REPORT_EDITORS,  # report_configuration change
    "POST strategy_programme_archive": REPORT_EDITORS,  # report_configuration archive
    "POST strategy_indicator_create": REPORT_EDITORS,  # report_configuration create
    "PUT strategy_indicator_update": REPORT_EDITORS,  # report_configuration change
    "POST strategy_indicator_move": REPORT_EDITORS,  # report_configuration change
    "POST strategy_indicator_archive": REPORT_EDITORS,  # report_configuration archive
    "GET survey_answers": STAFF,  # aggregate list
    "GET survey_installation": STAFF,  # aggregate list
    "GET audit_event_list_api": AUDITOR,  # audit_event list
    "GET audit_event_detail": AUDITOR,  # audit_event view
    "GET consultation_event_list": CASEWORK,  # consultation_event list
    "POST consultation_event_create": CASEWORK,  # consultation_event create
    "GET consultation_event_detail": CASEWORK,  # consultation_event view
    "PUT consultation_event_update": CASEWORK,  # consultation_event change
    "POST consultation_event_archive": CASEWORK,  # consultation_event archive
    "GET appointment_slots": CASEWORK,  # appointment list
    "GET appointment_list": CASEWORK,  # appointment list
    "POST appointment_create": CASEWORK,  # appointment create
    "GET appointment_detail": CASEWORK,  # appointment view
    "PUT appointment_status_set": CASEWORK,  # appointment change
    "PUT appointment_settings_update": ORG_MANAGERS,  # appointment_settings change
    "GET thread_list": CASEWORK,  # thread list
    "GET thread_detail": EVERYONE,  # thread view
    "POST thread_reply": CASEWORK,  # thread change
    "POST thread_hand_over": CASEWORK,  # thread change
    "POST thread_convert": CASEWORK,  # thread change
    "POST thread_close": CASEWORK,  # thread change
    "POST thread_reopen": CASEWORK,  # thread change
    "GET front_door_settings_detail": COORDINATOR,  # triage_settings view
    "PUT front_door_settings_update": COORDINATOR,  # triage_settings change
    "GET triage_rule_list": COORDINATOR,  # triage_settings list
    "POST triage_rule_create": COORDINATOR,  # triage_settings create
    "DELETE triage_rule_delete": COORDINATOR,  # triage_settings change
}
