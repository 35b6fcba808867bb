"""The rules, one per kind of record, by domain: each module mirrors a
permission test (``tests/test_policy*.py``).

The rules import the models at the top of their modules, so this package can
be imported only once the app registry is ready; :mod:`tsunagu.policy`
imports it (through the engine) on first use, never while the apps load.
"""

from __future__ import annotations

from tsunagu.policy.rules.appointments import (
    AppointmentRule,
    AppointmentSettingsRule,
    ConsultationEventRule,
)
from tsunagu.policy.rules.assessments import AssessmentRule
from tsunagu.policy.rules.cases import CaseRule, ConsentRule, SupportPlanRule
from tsunagu.policy.rules.community import (
    ActivityRecordRule,
    CommunityPlaceRule,
    CommunityProjectRule,
    CountedEntryRule,
    ProviderRule,
    RegionalIssueRule,
    ReportConfigurationRule,
    ResourceRule,
)
from tsunagu.policy.rules.lifeevents import LifeEventRule
from tsunagu.policy.rules.master_data import (
    AggregateRule,
    AuditTrailRule,
    BusinessRule,
    CaseFeatureRule,
    DistrictRule,
    DraftRule,
    NameVariantRule,
    OrganizationRule,
    OwnAccountRule,
    SecuritySettingsRule,
    StaffRule,
)
from tsunagu.policy.rules.meetings import ActionItemRule, AgendaItemRule, MeetingRule
from tsunagu.policy.rules.outreach import (
    OutreachContactRule,
    ParticipationProfileRule,
    ParticipationRule,
)
from tsunagu.policy.rules.progress import ProgressNoteRule
from tsunagu.policy.rules.residents import (
    ConsultationRule,
    EmergencyAccessRule,
    HouseholdRule,
    PersonMergeRule,
    PersonRule,
    ReferralRule,
)
from tsunagu.policy.rules.rule import Rule
from tsunagu.policy.rules.threads import ThreadRule, TriageSettingsRule

#: The rule of each kind of record.
RULES: dict[str, Rule] = {
    rule.resource: rule
    for rule in (
        OrganizationRule(),
        DistrictRule(),
        BusinessRule(),
        StaffRule(),
        SecuritySettingsRule(),
        AuditTrailRule(),
        OwnAccountRule(),
        DraftRule(),
        AggregateRule(),
        HouseholdRule(),
        PersonRule(),
        ConsultationRule(),
        ReferralRule(),
        EmergencyAccessRule(),
        NameVariantRule(),
        CaseFeatureRule(),
        PersonMergeRule(),
        CaseRule(),
        ConsentRule(),
        SupportPlanRule(),
        MeetingRule(),
        ActionItemRule(),
        AgendaItemRule(),
        OutreachContactRule(),
        ParticipationProfileRule(),
        ParticipationRule(),
        ProgressNoteRule(),
        AssessmentRule(),
        LifeEventRule(),
        ResourceRule(),
        ProviderRule(),
        ActivityRecordRule(),
        CountedEntryRule(),
        CommunityPlaceRule(),
        CommunityProjectRule(),
        RegionalIssueRule(),
        ReportConfigurationRule(),
        ConsultationEventRule(),
        AppointmentRule(),
        AppointmentSettingsRule(),
        ThreadRule(),
        TriageSettingsRule(),
    )
}
