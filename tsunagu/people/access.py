"""Which persons a staff member's search may return, as one condition on Person.

Person search at a million persons cannot ask the policy about every person
whose name matches (佐藤 is 15,000 of them). The policy's ways in are rows
of ``grants.Grant``, so the persons a staff member may see are a condition
of index probes from each person found: a member (now or before) of a
household their casework organizations — or they alone, in an emergency —
have a way to under a basis other than consent, or a person a row names
(registered by their organization, named on a つなぐシート it holds, or by a
consent in force). It is the policy's own rule for persons
(``policy.person_condition``), read here so that search filters by it in
the statement that finds the names.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q


def search_condition(staff: Any, orgs: frozenset[int]) -> Q:
    """The persons ``staff`` may see, as a condition on Person (``orgs``: their
    casework organizations, which the policy works out again itself)."""
    from tsunagu import policy

    return policy.person_condition(staff)
