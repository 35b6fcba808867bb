"""Benchmark of the residents' pages at municipal scale (``make bench``).

Measures, on one database (``--db sqlite`` or ``--db postgresql``), (a) person
search and (b) the household page, for a counselor of one organization and
for the 多機関協働 coordinator, at these levels:

- ``page``: the full request → response through Django's test client, in
  process (middleware, policy, audit trail, template), when the URL is routed;
- ``selector``: ``person_search(staff, q)`` evaluated with ``list()``, and
  ``household_view(staff, household, basis)``;
- ``raw``: hand-written SQL for the bare fetch — persons by name key ``LIKE``
  (no visibility rule), the household's consultations (all of them);
- ``raw_visible``: one hand-written SQL statement for the selector's rows: the
  fetch with the visibility rule as correlated probes (for search, the
  organizations' ways to households that search itself reads), checked id
  for id.

``ratio`` is the page's (or selector's) p50 over the raw p50. Data comes from
``bench.generate`` once per database; later runs reuse it.

Results: ``bench/results/residents-<db>.json``, and ``bench/results/README.md``
rebuilt from every result file present.

Usage::

    python -m bench.run --db sqlite|postgresql [--persons N --consultations M]
        [--samples 200] [--budget 120] [--fresh] [--no-stats] [--explain]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
#: One database per scale: ``var/bench-<scale>.sqlite3`` or ``tsunagu_bench_<scale>``.
SQLITE_PATH = ROOT / "var" / "bench-{scale}.sqlite3"
POSTGRES_URL = "postgres://tsunagu_ci:tsunagu_ci@127.0.0.1:5432/tsunagu_bench_{scale}"
TARGET_REPORT_MS = 2000.0
TARGET_RATIO = 3.0
TARGET_P95_MS = 50.0

#: (query, what it exercises). Name keys fold variants, kana script and width.
SEARCH_TERMS = [
    ("佐藤", "most common family name"),
    ("高橋", "common family name"),
    ("田中", "common family name"),
    ("林", "one kanji (林, 小林, 林田 …)"),
    ("大野", "tail family name"),
    ("松尾", "tail family name"),
    ("杉浦", "tail family name"),
    ("さとう", "kana family name"),
    ("たかは", "kana fragment"),
    ("ﾀｶﾊｼ", "half-width katakana"),
    ("ヤマ", "katakana fragment"),
    ("いし", "kana fragment"),
    ("髙橋", "variant kanji 髙→高"),
    ("齋藤", "variant kanji 齋→斎"),
    ("山﨑", "variant kanji 﨑→崎"),
    ("渡邊", "variant kanji 邊→辺"),
    ("濱田", "variant kanji 濱→浜"),
    ("陽子", "given name"),
    ("けんいち", "kana given name"),
    ("翔太", "given name"),
    ("佐藤 陽子", "family and given name"),
    ("たかはし　けんいち", "kana full name, full-width space"),
    ("髙橋 健一", "variant full name"),
    ("佐藤 S25.4.1", "name and birth date (和暦)"),
    ("存在しない", "no match"),
]


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------
# Statistics.


def _percentile(ordered: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not ordered:
        return math.nan
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(samples: list[float], capped: bool = False) -> dict[str, Any]:
    ordered = sorted(samples)
    stats: dict[str, Any] = {
        "n": len(ordered),
        "p50_ms": round(_percentile(ordered, 0.50), 2),
        "p95_ms": round(_percentile(ordered, 0.95), 2),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }
    if capped:
        stats["capped_by_time_budget"] = True
    return stats


def ratio(numerator: dict[str, Any] | None, raw: dict[str, Any] | None) -> float | None:
    if not numerator or not raw or "p50_ms" not in numerator or not raw.get("p50_ms"):
        return None
    return round(numerator["p50_ms"] / raw["p50_ms"], 1)


def _sql_head(sql: str, length: int = 180) -> str:
    return re.sub(r"\s+", " ", sql)[:length]


# ---------------------------------------------------------------------------
# Hand-written SQL.


def _escape_like(key: str) -> str:
    return "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _ids(ids: frozenset[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(ids)) or "NULL"


def _held() -> str:
    from tsunagu.referrals.models import RECEIVER_HOLDS

    return ",".join(f"'{status}'" for status in sorted(RECEIVER_HOLDS))


def _compiled(queryset: Any) -> tuple[str, list[Any]]:
    """A queryset's SQL and parameters, to be embedded in a hand-written query."""
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _visible_persons_sql(staff: Any) -> tuple[str, list[Any]]:
    """The persons the policy lets ``staff`` see, as a condition on
    ``people_person p``: a row of ``grants_grant`` naming the person, or one
    (not a consent's) for a household they belong or belonged to — correlated
    ``EXISTS`` probes, the best shape one statement can take."""
    from django.utils import timezone

    from tsunagu.policy import casework_organization_ids

    orgs = _ids(casework_organization_ids(staff)) or "NULL"
    in_force = "(g.valid_from IS NULL OR g.valid_from <= %s) AND (g.valid_until IS NULL OR g.valid_until > %s)"
    sql = f"""(EXISTS (SELECT 1 FROM grants_grant g
                   WHERE g.person_id = p.id AND g.subject = 'person'
                     AND g.organization_id IN ({orgs}) AND {in_force})
        OR EXISTS (SELECT 1 FROM people_householdmembership hm
                   JOIN grants_grant g ON g.household_id = hm.household_id
                   WHERE hm.person_id = p.id AND g.subject = 'household' AND g.basis <> 'consent'
                     AND (g.organization_id IN ({orgs}) OR g.staff_id = %s) AND {in_force}))"""  # noqa: S608 - ids only
    now = timezone.now()
    return sql, [now, now, staff.pk, now, now]


def raw_person_search(staff: Any, query: str, *, visible: bool) -> list[int]:
    """``person_search`` in one hand-written query: the name match alone, or
    (``visible=True``) with the policy's visibility rule, for the same rows."""
    from django.db import connection

    from tsunagu.core.wareki import parse_date
    from tsunagu.people.names import fold
    from tsunagu.people.selectors import SEARCH_LIMIT, _terms
    from tsunagu.people.services import name_variants

    variants = name_variants()
    where = ["p.municipality_id = %s", "p.archived_at IS NULL"]
    params: list[Any] = [staff.municipality_id]
    for term in _terms(query):
        try:
            born = parse_date(term)
        except ValueError:
            key = fold(term, variants)
            if key:
                where.append("(p.name_key LIKE %s ESCAPE '\\' OR p.kana_key LIKE %s ESCAPE '\\')")
                params += [_escape_like(key)] * 2
        else:
            where.append("p.birth_date = %s")
            params.append(born)
    if visible:
        persons, person_params = _visible_persons_sql(staff)
        where.append(persons)
        params += person_params
    sql = f"""
        SELECT p.id, p.family_name, p.given_name, p.family_name_kana, p.given_name_kana,
               p.sex, p.birth_date, p.address, p.district_id
        FROM people_person p WHERE {" AND ".join(where)}
        ORDER BY p.kana_key, p.id LIMIT {SEARCH_LIMIT}
    """  # noqa: S608 - placeholders for every value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def raw_household_consultations(staff: Any, household_id: int, *, visible: bool) -> list[int]:
    """The household's consultations as the timeline lists them: all of them,
    or (``visible=True``) those the staff member may see."""
    from django.db import connection

    condition, params = "", [household_id]
    if visible:
        from django.utils import timezone

        from tsunagu.policy import casework_organization_ids, consent_case_ids

        orgs = casework_organization_ids(staff)
        consented, consent_params = _compiled(consent_case_ids(orgs))
        ids = _ids(orgs)
        # ConsultationRule's bases, each a probe from the consultation.
        condition = f"""AND (c.organization_id IN ({ids})
            OR EXISTS (SELECT 1 FROM referrals_referral r
                       WHERE r.consultation_id = c.id AND r.to_organization_id IN ({ids})
                         AND r.status IN ({_held()}))
            OR EXISTS (SELECT 1 FROM cases_case_consultations cc
                       JOIN cases_case k ON k.id = cc.case_id
                       WHERE cc.consultation_id = c.id
                         AND (k.organization_id IN ({ids}) OR k.id IN ({consented})))
            OR c.household_id IN (SELECT e.household_id FROM people_emergencyaccess e
                                  WHERE e.staff_id = %s AND e.expires_at > %s))"""  # noqa: S608
        params += [*consent_params, staff.pk, timezone.now()]
    sql = f"""
        SELECT c.id, c.received_at, c.channel, c.main_topic, c.summary, c.outcome, o.name
        FROM consultations_consultation c
        JOIN directory_organization o ON o.id = c.organization_id
        WHERE c.household_id = %s {condition}
        ORDER BY c.received_at, c.id
    """  # noqa: S608 - ids and status codes only
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------------------
# Measurements.


class Bench:
    def __init__(self, *, samples: int, warmup: int, budget_s: float) -> None:
        self.samples = samples
        self.warmup = warmup
        self.budget_s = budget_s
        self.notes: list[str] = []

    def repeat(self, fns: list[Callable[[], Any]], samples: int | None = None) -> dict[str, Any]:
        """Warm up, then time the calls round-robin until ``samples`` timings
        are taken (or the time budget is spent, after one full round)."""
        target = samples or self.samples
        for index in range(self.warmup):
            fns[index % len(fns)]()
        timings: list[float] = []
        started = time.perf_counter()
        capped = False
        while len(timings) < target:
            for fn in fns:
                began = time.perf_counter()
                fn()
                timings.append((time.perf_counter() - began) * 1000)
                if len(timings) >= target:
                    break
            if self.budget_s and time.perf_counter() - started > self.budget_s:
                capped = len(timings) < target
                break
        return summarize(timings, capped)

    @staticmethod
    def queries(fns: list[Callable[[], Any]]) -> dict[str, Any]:
        """SQL statements per call (min, median, max) over up to 25 of the calls."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for fn in fns[:25]:
            with CaptureQueriesContext(connection) as captured:
                fn()
            counts.append(len(captured.captured_queries))
        return {"min": min(counts), "median": statistics.median(counts), "max": max(counts)}

    @staticmethod
    def breakdown(fn: Callable[[], Any]) -> dict[str, Any]:
        """One call with its SQL timed: total, SQL share, the slowest statements."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            fn()
            total = (time.perf_counter() - began) * 1000
        queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        queries.sort(key=lambda item: -item[0])
        return {
            "total_ms": round(total, 1),
            "sql_ms": round(sum(ms for ms, _sql in queries), 1),
            "statements": len(queries),
            "slowest": [{"ms": round(ms, 1), "sql": _sql_head(sql)} for ms, sql in queries[:5]],
        }

    @staticmethod
    def client_for(staff: Any) -> Any:
        from django.test import Client

        client = Client()
        client.force_login(staff, backend="tsunagu.accounts.backends.StaffBackend")
        return client

    @staticmethod
    def url(name: str, *args: Any) -> str | None:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            return None

    @staticmethod
    def ok(response: Any, url: str) -> Any:
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    def search_method(self, staff: Any, url: str, found: dict[str, list[int]]) -> str | None:
        """How the search page takes its words. Names stay out of URLs (access.md),
        so POST first, then ``?q=``: the one whose page lists the persons found."""
        term = next(term for term, ids in found.items() if ids)
        link = self.url("people:person_detail", found[term][0]) or f"/{found[term][0]}/"
        client = self.client_for(staff)
        for method, send in (("POST", client.post), ("GET", client.get)):
            response = send(url, {"q": term})
            if response.status_code == 200 and link in response.content.decode():
                return method
        return None

    # -- (a) person search ------------------------------------------------------

    def person_search(self, staff: Any) -> dict[str, Any]:
        from tsunagu.core.tenancy import tenant_context
        from tsunagu.people.selectors import consultation_search, person_search

        terms = [term for term, _why in SEARCH_TERMS]
        result: dict[str, Any] = {"terms": dict(SEARCH_TERMS)}
        with tenant_context(staff.municipality):
            found = {term: [p.pk for p in person_search(staff, term)] for term in terms}
            result["rows_found"] = {term: len(ids) for term, ids in found.items()}
            # Checked on a few words: at a million persons the visibility rule
            # as one query takes seconds a word.
            result["raw_visible_mismatch"] = [
                term
                for term in terms[::5]
                if raw_person_search(staff, term, visible=True) != found[term]
            ]
            calls = [lambda t=term: list(person_search(staff, t)) for term in terms]
            result["selector"] = self.repeat(calls)
            result["selector"]["queries"] = self.queries(calls)
            result["selector_p50_by_term"] = self.by_term(staff, terms)
            result["raw"] = self.repeat(
                [lambda t=term: raw_person_search(staff, t, visible=False) for term in terms]
            )
            result["raw_visible"] = self.repeat(
                [lambda t=term: raw_person_search(staff, t, visible=True) for term in terms]
            )
            # The search page also looks for the words in consultations' text.
            result["consultation_search_selector"] = self.repeat(
                [lambda t=term: list(consultation_search(staff, t)) for term in terms]
            )

        url = self.url("people:search")
        method = self.search_method(staff, url, found) if url else None
        if url is None:
            result["page"] = {"skipped": "people:search is not routed yet"}
        elif method is None:
            result["page"] = {"skipped": "the search page did not list the persons found"}
        else:
            result["page_method"] = method
            client = self.client_for(staff)
            send = client.post if method == "POST" else client.get
            calls = [lambda t=term: self.ok(send(url, {"q": t}), url) for term in terms]
            result["page"] = self.repeat(calls)
            result["page"]["queries"] = self.queries(calls)
            result["page_breakdown_佐藤"] = self.breakdown(calls[0])
        for level in ("page", "selector"):
            for base in ("raw", "raw_visible"):
                result[f"ratio_{level}_to_{base}"] = ratio(result.get(level), result[base])
        return result

    def by_term(self, staff: Any, terms: list[str]) -> dict[str, float]:
        """One timed run of each term after the warm-up (which words are slow)."""
        from tsunagu.people.selectors import person_search

        medians = {}
        for term in terms:
            timings = []
            for _ in range(1):
                began = time.perf_counter()
                list(person_search(staff, term))
                timings.append((time.perf_counter() - began) * 1000)
            medians[term] = round(statistics.median(timings), 1)
        return medians

    # -- (b) the household page ------------------------------------------------

    def household(self, staff: Any, seed: int = 7) -> dict[str, Any]:
        from django.db.models import Count

        from tsunagu import policy
        from tsunagu.core.tenancy import tenant_context
        from tsunagu.people.models import Household
        from tsunagu.people.selectors import household_view

        with tenant_context(staff.municipality):
            visible = sorted(
                policy.visible(staff, "household", policy.Action.VIEW).values_list("pk", flat=True)
            )
            rng = random.Random(seed)  # noqa: S311 - a sample, not a secret
            chosen = rng.sample(visible, k=min(len(visible), self.samples))
            heaviest = (
                policy.visible(staff, "consultation", policy.Action.VIEW)
                .filter(household__isnull=False)
                .values("household_id")
                .annotate(n=Count("id"))
                .order_by("-n", "household_id")
                .first()
            )
            households = Household.all_tenants.in_bulk(chosen)
            bases = policy.bases(staff, "household", list(households.values()))
            shown = {pk: household_view(staff, households[pk], bases[pk]).shown for pk in chosen}
            sizes = sorted(len(s["consultation"]) for s in shown.values())
            result: dict[str, Any] = {
                "visible_households": len(visible),
                "sampled_households": len(chosen),
                "visible_consultations_per_sampled_household": {
                    "p50": _percentile(sizes, 0.5),
                    "p95": _percentile(sizes, 0.95),
                    "max": sizes[-1] if sizes else 0,
                },
                "heaviest_visible_household": heaviest,
                "raw_visible_mismatch": [
                    pk
                    for pk in chosen
                    if raw_household_consultations(staff, pk, visible=True)
                    != shown[pk]["consultation"]
                ],
            }
            calls = [
                lambda pk=pk: household_view(staff, households[pk], bases[pk]) for pk in chosen
            ]
            result["selector"] = self.repeat(calls)
            result["selector"]["queries"] = self.queries(calls)
            result["raw"] = self.repeat(
                [
                    lambda pk=pk: raw_household_consultations(staff, pk, visible=False)
                    for pk in chosen
                ]
            )
            result["raw_visible"] = self.repeat(
                [
                    lambda pk=pk: raw_household_consultations(staff, pk, visible=True)
                    for pk in chosen
                ]
            )
            if heaviest:
                heavy_pk = heaviest["household_id"]
                heavy = Household.all_tenants.get(pk=heavy_pk)
                basis = policy.bases(staff, "household", [heavy])[heavy_pk]
                result["heaviest_selector"] = self.repeat(
                    [lambda: household_view(staff, heavy, basis)], samples=50
                )
                result["heaviest_raw"] = self.repeat(
                    [lambda: raw_household_consultations(staff, heavy_pk, visible=False)],
                    samples=50,
                )

        if self.url("people:household_detail", 1) is None:
            result["page"] = {"skipped": "people:household_detail is not routed yet"}
        else:
            client = self.client_for(staff)
            urls = [self.url("people:household_detail", pk) for pk in chosen]
            calls = [lambda u=u: self.ok(client.get(u), u) for u in urls]
            result["page"] = self.repeat(calls)
            result["page"]["queries"] = self.queries(calls)
            if heaviest:
                heavy_url = self.url("people:household_detail", heaviest["household_id"])
                heavy_call = lambda: self.ok(client.get(heavy_url), heavy_url)  # noqa: E731
                result["heaviest_page"] = self.repeat([heavy_call], samples=50)
                result["heaviest_page"]["queries"] = self.queries([heavy_call])
                result["heaviest_page_breakdown"] = self.breakdown(heavy_call)
        for level in ("page", "selector"):
            for base in ("raw", "raw_visible"):
                result[f"ratio_{level}_to_{base}"] = ratio(result.get(level), result[base])
        return result


def _stub_unrouted_links(notes: list[str]) -> None:
    """household_view links each timeline entry to its record's page. Where
    those pages are not routed yet, give it a placeholder link so that the
    selector can be measured at all."""
    from django.urls import NoReverseMatch, reverse

    from tsunagu.people import selectors

    missing = set()
    for name in ("consultations:detail", "referrals:detail"):
        try:
            reverse(name, args=[1])
        except NoReverseMatch:
            missing.add(name)
    if not missing:
        return

    def link(viewname: str, args: Any = None, **kwargs: Any) -> str:
        if viewname in missing:
            return f"/unrouted/{viewname}/{args[0] if args else ''}/"
        return reverse(viewname, args=args, **kwargs)

    selectors.reverse = link  # type: ignore[assignment]
    notes.append(f"{', '.join(sorted(missing))} not routed yet: placeholder links in the timeline")


# ---------------------------------------------------------------------------
# Database and data.


def database_url(db: str, scale: str) -> str:
    override = os.environ.get("BENCH_DATABASE_URL")
    if override:
        return override
    if db == "sqlite":
        return f"sqlite:///{str(SQLITE_PATH).format(scale=scale)}"
    return POSTGRES_URL.format(scale=scale)


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        return "PostgreSQL " + cursor.fetchone()[0].split()[0]


def sqlite_statistics(*, drop: bool) -> str:
    """SQLite plans well only with statistics (ANALYZE). The product gathers them
    after bulk loads and with ``PRAGMA optimize``; ``--no-stats`` measures without."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        present = bool(cursor.fetchone()[0])
        if drop:
            if present:
                cursor.execute("DELETE FROM sqlite_stat1")
            state = "none (dropped for this run)"
        elif present:
            state = "present"
        else:
            cursor.execute("ANALYZE")
            state = "gathered now (ANALYZE)"
    connection.close()  # statistics are read when a connection opens
    return state


def generation_record_path(url: str) -> Path:
    """Where the generation's timings are kept: one file per bench database."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return ROOT / "var" / f"bench-generation-{digest}.json"


def row_counts() -> dict[str, int]:
    from tsunagu.cases.models import Case
    from tsunagu.consultations.models import Consultation
    from tsunagu.meetings.models import Meeting
    from tsunagu.outreach.models import OutreachContact
    from tsunagu.people.models import Household, Person
    from tsunagu.referrals.models import Referral
    from tsunagu.resources.models import Resource

    return {
        "persons": Person.all_tenants.count(),
        "households": Household.all_tenants.count(),
        "consultations": Consultation.all_tenants.count(),
        "referrals": Referral.all_tenants.count(),
        "cases": Case.all_tenants.count(),
        "meetings": Meeting.all_tenants.count(),
        "outreach contacts": OutreachContact.all_tenants.count(),
        "services": Resource.all_tenants.count(),
    }


def ensure_data(db: str, scale: str, fresh: bool) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from tsunagu.demo.synthetic.generator import SCALES, bench_municipality, generate

    record = generation_record_path(database_url(db, scale))
    if fresh:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DROP OWNED BY CURRENT_USER CASCADE")
        record.unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"{server_version()}: migrated in {time.perf_counter() - started:.1f} s")
    if bench_municipality() is not None:
        log("Data already generated at this scale: reusing it.")
        generation = json.loads(record.read_text()) if record.exists() else {}
        return {**generation, "reused": True, "rows": row_counts()}
    log(f"Generating the {scale} scale (manage.py generate_synthetic --scale {scale}) …")
    report = generate(SCALES[scale], log=log)
    generation = {
        "seconds": report.seconds,
        "rows": row_counts(),
        "generated_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    record.write_text(json.dumps(generation, ensure_ascii=False, indent=2) + "\n")
    return {**generation, "reused": False}


def explain(staff: Any) -> str:
    """The plans of the slow statements, for the report."""
    from django.db import connection

    from tsunagu import policy
    from tsunagu.core.tenancy import tenant_context
    from tsunagu.people.selectors import consultation_search, person_search

    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    lines: list[str] = []

    def plan(title: str, queryset: Any) -> None:
        sql, params = queryset.query.sql_with_params()
        lines.append(f"-- {title} as {staff.username}")
        lines.append(sql)
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            lines.extend(" | ".join(str(c) for c in row) for row in cursor.fetchall())
        lines.append("")

    with tenant_context(staff.municipality):
        for term in ("佐藤", "松尾"):
            plan(f"person_search({term!r})", person_search(staff, term))
        plan("consultation_search('佐藤')", consultation_search(staff, "佐藤"))
        household_id = (
            policy.visible(staff, "household", policy.Action.VIEW)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        plan(
            f"household {household_id}: the consultations shown",
            policy.visible(staff, "consultation", policy.Action.VIEW)
            .filter(household_id=household_id)
            .order_by("received_at", "pk"),
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Main.


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--scale", choices=["small", "ward", "large"], default="ward")
    parser.add_argument("--samples", type=int, default=200, help="timed calls per measure")
    parser.add_argument("--warmup", type=int, default=25, help="untimed calls first")
    parser.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="seconds per measure after which sampling stops early (0: never)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="regenerate: delete the SQLite file, or drop what the user owns in the PostgreSQL database",
    )
    parser.add_argument("--no-stats", action="store_true", help="SQLite: measure without ANALYZE")
    parser.add_argument("--explain", action="store_true", help="write the query plans")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where results go")
    args = parser.parse_args(argv)
    results = args.results.resolve()

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url(args.db, args.scale)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if args.fresh and os.environ["DATABASE_URL"].startswith("sqlite:///"):
        path = os.environ["DATABASE_URL"].removeprefix("sqlite://")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    import django

    django.setup()
    from django.db import connection

    from bench import pages
    from tsunagu.accounts.models import Staff
    from tsunagu.demo.synthetic.generator import (
        COORDINATOR_USERNAME,
        COUNSELOR_USERNAME,
        TODAY,
    )

    generation = ensure_data(args.db, args.scale, args.fresh)
    if args.generate_only:
        return
    label = f"{args.scale}-{args.db}" + ("-no-stats" if args.no_stats else "")
    statistics_state = None
    if connection.vendor == "sqlite":
        statistics_state = sqlite_statistics(drop=args.no_stats)
        log(f"SQLite statistics: {statistics_state}")

    bench = Bench(samples=args.samples, warmup=args.warmup, budget_s=args.budget)
    _stub_unrouted_links(bench.notes)
    result: dict[str, Any] = {
        "label": label,
        "database": args.db,
        "server": server_version(),
        "sqlite_statistics": statistics_state,
        "scale": args.scale,
        "generation": generation,
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine slows every figure: the load average
            # before and after says how quiet it was.
            "load_before": [round(x, 2) for x in os.getloadavg()],
        },
        "samples": args.samples,
        "budget_s": args.budget,
        "target_p95_ms": TARGET_P95_MS,
        "staff": {},
        "pages": {},
        "notes": bench.notes,
    }
    plans = []
    for role, username in (
        ("counselor", COUNSELOR_USERNAME),
        ("coordinator", COORDINATOR_USERNAME),
    ):
        staff = Staff.all_tenants.select_related("municipality").get(username=username)
        log(f"{role} ({username}): person search …")
        search = bench.person_search(staff)
        log(f"  {_line(search)}")
        log(f"{role} ({username}): household page …")
        household = bench.household(staff)
        log(f"  {_line(household)}")
        result["staff"][role] = {
            "username": username,
            "organizations": sorted(staff.organization_ids()),
            "person_search": search,
            "household": household,
        }
        if role == "counselor":
            log(f"{role}: referral inbox …")
            result["pages"]["referral inbox"] = pages.inbox(bench, staff)
            log(f"{role}: HSDS service list …")
            result["pages"]["HSDS service list"] = pages.hsds_services(bench, staff)
        else:
            log(f"{role}: case list …")
            result["pages"]["coordinator case list"] = pages.case_list(bench, staff)
            log(f"{role}: business report …")
            result["pages"]["business report (FY)"] = pages.business_report(bench, staff, TODAY)
        for title, part in result["pages"].items():
            log(f"  {title}: {_line(part)}")
        if args.explain:
            plans.append(explain(staff))
    result["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{label}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    if plans:
        (results / f"explain-{label}.txt").write_text("\n\n".join(plans) + "\n")
    write_summary(results)
    log(f"Wrote {path} and {results / 'README.md'}")


def _line(part: dict[str, Any]) -> str:
    def fmt(name: str) -> str:
        stats = part.get(name) or {}
        if "skipped" in stats:
            return f"{name}: skipped ({stats['skipped']})"
        return f"{name}: p50 {stats.get('p50_ms')} ms, p95 {stats.get('p95_ms')} ms"

    return "; ".join(
        fmt(name)
        for name in ("page", "selector", "raw", "raw_visible", "rollups", "duckdb")
        if name in part
    )


# ---------------------------------------------------------------------------
# The markdown summary.


def _cell(stats: dict[str, Any] | None, key: str) -> str:
    if not stats:
        return "—"
    if "skipped" in stats:
        return "skipped"
    value = stats.get(key)
    if value is None:
        return "—"
    mark = " ⚠" if key == "p95_ms" and value > TARGET_P95_MS else ""
    return f"{value:g}{mark}"


def _queries(stats: dict[str, Any] | None) -> str:
    counts = (stats or {}).get("queries")
    if not counts:
        return "—"
    return (
        str(counts["min"]) if counts["min"] == counts["max"] else f"{counts['min']}–{counts['max']}"
    )


def _ratios(part: dict[str, Any], level: str) -> str:
    if level not in ("page", "selector"):
        return " |"
    cells = [ratio(part.get(level), part.get(base)) for base in ("raw", "raw_visible")]
    return " | ".join("—" if cell is None else f"{cell:g}" for cell in cells)


def _run_section(run: dict[str, Any]) -> list[str]:
    gen = run.get("generation") or {}
    rows = gen.get("rows") or {}
    seconds = (gen.get("seconds") or {}).get("all")
    stats_line = {
        None: "",
        "present": " SQLite planner statistics: present.",
        "gathered now (ANALYZE)": " SQLite planner statistics: gathered (ANALYZE) before measuring.",
    }.get(
        run.get("sqlite_statistics"), f" SQLite planner statistics: {run.get('sqlite_statistics')}."
    )
    capped = any(
        (part.get(level) or {}).get("capped_by_time_budget")
        for data in run["staff"].values()
        for part in (data["person_search"], data["household"])
        for level in ("page", "selector", "raw", "raw_visible")
    )
    lines = [
        f"## {run['label']} — {run['server']}",
        "",
        f"Measured {run['measured_at']} on {run['machine']['cpus']} CPUs, "
        f"{run['samples']} samples per measure after warm-up"
        + (
            f" (fewer where a measure passed its {run['budget_s']:g} s budget: see n in the JSON)"
            if capped
            else ""
        )
        + "."
        + (
            f" Load average (1, 5, 15 min) before {run['machine']['load_before']}, "
            f"after {run['machine']['load_after']}."
            if "load_after" in run["machine"]
            else ""
        )
        + stats_line,
        "",
        "Data: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in rows.items()) + ".",
        "",
    ]
    if seconds is not None:
        lines += [
            f"Generating it took {seconds:g} s ({gen.get('cpus', '?')} CPUs)"
            + (", in an earlier run." if gen.get("reused") else ".")
            + " Phases: "
            + ", ".join(f"{k} {v:g} s" for k, v in gen["seconds"].items() if k != "all")
            + ".",
            "",
        ]
    lines += _headline(run)
    lines += [
        "Residents' pages in detail (both staff members, with the selector level):",
        "",
        "| staff | measure | level | p50 ms | p95 ms | max ms | SQL statements | p50 ÷ raw | p50 ÷ raw_visible |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for role, data in run["staff"].items():
        for key, title in (("person_search", "person search"), ("household", "household page")):
            part = data[key]
            for level in ("page", "selector", "raw", "raw_visible"):
                stats = part.get(level)
                lines.append(
                    f"| {role} | {title} | {level} | {_cell(stats, 'p50_ms')} | "
                    f"{_cell(stats, 'p95_ms')} | {_cell(stats, 'max_ms')} | {_queries(stats)} | "
                    f"{_ratios(part, level)} |"
                )
            if key == "person_search":
                stats = part.get("consultation_search_selector")
                lines.append(
                    f"| {role} | (search page's consultation search) | selector | "
                    f"{_cell(stats, 'p50_ms')} | {_cell(stats, 'p95_ms')} | {_cell(stats, 'max_ms')} | — | | |"
                )
            else:
                heavy = part.get("heaviest_visible_household") or {}
                for level in ("page", "selector", "raw"):
                    stats = part.get(f"heaviest_{level}")
                    if stats:
                        lines.append(
                            f"| {role} | heaviest household ({heavy.get('n')} consultations shown) | "
                            f"{level} | {_cell(stats, 'p50_ms')} | {_cell(stats, 'p95_ms')} | "
                            f"{_cell(stats, 'max_ms')} | {_queries(stats)} | | |"
                        )
    lines.append("")
    for role, data in run["staff"].items():
        search, household = data["person_search"], data["household"]
        slow = sorted(search["selector_p50_by_term"].items(), key=lambda item: -item[1])[:4]
        lines.append(
            f"- {role}: sees {household['visible_households']:,} households; slowest search words "
            "(selector, median ms): " + ", ".join(f"「{term}」 {ms:g}" for term, ms in slow) + "."
        )
        mismatched = search["raw_visible_mismatch"] or household["raw_visible_mismatch"]
        if mismatched:
            lines.append(
                f"- {role}: raw_visible returned other rows than the selector for {mismatched} "
                "(for search: persons it lets through that the policy then refuses — a consent "
                "withdrawn, a case closed since the meeting — or, if it missed any, a rule "
                "changed: update bench/run.py)."
            )
    for note in run.get("notes") or []:
        lines.append(f"- Note: {note}")
    lines.append("")
    return lines


def _headline(run: dict[str, Any]) -> list[str]:
    """The six pages of the issue, each against the SQL that fetches its rows."""
    counselor = run["staff"].get("counselor", {})
    measures = [
        (
            "household page (counselor)",
            counselor.get("household", {}),
            "raw_visible",
            TARGET_P95_MS,
        ),
        (
            "person search (counselor)",
            counselor.get("person_search", {}),
            "raw_visible",
            TARGET_P95_MS,
        ),
        *(
            (title, part, "raw", TARGET_REPORT_MS if "report" in title else TARGET_P95_MS)
            for title, part in run.get("pages", {}).items()
        ),
    ]
    lines = [
        "| page | p50 ms | p95 ms | SQL statements | raw SQL p50 ms | raw SQL p95 ms | p50 ÷ raw | p95 ÷ raw | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for title, part, base, target in measures:
        page, raw = part.get("page") or {}, part.get(base) or {}
        if "p50_ms" not in page:
            continue
        p50 = ratio(page, raw)
        p95 = round(page["p95_ms"] / raw["p95_ms"], 1) if raw.get("p95_ms") else None
        met = page["p95_ms"] <= target and (target != TARGET_P95_MS or (p95 or 0) <= TARGET_RATIO)
        lines.append(
            f"| {title} | {page['p50_ms']:g} | {page['p95_ms']:g} | {_queries(page)} | "
            f"{raw.get('p50_ms', '—')} | {raw.get('p95_ms', '—')} | {p50} | {p95} | "
            f"{'✓' if met else '✗'} p95 ≤ {target:g} ms"
            + (f", ≤ {TARGET_RATIO:g}× raw" if target == TARGET_P95_MS else "")
            + " |"
        )
    report = run.get("pages", {}).get("business report (FY)")
    if report and report.get("duckdb"):
        lines += [
            "",
            f"Business report: {report['consultations_counted']:,} consultations counted in "
            f"{' and '.join(' – '.join(p) for p in report['periods'])}. DuckDB over the same "
            f"rows ({report['duckdb_rows']:,} copied in {report['duckdb_copy_s']:g} s): "
            f"p50 {report['duckdb']['p50_ms']:g} ms, p95 {report['duckdb']['p95_ms']:g} ms "
            f"for the consultation count alone; page ÷ DuckDB {report['ratio_page_to_duckdb']}, "
            f"raw SQL ÷ DuckDB {report['ratio_raw_to_duckdb']}"
            + (" (⚠ the groups differ)" if report.get("duckdb_mismatch") else " (same groups)")
            + (
                f"; the page's monthly counts (the same count, as the page reads it): "
                f"p50 {report['rollups']['p50_ms']:g} ms, ÷ DuckDB "
                f"{report['ratio_rollups_to_duckdb']}"
                + (" (⚠ the groups differ)" if report.get("rollups_mismatch") else " (same groups)")
                if report.get("rollups")
                else ""
            )
            + ".",
        ]
    mismatched = [t for t, p in run.get("pages", {}).items() if p.get("raw_mismatch")]
    if mismatched:
        lines += ["", f"⚠ raw SQL returned other rows than the page for: {', '.join(mismatched)}."]
    return [*lines, ""]


def write_summary(results: Path = RESULTS) -> None:
    order = {"ward": 0, "large": 1}
    runs = sorted(
        (json.loads(path.read_text()) for path in results.glob("*.json") if "-" in path.stem),
        key=lambda run: (order.get(run.get("scale"), 9), run.get("database", "")),
    )
    runs = [run for run in runs if isinstance(run.get("scale"), str) and "pages" in run]
    lines = [
        "# The working pages at scale",
        "",
        "Written by `make bench` (`python -m bench.run`); `bench/README.md` says what is measured",
        "and how. Server-side milliseconds in process (Django test client), after warm-up;",
        f"⚠ marks a p95 over the {TARGET_P95_MS:g} ms target. `raw`: the bare hand-written",
        "fetch (name-key LIKE; the household's consultations); `raw_visible`: one hand-written",
        "statement for the selector's rows (the fetch with the visibility rule as probes).",
        "",
    ]
    for run in runs:
        lines += _run_section(run)
    (results / "README.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
