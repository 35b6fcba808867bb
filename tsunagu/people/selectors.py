"""Reads of residents' data that combine several records: search, the household
page (members, 家族年表, open referrals, involved organizations).

Every queryset starts from the policy's visible set, and every record shown
carries the basis it is shown under.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import jaconv
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu import policy
from tsunagu.accounts.models import Staff
from tsunagu.consultations.models import ConsultationGram
from tsunagu.core import tenancy
from tsunagu.core.links import Kind
from tsunagu.core.text import control_characters
from tsunagu.core.wareki import format_wareki, parse_date
from tsunagu.links import registry
from tsunagu.people import ecomap
from tsunagu.people.models import Household, HouseholdMembership, Person, PersonNameGram
from tsunagu.people.names import (
    LAST_CHARACTER,
    normalize_text,
    pairs,
    search_grams,
    term_keys,
    text_search_grams,
)
from tsunagu.people.services import name_variants

SEARCH_LIMIT = 50


def _terms(query: str) -> list[str]:
    # Control characters (NUL among them, which PostgreSQL refuses) are no part of a name or
    # word. Other invisible characters are: the joiner of 👨‍👩‍👧 (U+200D) was typed and stored.
    query = "".join(char for char in query if not control_characters(char))
    return [term for term in re.split(r"[\s　]+", query.strip()) if term][:6]


def _first_piece(key: str) -> Q:
    """A condition on the index of names that every person whose key contains
    ``key`` meets: its first two characters, or for one character the range of
    pieces that begin with it (every character of a key begins a piece)."""
    if len(key) >= 2:
        return Q(gram=key[:2])
    return Q(gram__gte=key, gram__lte=key + LAST_CHARACTER)


def _birth_date(query: str) -> date | None:
    """The whole query read as one birth date (昭和50年 4月 1日, with spaces;
    生まれ after it), or None."""
    text = re.sub(r"[\s　]+", "", query)
    text = re.sub(r"(生まれ|生)$", "", text)
    try:
        return parse_date(text) if text else None
    except ValueError:
        return None


#: Ranks of a person found: the name or reading as typed, a folded form
#: (variant kanji, simplified forms, kana script, long vowels, romaji), or
#: only without voicing (やまさき for ヤマザキ).
EXACT, FOLDED, VOICELESS = 0, 1, 2


def person_search(staff: Staff, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """Persons the staff member may see whose name or reading contains every
    term, folded (variant and simplified kanji, kana script, width, ヴ and
    long vowels, romaji of foreign names, voicing); a term that reads as a
    date (和暦 or 西暦) matches the birth date. Names as typed first, then
    folded forms, then those found only without voicing; in reading order.

    At a million persons neither half can be left to a scan: ``LIKE '%…%'``
    reads every person, and the policy's visible set worked out whole is
    every household the organization ever touched. So it is one statement
    that starts from the index of name pieces (``PersonNameGram``), matches
    the name exactly on those persons only, and keeps those the policy lets
    the staff member see by an index probe each on the grants
    (``policy.person_condition``, the person rule itself).
    """
    if not policy.decide(staff, policy.Action.LIST, "person"):
        return []
    with tenancy.tenant_context(staff.municipality):
        return _person_search(staff, query, limit)


def _pieces(keys: frozenset[str]) -> set[str] | None:
    """The index pieces a person with any of ``keys`` has (None: nothing in
    common, or one kana alone)."""
    found = [search_grams(key) for key in keys]
    if any(piece is None for piece in found):
        return None
    return set.intersection(*(piece for piece in found if piece is not None)) or None


def _exact(term: str) -> Q:
    """The term as typed (width folded; katakana for a hiragana reading) in a
    part of the name or reading."""
    typed = normalize_text(term)
    condition = Q()
    for text in {typed, jaconv.kata2hira(typed)}:
        for name in ("family_name", "given_name", "family_name_kana", "given_name_kana"):
            condition |= Q(**{f"{name}__icontains": text})
    return condition


def _person_search(staff: Staff, query: str, limit: int) -> list[Person]:
    variants = name_variants()
    persons = Person.objects.filter(archived_at__isnull=True)
    whole = _birth_date(query)
    terms = [] if whole else _terms(query)
    if whole:
        persons = persons.filter(birth_date=whole)
    dated = whole is not None
    index = PersonNameGram.objects.values("person_id")
    grams: set[str] = set()  # pieces every person found has
    candidates: list[Any] = []  # per term, persons among whom those found are
    exact, folded = Q(), Q()
    for term in terms:
        try:
            persons = persons.filter(birth_date=parse_date(term))
            dated = True
            continue
        except ValueError:
            found = term_keys(term, variants)
        if found is None:
            continue
        match = Q()
        for key in sorted(found.keys):
            match |= Q(name_key__contains=key) | Q(kana_key__contains=key)
        if found.roman:
            match |= Q(roman_key__contains=found.roman)
        sound = Q()
        for key in sorted(found.sounds):
            sound |= Q(sound_key__contains=key)
        persons = persons.filter(match | sound)
        exact &= _exact(term)
        folded &= match
        # The index holds kana without voicing: the pieces of the term
        # without it are in every person found either way.
        subqueries = []
        pieces = _pieces(found.index_keys())
        if pieces is None:
            # One kana alone (or a reading folded to one, とう → と): a
            # person with any of the readings has its first piece, or for
            # one character a piece that begins with it.
            first: list[Any] = [_first_piece(key) for key in sorted(found.index_keys())]
            subqueries.append(index.filter(Q.create(first, Q.OR)))
        elif not found.roman:
            grams |= pieces
        else:
            subqueries.append(_having_all(index, pieces))
        if found.roman:
            # Capitals: the romaji of names registered in Latin letters (names.person_name_grams).
            roman = found.roman.upper() if found.latin_only else found.roman
            if len(roman) >= 2:
                subqueries.append(_having_all(index, pairs(roman)))
            else:
                subqueries.append(index.filter(_first_piece(roman)))
        if subqueries:
            candidates.append(
                subqueries[0].union(*subqueries[1:]) if len(subqueries) > 1 else subqueries[0]
            )
    if not (dated or exact or folded):  # nothing typed, or only marks (ー, ・)
        return []
    if grams:
        # The persons with every piece, from the index alone (one range per
        # piece, counted by person), before any person row is read: a piece
        # as common as いち or けん would otherwise fetch tens of thousands.
        persons = persons.filter(pk__in=_having_all(index, grams))
    for candidate in candidates:
        persons = persons.filter(pk__in=candidate)
    # Only persons the policy lets the staff member see, in the same
    # statement: its own rule for persons (``policy.person_condition``), an
    # index probe on the grants from each person the names found.
    persons = persons.filter(policy.person_condition(staff))
    order: list[Any] = ["kana_key", "pk"]
    if folded:
        rank = Case(
            When(exact, then=Value(EXACT)),
            When(folded, then=Value(FOLDED)),
            default=Value(VOICELESS),
        )
        order.insert(0, rank)
    return list(persons.select_related("district").order_by(*order)[:limit])


def _having_all(index: QuerySet[Any], pieces: set[str]) -> QuerySet[Any]:
    """The persons of the index with every one of ``pieces``."""
    if len(pieces) == 1:
        return index.filter(gram__in=pieces)
    return (
        index.filter(gram__in=sorted(pieces))
        .annotate(pieces=Count("gram", distinct=True))
        .filter(pieces=len(pieces))
        .values("person_id")
    )


def consultation_search(staff: Staff, query: str, limit: int = SEARCH_LIMIT) -> QuerySet[Any]:
    """Consultations the staff member may see whose text contains every word
    (two-character terms such as 訪問 or 介護 included, and one character
    alone), newest first.

    ``LIKE '%…%'`` over every consultation read them all (4.6–10.6 s at
    3,000,000). So the words are looked up in the index of text pieces
    (``ConsultationGram``): the consultations with every piece of every word,
    counted over the index alone, and for a word of one character those with
    a piece that begins with it (a range of the index). Only on these, by
    their ids, is the text matched exactly: pieces found in another order or
    apart (東京 and 京都 are not 東京都) are dropped there. The policy's
    visible set is a condition on the same statement."""
    queryset = policy.visible(staff, "consultation", policy.Action.LIST)
    terms = [normalize_text(term) for term in _terms(query)]
    terms = [term for term in terms if term]
    if not terms:
        return queryset.none()
    grams, firsts = text_search_grams(*terms)
    index = ConsultationGram.objects.values("consultation_id")
    if len(grams) == 1:  # one piece: its rows, with nothing to count
        queryset = queryset.filter(pk__in=index.filter(gram__in=grams))
    elif grams:
        queryset = queryset.filter(
            pk__in=index.filter(gram__in=sorted(grams))
            .annotate(pieces=Count("gram", distinct=True))
            .filter(pieces=len(grams))
            .values("consultation_id")
        )
    for first in sorted(firsts):
        queryset = queryset.filter(
            pk__in=index.filter(gram__gte=first, gram__lte=first + LAST_CHARACTER)
        )
    for term in terms:
        queryset = queryset.filter(search_text__contains=term)
    return queryset.select_related("organization", "household").order_by("-received_at", "-pk")[
        :limit
    ]


def openable_households(staff: Staff, persons: list[Person]) -> dict[int, int]:
    """Each person's current household, where the staff member may open it: a
    person seen through an earlier household may have moved to one the staff
    member has no basis for (a link to it would answer 404)."""
    current = dict(
        HouseholdMembership.objects.filter(person__in=persons, ended_on__isnull=True).values_list(
            "person_id", "household_id"
        )
    )
    # Decided on these households by their ids (the policy's bases), not by
    # filtering the whole visible set: that set, as a subquery, is every
    # household the organization ever touched (1.6 s at 343,000 persons).
    households = Household.objects.only("pk", "municipality_id").in_bulk(set(current.values()))
    openable = policy.bases(staff, "household", list(households.values()))
    return {person: household for person, household in current.items() if household in openable}


# ---------------------------------------------------------------------------
# The household page.


@dataclass
class TimelineEvent:
    at: datetime
    kind: str
    title: str
    organization: str
    basis: policy.Basis
    url: str = ""
    detail: str = ""
    badges: list[str] = field(default_factory=list)
    #: The date as it is known, where less precise than ``at`` (「2019年頃」).
    when: str = ""

    @property
    def basis_label(self) -> str:
        return str(self.basis.label)


@dataclass
class HouseholdView:
    household: Household
    basis: policy.Basis
    members: list[HouseholdMembership]
    former_members: list[HouseholdMembership]
    timeline: list[TimelineEvent]
    open_referrals: list[Any]
    organizations: list[tuple[str, list[str]]]
    shown: dict[str, list[int]]
    #: The ecomap's members and relations (only what the viewer may see).
    ecomap_members: list[ecomap.Member] = field(default_factory=list)
    relations: list[ecomap.Relation] = field(default_factory=list)

    @property
    def ecomap_svg(self) -> str:
        """The ecomap as an inline SVG (drawn when the page asks for it, not for the API)."""
        return ecomap.render(
            self.ecomap_members,
            self.relations,
            title=_("%(household)sのエコマップ") % {"household": self.household},
        )

    @property
    def relation_rows(self) -> list[tuple[str, str, str]]:
        """The ecomap as a table: organization, involvement, with whom."""
        names = {member.id: member.name for member in self.ecomap_members}
        return [
            (
                relation.organization,
                relation.kind_label,
                "、".join(names[pk] for pk in relation.member_ids) or _("世帯全体"),
            )
            for relation in ecomap.normalize(self.relations, self.ecomap_members)
        ]


def _start_of(day: date, at: time | None = None) -> datetime:
    return timezone.make_aware(datetime.combine(day, at or time.min))


def _pairs(model: Any, left: str, right: str, ids: list[int]) -> dict[int, list[int]]:
    """A many-to-many link table read in one query: left id → right ids."""
    found: dict[int, list[int]] = {}
    if ids:
        for a, b in model.objects.filter(**{f"{left}__in": ids}).values_list(left, right):
            found.setdefault(a, []).append(b)
    return found


@dataclass
class _Collected:
    """What one kind of record adds to the household page."""

    events: list[TimelineEvent] = field(default_factory=list)
    relations: list[ecomap.Relation] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)  # organization, role
    shown: dict[str, list[int]] = field(default_factory=dict)

    def add(self, other: _Collected) -> None:
        self.events += other.events
        self.relations += other.relations
        self.roles += other.roles
        self.shown.update(other.shown)


def household_view(staff: Staff, household: Household, basis: policy.Basis) -> HouseholdView:
    """Everything of ``household`` the staff member may see, each with its basis.

    Records the viewer has no basis for are left out entirely: no count, no
    placeholder, nothing that says they exist. The number of queries does not
    grow with the number of records (only the policy's per-meeting answers
    grow with the number of meetings)."""
    from tsunagu.referrals.models import OPEN, Status

    memberships = list(
        HouseholdMembership.objects.filter(household=household)
        .select_related("person")
        .order_by("started_on", "id")
    )
    if basis == policy.Basis.CONSENT:
        # A consent may name only some of the household: the others stay unseen.
        seen = set(
            policy.visible(staff, "person", policy.Action.VIEW)
            .filter(pk__in=[m.person_id for m in memberships])
            .values_list("pk", flat=True)
        )
        memberships = [m for m in memberships if m.person_id in seen]
    current = [m for m in memberships if m.ended_on is None]
    collected = _Collected(events=_membership_events(memberships, basis))
    collected.add(_consultation_records(staff, household))
    referrals, from_referrals = _referral_records(staff, household)
    collected.add(from_referrals)
    for kind in _kinds_present(household):
        collected.add(TIMELINE_SECTIONS[kind](staff, household))
    collected.events.sort(key=lambda e: e.at)

    involved: dict[str, set[str]] = {}
    for organization, role in collected.roles:
        involved.setdefault(organization, set()).add(role)
    today = timezone.localdate()
    return HouseholdView(
        household=household,
        basis=basis,
        members=current,
        former_members=[m for m in memberships if m.ended_on is not None],
        timeline=collected.events,
        open_referrals=[r for r in referrals if r.status in OPEN and r.status != Status.DRAFT],
        organizations=sorted((name, sorted(roles)) for name, roles in involved.items()),
        # Consultations and referrals are always listed (empty or not); the
        # records of a case only when some were on screen.
        shown={
            kind: ids
            for kind, ids in collected.shown.items()
            if ids or kind in ("consultation", "referral")
        },
        ecomap_members=[
            ecomap.Member(
                id=m.person_id,
                name=m.person.full_name,
                relationship=m.get_relationship_display(),
                age=m.person.age_on(today),
                sex=m.person.sex,
            )
            for m in current
        ],
        relations=collected.relations,
    )


def _kinds_present(household: Household) -> list[str]:
    """Which kinds of casework the household has at all, in one indexed query
    that reads no record: most households have no 多機関協働 case, outreach or
    participation, and their page then skips those sections' visibility
    queries (a dozen statements, most of the page's cost). Where a kind is
    present, the section still shows only what the viewer may see. The kinds
    are the records its app declares tied to a household (``tsunagu.links``)
    that have a section of the page, in the page's order."""
    from django.db.models import Exists, OuterRef

    links = {
        link.record_kind: link
        for link in registry.household_links
        if link.kind == Kind.HOUSEHOLD and link.record_kind in TIMELINE_SECTIONS
    }
    kinds = [kind for kind in TIMELINE_SECTIONS if kind in links]
    row = (
        Household.objects.filter(pk=household.pk)
        .values_list(
            *(
                Exists(
                    links[kind].model_class._default_manager.filter(
                        **{links[kind].field: OuterRef("pk")}
                    )
                )
                for kind in kinds
            )
        )
        .first()
    )
    return [kind for kind, present in zip(kinds, row or (), strict=False) if present]


def _membership_events(
    memberships: list[HouseholdMembership], basis: policy.Basis
) -> list[TimelineEvent]:
    events = []
    for membership in memberships:
        person = membership.person
        events.append(
            TimelineEvent(
                at=_start_of(membership.started_on),
                kind="membership",
                title=_("%(name)s さんが世帯員に（%(relationship)s）")
                % {"name": person.full_name, "relationship": membership.get_relationship_display()},
                organization="",
                basis=basis,
            )
        )
        if membership.ended_on:
            events.append(
                TimelineEvent(
                    at=_start_of(membership.ended_on),
                    kind="membership",
                    title=_("%(name)s さんが世帯を離れる") % {"name": person.full_name},
                    organization="",
                    basis=basis,
                    detail=membership.end_reason,
                )
            )
    return events


def _consultation_records(staff: Staff, household: Household) -> _Collected:
    from tsunagu.consultations.models import ConsultationSubject

    consultations = list(
        policy.visible(staff, "consultation", policy.Action.VIEW)
        .filter(household=household)
        .select_related("organization")
        .order_by("received_at", "pk")
    )
    with_basis = policy.bases(staff, "consultation", consultations)
    subjects = _pairs(
        ConsultationSubject, "consultation_id", "person_id", [c.pk for c in consultations]
    )
    found = _Collected(shown={"consultation": [c.pk for c in consultations]})
    for consultation in consultations:
        name = consultation.organization.name
        found.events.append(
            TimelineEvent(
                at=consultation.received_at,
                kind="consultation",
                title=_("相談受付（%(channel)s・%(topic)s）")
                % {
                    "channel": consultation.get_channel_display(),
                    "topic": consultation.get_main_topic_display(),
                },
                organization=name,
                basis=with_basis[consultation.pk],
                url=reverse("consultations:detail", args=[consultation.pk]),
                detail=consultation.summary,
                badges=[consultation.get_outcome_display()],
            )
        )
        found.roles.append((name, _("相談受付")))
        found.relations.append(
            ecomap.Relation(
                name,
                ecomap.RelationKind.CONSULTATION,
                tuple(subjects.get(consultation.pk, ())),
            )
        )
    return found


def _referral_records(staff: Staff, household: Household) -> tuple[list[Any], _Collected]:
    from tsunagu.referrals.models import Referral, ReferralEvent, Status

    referrals = list(
        policy.visible(staff, "referral", policy.Action.VIEW)
        .filter(household=household)
        .select_related("from_organization", "to_organization")
        .order_by("pk")
    )
    referral_bases = policy.bases(staff, "referral", referrals)
    by_id = {referral.pk: referral for referral in referrals}
    found = _Collected(shown={"referral": [r.pk for r in referrals]})
    for event in (
        ReferralEvent.objects.filter(referral_id__in=by_id)
        .exclude(to_status=Status.DRAFT)
        .select_related("organization")
        .order_by("occurred_at", "pk")
    ):
        referral = by_id[event.referral_id]
        if event.to_status == Status.REQUESTED and event.from_status == Status.DRAFT:
            title = _("つなぐシート送付：%(source)s → %(target)s") % {
                "source": referral.from_organization.name,
                "target": referral.to_organization.name,
            }
        elif event.from_status == event.to_status:
            title = _("つなぐシートへのコメント（%(target)s宛）") % {
                "target": referral.to_organization.name
            }
        else:
            title = _("つなぐシート「%(status)s」（%(target)s宛）") % {
                "status": event.get_to_status_display(),
                "target": referral.to_organization.name,
            }
        found.events.append(
            TimelineEvent(
                at=event.occurred_at,
                kind="referral",
                title=title,
                organization=event.organization.name,
                basis=referral_bases[referral.pk],
                url=reverse("referrals:detail", args=[referral.pk]),
                detail=event.note if event.from_status != "" else "",
                badges=[event.get_reason_display()] if event.reason else [],
            )
        )
    sent = [r for r in referrals if r.status != Status.DRAFT]
    persons = _pairs(Referral.persons.through, "referral_id", "person_id", [r.pk for r in sent])
    for referral in sent:
        whom = tuple(persons.get(referral.pk, ()))
        for organization, role in (
            (referral.from_organization.name, _("つなぐ元")),
            (referral.to_organization.name, _("つなぎ先")),
        ):
            found.roles.append((organization, role))
            found.relations.append(
                ecomap.Relation(organization, ecomap.RelationKind.REFERRAL, whom)
            )
    return referrals, found


def _case_records(staff: Staff, household: Household) -> _Collected:
    """The household's 多機関協働 cases, consents, meetings and plans, as far as the
    viewer may see each: a case under the case's basis, its consents under the
    same basis, a meeting's item under the agenda item's basis, a plan and its
    monitorings under the plan's basis (a 支援会議's attendee sees the case and
    its meetings, not the plan made under consent)."""
    from tsunagu.cases.models import OPEN_STAGES

    cases = list(
        policy.visible(staff, "case", policy.Action.VIEW)
        .filter(household=household)
        .select_related("organization", "lead_organization")
        .order_by("opened_on", "pk")
    )
    case_bases = policy.bases(staff, "case", cases)
    found = _Collected(shown={"case": [case.pk for case in cases]})
    found.add(_case_history(cases, case_bases))
    found.add(_consents(staff, cases, case_bases))
    found.add(_case_teams([c for c in cases if c.stage in OPEN_STAGES]))
    found.add(_meetings(staff, household))
    found.add(_plans(staff, household))
    return found


def _case_history(cases: list[Any], case_bases: dict[int, policy.Basis]) -> _Collected:
    from tsunagu.cases.models import CaseEvent, Stage

    by_id = {case.pk: case for case in cases}
    found = _Collected()
    for event in (
        CaseEvent.objects.filter(
            case_id__in=by_id,
            kind__in=[CaseEvent.Kind.STAGE, CaseEvent.Kind.LEAD, CaseEvent.Kind.TEAM],
        )
        .select_related("organization")
        .order_by("occurred_at", "pk")
    ):
        case = by_id[event.case_id]
        detail = event.note
        if event.kind == CaseEvent.Kind.STAGE and not event.from_stage:
            title = _("多機関協働ケースを受付（%(title)s）") % {"title": case.title}
            detail = ""
        elif event.kind == CaseEvent.Kind.STAGE:
            title = _("ケースの段階：%(source)s → %(target)s") % {
                "source": Stage(event.from_stage).label,
                "target": Stage(event.to_stage).label,
            }
        elif event.kind == CaseEvent.Kind.LEAD:
            title = _("主担当機関の変更")
        else:
            title = _("支援チームの変更")
        found.events.append(
            TimelineEvent(
                at=event.occurred_at,
                kind="case",
                title=title,
                organization=event.organization.name,
                basis=case_bases[case.pk],
                url=reverse("cases:detail", args=[case.pk]),
                detail=detail,
                badges=[case.number],
            )
        )
    return found


def _consents(staff: Staff, cases: list[Any], case_bases: dict[int, policy.Basis]) -> _Collected:
    """Consents given and withdrawn: part of the case's record, shown under its basis."""
    by_id = {case.pk: case for case in cases}
    consents = list(
        policy.visible(staff, "consent", policy.Action.VIEW)
        .filter(case_id__in=by_id, archived_at=None)
        .select_related("grantor", "obtained_by_organization")
        .prefetch_related("organizations")
        .order_by("obtained_on", "pk")
    )
    found = _Collected(shown={"consent": [c.pk for c in consents]})
    for consent in consents:
        case = by_id[consent.case_id]
        shared = [org.name for org in consent.organizations.all()]
        if consent.covers_case_team:
            shared.append(_("支援チームの全機関"))
        grantor = consent.grantor.full_name
        if consent.grantor_kind == "representative":
            grantor = _("%(person)s（代理人: %(name)s）") % {
                "person": grantor,
                "name": consent.representative_name,
            }
        found.events.append(
            TimelineEvent(
                at=_start_of(consent.obtained_on),
                kind="consent",
                title=_("本人同意を取得（%(method)s）") % {"method": consent.get_method_display()},
                organization=consent.obtained_by_organization.name,
                basis=case_bases[case.pk],
                url=reverse("cases:detail", args=[case.pk]),
                detail=_("同意した人: %(grantor)s／目的: %(purposes)s／共有先: %(shared)s")
                % {
                    "grantor": grantor,
                    "purposes": "・".join(consent.purpose_labels()),
                    "shared": "、".join(shared),
                },
                badges=[case.number, consent.status_label],
            )
        )
        if consent.withdrawn_at is not None:
            found.events.append(
                TimelineEvent(
                    at=consent.withdrawn_at,
                    kind="consent",
                    title=_("本人同意の撤回"),
                    organization=case.organization.name,
                    basis=case_bases[case.pk],
                    url=reverse("cases:detail", args=[case.pk]),
                    detail=consent.withdrawal_note,
                    badges=[case.number],
                )
            )
    return found


def _case_teams(cases: list[Any]) -> _Collected:
    """The current team of each open case: with the household as a whole, the
    lead organization marked (the ecomap draws it thick)."""
    from tsunagu.cases.models import CaseTeamMember

    found = _Collected()
    leads = {case.lead_organization.name for case in cases if case.lead_organization}
    for case in cases:
        found.roles.append((case.organization.name, _("事務局")))
    for member in (
        CaseTeamMember.objects.filter(case__in=cases, left_on=None)
        .select_related("organization")
        .order_by("pk")
    ):
        name = member.organization.name
        found.roles.append((name, _("支援チーム")))
        if name not in leads:
            found.relations.append(ecomap.Relation(name, ecomap.RelationKind.TEAM))
    for name in leads:
        found.roles.append((name, _("主担当")))
        found.relations.append(ecomap.Relation(name, ecomap.RelationKind.LEAD))
    return found


def _meetings(staff: Staff, household: Household) -> _Collected:
    """Each time a case of the household was on a meeting's agenda, for the
    items the viewer may see (policy.agenda_item_bases)."""
    from tsunagu.meetings.models import AgendaItem
    from tsunagu.meetings.models import Status as MeetingStatus

    items = list(
        AgendaItem.objects.filter(case__household=household)
        .exclude(part__meeting__status=MeetingStatus.CANCELLED)
        .select_related("part__meeting__organization", "case")
        .prefetch_related("part__meeting__parts")
        .order_by("part__meeting__held_on", "pk")
    )
    item_bases = policy.agenda_item_bases(staff, items)
    items = [item for item in items if item.pk in item_bases]
    # The link goes to the meeting only where its page opens for the viewer.
    meeting_ids = {item.part.meeting_id for item in items}
    openable = (
        set(
            policy.visible(staff, "meeting", policy.Action.VIEW)
            .filter(pk__in=meeting_ids)
            .values_list("pk", flat=True)
        )
        if meeting_ids
        else set()
    )
    found = _Collected(shown={"agenda_item": [item.pk for item in items]})
    for item in items:
        meeting = item.part.meeting
        badges = [item.case.number]
        if meeting.status != MeetingStatus.HELD:
            badges.append(meeting.get_status_display())
        found.events.append(
            TimelineEvent(
                at=_start_of(meeting.held_on, item.part.starts_at or meeting.starts_at),
                kind="meeting",
                title=_("%(kind)sで検討（%(review)s）")
                % {"kind": item.part.get_kind_display(), "review": item.get_review_display()},
                organization=meeting.organization.name,
                basis=item_bases[item.pk],
                url=(
                    reverse("meetings:detail", args=[meeting.pk]) if meeting.pk in openable else ""
                ),
                detail=_("支援方針: %(policy)s") % {"policy": item.policy} if item.policy else "",
                badges=badges,
            )
        )
    return found


def _plans(staff: Staff, household: Household) -> _Collected:
    """Plan versions confirmed and their monitorings; the support items of the
    plans in force go to the ecomap."""
    from tsunagu.plans.models import Monitoring, SupportItem
    from tsunagu.plans.models import Status as PlanStatus

    plans = list(
        policy.visible(staff, "support_plan", policy.Action.VIEW)
        .filter(case__household=household, archived_at=None)
        .select_related("case__organization")
        .order_by("pk")
    )
    plan_bases = policy.bases(staff, "support_plan", plans)
    by_id = {plan.pk: plan for plan in plans}
    found = _Collected(shown={"support_plan": list(by_id)})
    for plan in plans:
        if plan.activated_at is None:
            continue
        found.events.append(
            TimelineEvent(
                at=plan.activated_at,
                kind="plan",
                title=_("支援プラン 第%(n)d版を確定") % {"n": plan.version_number},
                organization=plan.case.organization.name,
                basis=plan_bases[plan.pk],
                url=reverse("plans:detail", args=[plan.pk]),
                detail=plan.overall_goal,
                badges=[plan.case.number, plan.get_status_display()],
            )
        )
    for monitoring in Monitoring.objects.filter(plan_id__in=by_id, archived_at=None).order_by(
        "held_on", "pk"
    ):
        plan = by_id[monitoring.plan_id]
        found.events.append(
            TimelineEvent(
                at=_start_of(monitoring.held_on),
                kind="plan",
                title=_("モニタリング（判断: %(decision)s）")
                % {"decision": monitoring.get_decision_display()},
                organization=plan.case.organization.name,
                basis=plan_bases[plan.pk],
                url=reverse("plans:detail", args=[plan.pk]),
                detail=monitoring.summary,
                badges=[plan.case.number],
            )
        )
    active = [pk for pk, plan in by_id.items() if plan.status == PlanStatus.ACTIVE]
    for item in SupportItem.objects.filter(plan_id__in=active).select_related("organization"):
        name = item.organization.name
        found.roles.append((name, _("支援プラン")))
        found.relations.append(
            ecomap.Relation(
                name,
                ecomap.RelationKind.PLAN,
                (item.person_id,) if item.person_id else (),
            )
        )
    return found


def _outreach_records(staff: Staff, household: Household) -> _Collected:
    """The household's outreach contacts the viewer may see: one timeline entry
    each (a year of monthly visits is a year of entries), and one ecomap line
    per organization that reached out."""
    from tsunagu.outreach.models import OutreachVisitor

    contacts = list(
        policy.visible(staff, "outreach_contact", policy.Action.VIEW)
        .filter(household=household)
        .select_related("organization", "person")
        .order_by("occurred_at", "pk")
    )
    found = _Collected(shown={"outreach_contact": [c.pk for c in contacts]})
    if not contacts:
        return found
    with_basis = policy.bases(staff, "outreach_contact", contacts)
    joint: dict[int, set[str]] = {}
    for contact_id, name in OutreachVisitor.objects.filter(
        contact_id__in=[c.pk for c in contacts]
    ).values_list("contact_id", "organization__name"):
        joint.setdefault(contact_id, set()).add(name)
    whom: dict[str, set[int]] = {}
    for contact in contacts:
        organizations = {contact.organization.name} | joint.get(contact.pk, set())
        title = _("アウトリーチ（%(method)s・%(result)s）") % {
            "method": contact.get_method_display(),
            "result": contact.get_result_display(),
        }
        if contact.person is not None:
            title += _("：%(name)s さん") % {"name": contact.person.full_name}
        found.events.append(
            TimelineEvent(
                at=contact.occurred_at,
                kind="outreach",
                title=title,
                organization="、".join(sorted(organizations)),
                basis=with_basis[contact.pk],
                url=reverse("outreach:household", args=[household.pk]),
                detail=contact.content,
                badges=[contact.get_intent_display(), contact.get_stage_after_display()],
            )
        )
        for name in organizations:
            found.roles.append((name, _("アウトリーチ")))
            ids = whom.setdefault(name, set())
            if contact.person_id is not None:
                ids.add(contact.person_id)
    for name, ids in whom.items():
        found.relations.append(
            ecomap.Relation(name, ecomap.RelationKind.OUTREACH, tuple(sorted(ids)))
        )
    return found


def _progress_records(staff: Staff, household: Household) -> _Collected:
    """The household's 支援経過記録 the viewer may see: one timeline entry
    each (an interview, a call, an accompanied trip), and the organizations
    that took part among those involved with the household."""
    from tsunagu.progress.models import ProgressNoteParticipant

    notes = list(
        policy.visible(staff, "progress_note", policy.Action.VIEW)
        .filter(household=household)
        .select_related("organization", "person")
        .order_by("occurred_at", "pk")
    )
    found = _Collected(shown={"progress_note": [n.pk for n in notes]})
    if not notes:
        return found
    with_basis = policy.bases(staff, "progress_note", notes)
    joint: dict[int, set[str]] = {}
    for note_id, name in ProgressNoteParticipant.objects.filter(
        note_id__in=[n.pk for n in notes]
    ).values_list("note_id", "organization__name"):
        joint.setdefault(note_id, set()).add(name)
    for note in notes:
        organizations = {note.organization.name} | joint.get(note.pk, set())
        title = _("支援経過（%(kind)s）") % {"kind": note.get_kind_display()}
        if note.person is not None:
            title += _("：%(name)s さん") % {"name": note.person.full_name}
        badges = []
        if note.next_on is not None:
            badges.append(_("次回 %(day)s") % {"day": format_wareki(note.next_on)})
        found.events.append(
            TimelineEvent(
                at=note.occurred_at,
                kind="progress",
                title=title,
                organization="、".join(sorted(organizations)),
                basis=with_basis[note.pk],
                url=reverse("progress:household", args=[household.pk]) + f"#note-{note.pk}",
                detail=note.content,
                badges=badges,
            )
        )
        for name in organizations:
            found.roles.append((name, _("支援経過記録")))
    return found


def _participation_records(staff: Staff, household: Household) -> _Collected:
    """Participation paths of the household's members the viewer may see: their
    history on the timeline, and the places they are connected to now on the
    ecomap (a 社会資源 drawn beside the organizations)."""
    from tsunagu.participation.models import CONNECTED, ParticipationEvent

    paths = list(
        policy.visible(staff, "participation", policy.Action.VIEW)
        .filter(household=household)
        .select_related("resource", "organization", "person")
        .order_by("pk")
    )
    found = _Collected(shown={"participation": [p.pk for p in paths]})
    if not paths:
        return found
    with_basis = policy.bases(staff, "participation", paths)
    by_id = {path.pk: path for path in paths}
    for event in (
        ParticipationEvent.objects.filter(participation_id__in=by_id)
        .select_related("organization")
        .order_by("happened_on", "occurred_at", "pk")
    ):
        path = by_id[event.participation_id]
        label = event.get_to_stage_display() if event.to_stage else event.get_kind_display()
        if event.kind == "host_support":
            label = event.get_kind_display()
        found.events.append(
            TimelineEvent(
                at=_start_of(event.happened_on, timezone.localtime(event.occurred_at).time()),
                kind="participation",
                title=_("参加支援「%(stage)s」：%(name)s さん → %(resource)s")
                % {"stage": label, "name": path.person.full_name, "resource": path.resource.name},
                organization=event.organization.name,
                basis=with_basis[path.pk],
                url=reverse("participation:detail", args=[path.pk]),
                detail=event.note,
                badges=[_("プランに基づく") if path.plan_id else _("プラン前")],
            )
        )
    for path in paths:
        found.roles.append((path.organization.name, _("参加支援")))
        if path.stage in CONNECTED:
            found.relations.append(
                ecomap.Relation(
                    path.resource.name, ecomap.RelationKind.PARTICIPATION, (path.person_id,)
                )
            )
    return found


def _assessment_records(staff: Staff, household: Household) -> _Collected:
    """The assessments of the household's members the viewer may see: one
    timeline entry per version (アセスメント実施)."""
    assessments = list(
        policy.visible(staff, "assessment", policy.Action.VIEW)
        .filter(household=household, archived_at=None)
        .select_related("organization", "person", "case")
        .order_by("assessed_on", "pk")
    )
    found = _Collected(shown={"assessment": [a.pk for a in assessments]})
    if not assessments:
        return found
    with_basis = policy.bases(staff, "assessment", assessments)
    for assessment in assessments:
        badges = [_("第%(n)d版") % {"n": assessment.version_number}]
        if assessment.case is not None:
            badges.append(assessment.case.number)
        found.events.append(
            TimelineEvent(
                at=_start_of(assessment.assessed_on),
                kind="assessment",
                title=_("アセスメント実施：%(name)s さん") % {"name": assessment.person.full_name},
                organization=assessment.organization.name,
                basis=with_basis[assessment.pk],
                url=reverse("assessments:detail", args=[assessment.pk]),
                detail=assessment.person_issues,
                badges=badges,
            )
        )
        found.roles.append((assessment.organization.name, _("アセスメント")))
    return found


def _life_events(staff: Staff, household: Household) -> _Collected:
    """The family's own history (家族の出来事) the viewer may see: 退職, 入院, 転居 …
    as each organization learned them, dated as precisely as they are known."""
    events = list(
        policy.visible(staff, "life_event", policy.Action.VIEW)
        .filter(household=household, archived_at=None)
        .select_related("organization", "person")
        .order_by("occurred_on", "pk")
    )
    found = _Collected(shown={"life_event": [e.pk for e in events]})
    if not events:
        return found
    with_basis = policy.bases(staff, "life_event", events)
    for event in events:
        title = _("家族の出来事：%(kind)s") % {"kind": event.get_kind_display()}
        if event.person is not None:
            title += _("（%(name)s さん）") % {"name": event.person.full_name}
        source = event.get_source_display()
        if event.source_note:
            source += f"・{event.source_note}"
        found.events.append(
            TimelineEvent(
                at=_start_of(event.occurred_on),
                kind="life_event",
                title=title,
                organization=event.organization.name,
                basis=with_basis[event.pk],
                url=reverse("lifeevents:household", args=[household.pk]),
                detail=event.description,
                badges=[_("家族の出来事"), _("情報源: %(source)s") % {"source": source}],
                when=event.when_label if event.precision != "day" else "",
            )
        )
    return found


#: The sections of the household page read only where the household has
#: such a record (by the policy's record kind of the declared household link).
TIMELINE_SECTIONS: dict[str, Callable[[Staff, Household], _Collected]] = {
    "case": _case_records,
    "outreach_contact": _outreach_records,
    "progress_note": _progress_records,
    "participation": _participation_records,
    "assessment": _assessment_records,
    "life_event": _life_events,
}
#: The other records tied to a household (``tsunagu.links``): read on every
#: page (consultations and referrals, listed even when empty), or not shown
#: on the 家族年表, and why.
OTHER_RECORDS = {
    "consultation": "always read: the page lists them, even when there are none",
    "referral": "always read: the page lists them, even when there are none",
    "household": "the household itself",
    "emergency_access": "a break-glass opening is marked on the page, not a record of support",
    "activity_record": "an organization's record of its own work, listed on its own pages",
    "participation_profile": "a person's interests, shown on the participation pages",
}
