"""Every app's person and household links, in one explicit tuple of modules
(``<app>/links.py``; the type is ``tsunagu.core.links``). Merge, retention,
the 家族年表, the search pre-filter and the policy read ``registry``."""

from __future__ import annotations

from tsunagu.activities import links as activities
from tsunagu.appointments import links as appointments
from tsunagu.assessments import links as assessments
from tsunagu.cases import links as cases
from tsunagu.community import links as community
from tsunagu.consultations import links as consultations
from tsunagu.core.links import Kind, Link, Registry, Unlinked
from tsunagu.grants import links as grants
from tsunagu.lifeevents import links as lifeevents
from tsunagu.meetings import links as meetings
from tsunagu.outreach import links as outreach
from tsunagu.participation import links as participation
from tsunagu.people import links as people
from tsunagu.plans import links as plans
from tsunagu.progress import links as progress
from tsunagu.referrals import links as referrals

MODULES = (
    people,
    consultations,
    referrals,
    cases,
    meetings,
    plans,
    outreach,
    progress,
    participation,
    assessments,
    lifeevents,
    activities,
    community,
    grants,
    appointments,
)

registry = Registry(MODULES)

__all__ = ["Kind", "Link", "Unlinked", "registry"]
