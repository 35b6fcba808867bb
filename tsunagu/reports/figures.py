"""The figures of one period read from the monthly counts (``rollups``), for
the business report's rows and the strategy sheet's indicators.

The stored counts of a period are read in one query, when a row first needs
them (and a month the period only partly covers, from the records, for each
kind a row needs); each row then adds up the groups it counts. The metrics whose rule
cannot be read from monthly groups are counted from the records
(``metrics.figure``): what reached an organization (each escalation once,
decided across periods), the households reached by outreach under a plan
(distinct households over the period) and the participation paths under way
(a path spans months). ``metrics.figure`` counts every row from the records,
and the tests hold the two equal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from tsunagu.core import tenancy
from tsunagu.directory.models import Organization
from tsunagu.reports import metrics, rollups
from tsunagu.reports.metrics import Period, Spec
from tsunagu.reports.models import Metric, RecordKind

#: The metrics read from the monthly counts, and the kind of record each reads.
FROM_ROLLUPS: dict[str, str] = {
    Metric.CONSULTATIONS: RecordKind.CONSULTATION,
    Metric.NEW_CONSULTATIONS: RecordKind.CONSULTATION,
    Metric.ACTIVITIES: RecordKind.ACTIVITY_RECORD,
    Metric.MEETINGS_HELD: RecordKind.MEETING,
    Metric.COUNTED: RecordKind.COUNTED_ENTRY,
}


def branches() -> dict[int, list[int]]:
    """Each organization's branches (分室・支所), by the organization's id."""
    found: dict[int, list[int]] = defaultdict(list)
    for pk, parent in Organization.objects.filter(parent__isnull=False).values_list(
        "pk", "parent_id"
    ):
        found[parent].append(pk)
    return found


class Figures:
    """The current municipality's figures for one period (``branches``: read
    once for several periods, else when a row first needs them)."""

    def __init__(self, period: Period, branches: dict[int, list[int]] | None = None) -> None:
        self.period = period
        self.municipality_id = tenancy.current_municipality_id()
        self._stored: dict[str, rollups.Counts] | None = None
        self._groups: dict[str, rollups.Counts] = {}
        self._branches = branches

    def _grouped(self, record_kind: str) -> rollups.Counts:
        """The period's groups of a kind: every kind's stored months in one
        query, then this kind's days of a partly covered month from the records."""
        if record_kind not in self._groups:
            assert self.municipality_id is not None
            start, end = self.period.start, self.period.end
            if self._stored is None:
                self._stored = rollups.stored(start, end, self.municipality_id)
            self._groups[record_kind] = rollups.add(
                self._stored[record_kind],
                rollups.partial(record_kind, start, end, self.municipality_id),
            )
        return self._groups[record_kind]

    def _organizations(self, spec: Spec) -> set[int] | None:
        """The organizations a row counts (None: all of them)."""
        if spec.organization_id is None:
            return None
        ids = {spec.organization_id}
        if spec.include_branches:
            if self._branches is None:
                self._branches = branches()
            ids.update(self._branches.get(spec.organization_id, []))
        return ids

    def figure(self, spec: Spec) -> int | None:
        """``spec``'s figure (None for an entered value), as ``metrics.figure`` counts it."""
        metric = spec.metric
        if metric not in FROM_ROLLUPS:
            return metrics.figure(spec, self.period)
        organizations = self._organizations(spec)

        def counted(group: rollups.Group) -> bool:
            return organizations is None or group.organization_id in organizations

        groups = self._grouped(FROM_ROLLUPS[metric]).items()
        if metric == Metric.NEW_CONSULTATIONS:
            return sum(n for group, n in groups if counted(group) and group.kind == "new")
        if metric == Metric.CONSULTATIONS:
            total = sum(n for group, n in groups if counted(group))
            if spec.option:
                # 「*委託事業件数と合算」: the contractor's counted entries are added.
                total += self._counted(spec.option, counted)
            return total
        if metric == Metric.ACTIVITIES:
            category, kind, mode = metrics.activity_option(spec.option)
            return sum(
                n
                for group, n in groups
                if (not category or group.category == category)
                and (not kind or group.kind == kind)
                and (not mode or group.mode == mode)
                and (spec.district_id is None or group.district_id == spec.district_id)
                and counted(group)
            )
        if metric == Metric.MEETINGS_HELD:
            # The groups of a kind count the sittings with a part of that kind;
            # those with kind empty, every sitting.
            return sum(n for group, n in groups if group.kind == spec.option and counted(group))
        return self._counted(spec.option, counted)

    def _counted(self, item: str, counted: Callable[[rollups.Group], bool]) -> int:
        return sum(
            n
            for group, n in self._grouped(RecordKind.COUNTED_ENTRY).items()
            if group.item == item and counted(group)
        )
