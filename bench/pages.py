"""The working pages beyond the residents' two: the referral inbox, the
coordinator's case list, the business report for a fiscal year and the HSDS
service list; each timed as a page and as the hand-written SQL that fetches
the same rows (checked id for id), and the report also in DuckDB.

Used by ``bench.run``; see ``bench/README.md``.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any


def _linked(response: Any, prefix: str) -> list[int]:
    """The ids a page links to under ``prefix`` (``/cases/``), in page order, once each."""
    import re

    seen: dict[int, None] = {}
    for match in re.finditer(rf'href="{re.escape(prefix)}(\d+)/"', response.content.decode()):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(values: Any) -> str:
    """A literal list of ids or status codes (values from the code, not from input)."""
    items = sorted(values)
    if not items:
        return "NULL"
    if isinstance(items[0], int):
        return ",".join(str(int(value)) for value in items)
    return ",".join("'" + str(value).replace("'", "''") + "'" for value in items)


# ---------------------------------------------------------------------------
# The referral inbox.


def raw_inbox(staff: Any, organization_id: int) -> list[int]:
    """The received open referrals of one organization, overdue first, as the
    inbox lists them (the receiver sees them in every state but a draft)."""
    from django.utils import timezone

    from tsunagu.referrals.models import OPEN, RECEIVER_SEES, Status

    waiting = OPEN - {Status.DRAFT}
    rows = _fetch(
        f"""SELECT r.id, r.status, r.due_on, r.sent_at, f.name, t.name,
                   CASE WHEN r.due_on < %s AND r.status IN ({_in(waiting)}) THEN 1 ELSE 0 END
                     AS overdue
            FROM referrals_referral r
            JOIN directory_organization f ON f.id = r.from_organization_id
            JOIN directory_organization t ON t.id = r.to_organization_id
            WHERE r.municipality_id = %s AND r.archived_at IS NULL
              AND r.to_organization_id = %s
              AND r.status IN ({_in(RECEIVER_SEES & OPEN)})
            ORDER BY overdue DESC, r.due_on, r.id LIMIT 50""",  # noqa: S608 - codes only
        [timezone.localdate(), staff.municipality_id, organization_id],
    )
    return [row[0] for row in rows]


def inbox(bench: Any, staff: Any) -> dict[str, Any]:
    from tsunagu.core.tenancy import tenant_context
    from tsunagu.referrals.models import Referral

    organization_id = min(staff.organization_ids())
    client = bench.client_for(staff)
    url = bench.url("referrals:inbox")
    response = bench.ok(client.get(url), url)
    with tenant_context(staff.municipality):
        ids = raw_inbox(staff, organization_id)
        result: dict[str, Any] = {
            "organization_id": organization_id,
            "rows": len(ids),
            "received_referrals": Referral.all_tenants.filter(
                to_organization_id=organization_id
            ).count(),
        }
        shown = _linked(response, "/referrals/")
        result["raw_mismatch"] = shown != ids
        result["raw"] = bench.repeat([lambda: raw_inbox(staff, organization_id)])
    calls = [lambda: bench.ok(client.get(url), url)]
    result["page"] = bench.repeat(calls)
    result["page"]["queries"] = bench.queries(calls)
    result["ratio_page_to_raw"] = _ratio(result["page"], result["raw"])
    return result


# ---------------------------------------------------------------------------
# The coordinator's case list.


def raw_case_list(staff: Any) -> list[int]:
    """The coordinating section's cases as the list shows them (oldest stage
    change first), with what each row shows: household, lead, first meeting,
    whether a consent is in force today."""
    from django.utils import timezone

    from tsunagu.policy import coordinating_organization_ids

    today = timezone.localdate()
    orgs = _in(coordinating_organization_ids(staff))
    rows = _fetch(
        f"""SELECT c.id, c.title, c.stage, c.stage_changed_at, c.next_action_on, h.label,
                   lo.name, s.full_name,
                   (SELECT MIN(m.held_on) FROM meetings_agendaitem a
                      JOIN meetings_meetingpart p ON p.id = a.part_id
                      JOIN meetings_meeting m ON m.id = p.meeting_id
                     WHERE a.case_id = c.id) AS first_meeting,
                   EXISTS (SELECT 1 FROM cases_consent k WHERE k.case_id = c.id
                             AND k.withdrawn_at IS NULL AND k.archived_at IS NULL
                             AND k.valid_from <= %s
                             AND (k.valid_until IS NULL OR k.valid_until >= %s)) AS consent_now
            FROM cases_case c
            JOIN people_household h ON h.id = c.household_id
            LEFT JOIN directory_organization lo ON lo.id = c.lead_organization_id
            LEFT JOIN accounts_staff s ON s.id = c.lead_staff_id
            WHERE c.municipality_id = %s AND c.archived_at IS NULL
              AND c.organization_id IN ({orgs})
            ORDER BY c.stage_changed_at, c.id LIMIT 300""",  # noqa: S608 - ids only
        [today, today, staff.municipality_id],
    )
    return [row[0] for row in rows]


def case_list(bench: Any, staff: Any) -> dict[str, Any]:
    from tsunagu.cases.models import Case
    from tsunagu.core.tenancy import tenant_context

    client = bench.client_for(staff)
    url = bench.url("cases:list")
    response = bench.ok(client.get(url), url)
    with tenant_context(staff.municipality):
        ids = raw_case_list(staff)
        shown = _linked(response, "/cases/")
        result: dict[str, Any] = {
            "rows": len(ids),
            "cases": Case.all_tenants.filter(municipality_id=staff.municipality_id).count(),
            "raw_mismatch": shown != ids,
            "raw": bench.repeat([lambda: raw_case_list(staff)]),
        }
    calls = [lambda: bench.ok(client.get(url), url)]
    result["page"] = bench.repeat(calls)
    result["page"]["queries"] = bench.queries(calls)
    result["ratio_page_to_raw"] = _ratio(result["page"], result["raw"])
    return result


# ---------------------------------------------------------------------------
# The business report for a fiscal year.


def _fiscal_year(day: date) -> tuple[date, date]:
    year = day.year if day.month >= 4 else day.year - 1
    return date(year, 4, 1), date(year + 1, 3, 31)


def raw_report(municipality_id: int, periods: list[tuple[date, date]]) -> list[tuple[Any, ...]]:
    """The report's counting in hand-written SQL: per period, consultations by
    organization, meetings held by kind and organization, activity records
    and counted entries by their keys (the rows then pick their groups)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    groups: list[tuple[Any, ...]] = []
    for start, end in periods:
        first = datetime.combine(start, time.min, tzinfo=tokyo)
        after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tokyo)
        groups += _fetch(
            """SELECT organization_id + 0 AS o, COUNT(*) FROM consultations_consultation
               WHERE municipality_id = %s AND received_at >= %s AND received_at < %s
                 AND archived_at IS NULL GROUP BY o""",
            [municipality_id, first, after],
        )
        groups += _fetch(
            """SELECT p.kind, m.organization_id, COUNT(*) FROM meetings_meetingpart p
               JOIN meetings_meeting m ON m.id = p.meeting_id
               WHERE m.municipality_id = %s AND m.status = 'held' AND m.held_on >= %s
                 AND m.held_on <= %s AND m.archived_at IS NULL
               GROUP BY p.kind, m.organization_id""",
            [municipality_id, start, end],
        )
        groups += _fetch(
            """SELECT category, kind, mode, district_id, organization_id, COUNT(*)
               FROM activities_activityrecord
               WHERE municipality_id = %s AND occurred_on >= %s AND occurred_on <= %s
                 AND archived_at IS NULL
               GROUP BY category, kind, mode, district_id, organization_id""",
            [municipality_id, start, end],
        )
        groups += _fetch(
            """SELECT item, organization_id, SUM(count) FROM activities_countedentry
               WHERE municipality_id = %s AND month >= %s AND month <= %s
                 AND archived_at IS NULL GROUP BY item, organization_id""",
            [municipality_id, start.replace(day=1), end],
        )
    return groups


def duckdb_report(
    municipality_id: int, periods: list[tuple[date, date]], bench: Any
) -> dict[str, Any]:
    """The consultation count of the report — the bulk of its work — in DuckDB,
    a column store, over the same rows copied from the database."""
    from datetime import UTC, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    import duckdb

    tokyo = ZoneInfo("Asia/Tokyo")
    first = datetime.combine(min(p[0] for p in periods), time.min, tzinfo=tokyo)
    after = datetime.combine(max(p[1] for p in periods) + timedelta(days=1), time.min, tzinfo=tokyo)
    started = perf_counter()
    rows = _fetch(
        """SELECT organization_id, received_at, archived_at IS NULL FROM consultations_consultation
           WHERE municipality_id = %s AND received_at >= %s AND received_at < %s""",
        [municipality_id, first, after],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "consultations.csv"
        with path.open("w") as out:
            for organization_id, received_at, live in rows:
                # SQLite keeps UTC without an offset (text, or a naive datetime
                # through Django's converter); DuckDB would read it in the
                # process's zone (Django sets TZ to Asia/Tokyo).
                if isinstance(received_at, str):
                    stamp = f"{received_at}+00:00"
                elif received_at.tzinfo is None:
                    stamp = received_at.replace(tzinfo=UTC).isoformat()
                else:
                    stamp = received_at.isoformat()
                out.write(f"{organization_id},{stamp},{int(bool(live))}\n")
        db = duckdb.connect()
        # The bound bounds below are naive UTC: DuckDB reads a naive
        # timestamp in its session zone, the process's (Asia/Tokyo) by default.
        db.execute("SET TimeZone = 'UTC'")
        db.execute(
            "CREATE TABLE c AS SELECT * FROM read_csv(?, header=false, "
            "columns={'organization_id': 'BIGINT', 'received_at': 'TIMESTAMPTZ', 'live': 'INTEGER'})",
            [str(path)],
        )
    copied_s = round(perf_counter() - started, 1)

    def count() -> list[tuple[Any, ...]]:
        out = []
        for start, end in periods:
            # In UTC: DuckDB's binding drops a Python time zone, and the rows
            # were copied as UTC.
            low = datetime.combine(start, time.min, tzinfo=tokyo).astimezone(UTC)
            high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tokyo).astimezone(UTC)
            out += db.execute(
                "SELECT organization_id, COUNT(*) FROM c WHERE received_at >= ? "
                "AND received_at < ? AND live = 1 GROUP BY organization_id",
                [low, high],
            ).fetchall()
        return out

    stats = bench.repeat([count], samples=max(5, bench.samples // 10))
    return {"rows_copied": len(rows), "copy_s": copied_s, "duckdb": stats, "groups": count()}


def business_report(bench: Any, staff: Any, today: date) -> dict[str, Any]:
    """The report with the last complete fiscal year and the current one to date."""
    from tsunagu.core.tenancy import tenant_context

    this_start, _this_end = _fiscal_year(today)
    last = _fiscal_year(date(this_start.year - 1, 4, 1))
    periods = [last, (this_start, today)]
    client = bench.client_for(staff)
    url = bench.url("reports:business")
    query = {
        "start1": last[0].isoformat(),
        "end1": last[1].isoformat(),
        "start2": this_start.isoformat(),
        "end2": today.isoformat(),
    }
    calls = [lambda: bench.ok(client.get(url, query), url)]
    samples = max(5, bench.samples // 10)
    result: dict[str, Any] = {"periods": [[p[0].isoformat(), p[1].isoformat()] for p in periods]}
    result["page"] = bench.repeat(calls, samples=samples)
    result["page"]["queries"] = bench.queries(calls)
    with tenant_context(staff.municipality):
        m = staff.municipality_id
        result["raw"] = bench.repeat([lambda: raw_report(m, periods)], samples=samples)
        consultations = sorted(row for row in raw_report(m, periods) if len(row) == 2)
        result["consultations_counted"] = sum(n for _org, n in consultations)
        # What the page reads: the consultation groups of each column from the
        # monthly counts (and the records of a month a column cuts).
        result["rollups"] = bench.repeat([lambda: rollup_report(m, periods)], samples=samples)
        from_rollups = rollup_report(m, periods)
        duck = duckdb_report(m, periods, bench)
    result["duckdb"] = duck["duckdb"]
    result["duckdb_copy_s"] = duck["copy_s"]
    result["duckdb_rows"] = duck["rows_copied"]

    def grouped(rows: list[tuple[Any, ...]]) -> list[tuple[int, int]]:
        return sorted((int(o), int(n)) for o, n in rows)

    # The same groups (organization, count per column) in the database's raw
    # count, in DuckDB and in the monthly counts the page reads.
    result["duckdb_mismatch"] = grouped(consultations) != grouped(duck["groups"])
    result["rollups_mismatch"] = grouped(from_rollups) != grouped(duck["groups"])
    result["ratio_page_to_raw"] = _ratio(result["page"], result["raw"])
    result["ratio_page_to_duckdb"] = _ratio(result["page"], result["duckdb"])
    result["ratio_raw_to_duckdb"] = _ratio(result["raw"], result["duckdb"])
    result["ratio_rollups_to_duckdb"] = _ratio(result["rollups"], result["duckdb"])
    return result


def rollup_report(municipality_id: int, periods: list[tuple[date, date]]) -> list[tuple[int, int]]:
    """The report's consultation count as the page reads it: per column, the
    groups (organization, count) of the monthly counts."""
    from tsunagu.reports import rollups
    from tsunagu.reports.models import RecordKind

    return [
        (group.organization_id, n)
        for start, end in periods
        for group, n in rollups.grouped(
            RecordKind.CONSULTATION, start, end, municipality_id
        ).items()
    ]


# ---------------------------------------------------------------------------
# The HSDS service list.


def raw_services(municipality_id: int) -> list[int]:
    """The first page of services with their organization, as the HSDS list
    gives them, and their places and schedules."""
    from tsunagu.resources.hsds import DEFAULT_PER_PAGE

    services = _fetch(
        """SELECT r.id, r.hsds_id, r.name, r.description, r.status, p.hsds_id, p.name
           FROM resources_resource r JOIN resources_provider p ON p.id = r.provider_id
           WHERE r.municipality_id = %s AND r.archived_at IS NULL
           ORDER BY r.name, r.id LIMIT %s""",
        [municipality_id, DEFAULT_PER_PAGE],
    )
    ids = [row[0] for row in services]
    if ids:
        _fetch(
            f"""SELECT rl.resource_id, l.hsds_id, l.name, l.address
                FROM resources_resourcelocation rl JOIN resources_location l ON l.id = rl.location_id
                WHERE rl.resource_id IN ({_in(ids)})""",  # noqa: S608 - ids only
            [],
        )
        _fetch(
            f"""SELECT resource_id, freq, interval, byday, opens_at, closes_at
                FROM resources_schedule WHERE resource_id IN ({_in(ids)})""",  # noqa: S608
            [],
        )
    return ids


def hsds_services(bench: Any, staff: Any) -> dict[str, Any]:
    from tsunagu.core.tenancy import tenant_context

    client = bench.client_for(staff)
    url = "/api/v1/hsds/services"
    response = bench.ok(client.get(url), url)
    body = response.json()
    with tenant_context(staff.municipality):
        result: dict[str, Any] = {
            "services": body.get("total_items"),
            "rows": len(body.get("contents", [])),
            "raw": bench.repeat([lambda: raw_services(staff.municipality_id)]),
        }
    calls = [lambda: bench.ok(client.get(url), url)]
    result["page"] = bench.repeat(calls)
    result["page"]["queries"] = bench.queries(calls)
    result["ratio_page_to_raw"] = _ratio(result["page"], result["raw"])
    return result


def _ratio(page: dict[str, Any], raw: dict[str, Any]) -> float | None:
    if not page.get("p50_ms") or not raw.get("p50_ms"):
        return None
    return round(page["p50_ms"] / raw["p50_ms"], 1)
