"""A municipal working day for Locust: staff of the demo ward at their screens.

Run by ``python -m bench.load.run`` (see ``bench/load/README.md``); it can also
be run by hand against any server holding the demo ward::

    locust -f bench/load/locustfile.py --headless -u 10 -r 5 -t 1m --host http://127.0.0.1:8000

Each simulated user signs in once, with a password, as one demo account and
then works as a person would: a task, 1 to 5 seconds of reading or typing
(``wait_time``), the next task. Households are only ever reached through
links on pages the user has opened (search results, the referral inbox, the
outreach work list, case pages), never from the database, so every household
page and every write is one that the account may really reach.

Checks: every answer must be the expected status (200, or the redirect a
form answers with) and contain what the page should (its heading, the
signed-in user's name band, the success message after a write). Anything
else is a failure, reported with what was wrong.

With ``LOAD_SAMPLES`` set to a file name, every request's time is written
there when the test stops (``bench.load.run`` computes exact percentiles from
it; Locust's own percentiles are rounded).
"""

# ruff: noqa: S311 - random choices of simulated people, not secrets

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from typing import Any

import gevent
import requests
from django_otp.oath import totp
from locust import HttpUser, between, events, task
from locust.exception import StopUser

from bench.load import COORDINATORS, COUNSELORS, DEMO_KEY, MANAGERS, PASSWORD
from tsunagu.demo.names import GIVEN_NAMES, SURNAMES

#: Variant kanji as residents write them (the search folds them).
VARIANTS = ["髙橋", "齋藤", "山﨑", "渡邊", "濵田"]
#: Words of consultations' text (the search box looks there too).
CONSULTATION_WORDS = ["訪問", "介護", "家賃", "ひきこもり", "相談", "食べるもの"]

HOUSEHOLD_LINK = re.compile(r'href="/people/households/(\d+)/"')
REFERRAL_LINK = re.compile(r'href="/referrals/(\d+)/"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
OUTREACH_LINK = re.compile(r'href="/outreach/households/(\d+)/"')
STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')
SIGNED_IN = 'class="user-name"'

#: Hands out one account after another, per role, and one slot per user.
_next_account: dict[str, itertools.count[int]] = defaultdict(itertools.count)
_next_slot = itertools.count()


# ---------------------------------------------------------------------------
# Forms as a browser submits them.


class Form:
    """One ``<form>``: what a browser would send untouched, and the choices offered."""

    def __init__(self, action: str, method: str) -> None:
        self.action = action  # where it posts: a form without an action posts to its page
        self.method = method.lower()
        self.hx_post = ""  # htmx posts it here …
        self.hx_trigger = ""  # … on this event ("load": as soon as it is shown)
        self.values: list[tuple[str, str]] = []
        self.choices: dict[str, list[str]] = defaultdict(list)  # radios, checkboxes, options
        self.buttons: dict[str, list[str]] = defaultdict(list)  # submit buttons' name → values

    def data(self, **replace: Any) -> list[tuple[str, str]]:
        """The default values with ``replace`` (a list value sends the name repeatedly)."""
        sent = [(name, value) for name, value in self.values if name not in replace]
        for name, value in replace.items():
            for one in value if isinstance(value, list) else [value]:
                sent.append((name, str(one)))
        return sent

    def value(self, name: str) -> str:
        return next((v for n, v in self.values if n == name), "")


class FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._select: tuple[str, bool, list[str], list[str]] | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {key: value or "" for key, value in attr_list}
        if tag == "form":
            self.forms.append(Form(attrs.get("action") or self.page, attrs.get("method", "get")))
            self.forms[-1].hx_post = attrs.get("hx-post", "")
            self.forms[-1].hx_trigger = attrs.get("hx-trigger", "")
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                form.choices[name].append(attrs.get("value", "on"))
                if "checked" in attrs:
                    form.values.append((name, attrs.get("value", "on")))
            elif kind == "submit":
                form.buttons[name].append(attrs.get("value", ""))
            elif kind not in ("button", "file", "reset", "image"):
                form.values.append((name, attrs.get("value", "")))
        elif tag == "button" and name and attrs.get("type", "submit") == "submit":
            form.buttons[name].append(attrs.get("value", ""))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [], [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select[2].append(value)
            if "selected" in attrs:
                self._select[3].append(value)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            form.choices[name].extend(value for value in options if value)
            if selected:
                form.values.extend((name, value) for value in selected)
            elif options and not multiple:
                form.values.append((name, options[0]))  # a browser sends the first option
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            form.values.append((name, "".join(text).removeprefix("\n")))
            self._textarea = None


def form_on(html: str, page: str, action: str) -> Form | None:
    """The first form of the page at ``page`` posting to a URL that starts with ``action``."""
    parser = FormParser(page)
    parser.feed(html)
    return next((f for f in parser.forms if f.action.startswith(action)), None)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


# ---------------------------------------------------------------------------
# Exact timings for run.py.

_samples: dict[str, list[float]] = defaultdict(list)
_failures: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any = None, **_kwargs: Any) -> None:
    _samples[name].append(round(response_time, 2))
    if exception is not None:
        _failures[name][str(exception)[:300]] += 1


@events.user_error.add_listener
def _task_error(user_instance: Any, exception: Exception, **_kwargs: Any) -> None:
    """A task that raised (a page without an expected form, say) is a failure too."""
    _failures["task error"][f"{type(exception).__name__}: {exception}"[:300]] += 1


@events.quitting.add_listener
def _write_samples(**_kwargs: Any) -> None:
    path = os.environ.get("LOAD_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"samples": _samples, "failures": _failures}, out, ensure_ascii=False)


# ---------------------------------------------------------------------------
# Staff at work.


class Staff(HttpUser):
    """A staff member: signs in once, then works with 1–5 s between actions."""

    abstract = True
    wait_time = between(1, 5)
    accounts: list[str] = []

    def on_start(self) -> None:
        role = type(self).__name__
        self.username = self.accounts[next(_next_account[role]) % len(self.accounts)]
        self.slot = next(_next_slot)
        self.households: set[int] = set()
        self.outreach_households: set[int] = set()
        self.referrals: set[int] = set()
        self.cases: set[int] = set()
        self.csrf = ""
        self.full_name = ""
        # A new connection for every request, as a TLS proxy in front of
        # gunicorn makes them (nginx speaks HTTP/1.0 to its upstream). Kept
        # alive instead, a request sent just as gunicorn closes the idle
        # connection (after 2 s) finds it gone: a browser retries that
        # silently, the load test would count it as a failure.
        self.client.headers["Connection"] = "close"
        self.sign_in()

    # -- requests and checks ------------------------------------------------

    def open(
        self, path: str, name: str, must: str | tuple[str, ...], *, full: bool = True
    ) -> str | None:
        """GET a page; a failure unless 200 and ``must`` (and, for a whole
        page, the signed-in user's band) is in it. Returns the page."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            return self._check(r, must, full=full)

    def send(
        self,
        path: str,
        name: str,
        data: list[tuple[str, str]] | dict[str, str],
        *,
        redirect: str | None = None,
        must: str | tuple[str, ...] = "",
        htmx: bool = False,
    ) -> str | None:
        """POST a form. With ``redirect``, a success is a 302 to a location
        matching it (returned); otherwise a 200 containing ``must``."""
        headers = {"Origin": self.host, "Referer": self.host + path}
        if htmx:
            headers |= {"HX-Request": "true", "X-CSRFToken": self.csrf}
        with self.client.post(
            path, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as r:
            if redirect is None:
                if r.headers.get("X-Tsunagu-Refused"):
                    r.failure(f"refused ({r.headers['X-Tsunagu-Refused']})")
                    return None
                return self._check(r, must, full=not htmx)
            location = r.headers.get("Location", "")
            if r.status_code == 0:
                r.failure(f"no answer: {r.error}")
                return None
            if r.status_code != 302 or not re.fullmatch(redirect, location):
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', r.text or "", re.S)
                r.failure(
                    f"expected a redirect to {redirect}, got {r.status_code} {location}"
                    + (
                        f" errors: {re.sub(r'<[^>]+>', ' ', errors[0]).strip()[:200]}"
                        if errors
                        else ""
                    )
                )
                return None
            r.success()
            return location

    def _check(self, r: Any, must: str | tuple[str, ...], *, full: bool) -> str | None:
        """``must``: what the page must contain (any one of a tuple)."""
        if r.status_code == 0:
            r.failure(f"no answer: {r.error}")
            return None
        if r.status_code != 200:
            where = r.headers.get("Location", "")
            r.failure(f"status {r.status_code}{' → ' + where if where else ''}")
            return None
        text = r.text
        if not any(one in text for one in ((must,) if isinstance(must, str) else must)):
            r.failure(f"page lacks {must!r}")
            return None
        if full and (SIGNED_IN not in text or self.full_name not in text):
            r.failure("page lacks the signed-in user's name")
            return None
        r.success()
        if full:
            self.csrf = csrf_of(text) or self.csrf
        self.learn(text)
        return text

    def learn(self, html: str) -> None:
        """Remember the households, referrals and cases a page links to."""
        self.households.update(int(pk) for pk in HOUSEHOLD_LINK.findall(html))
        self.outreach_households.update(int(pk) for pk in OUTREACH_LINK.findall(html))
        self.referrals.update(int(pk) for pk in REFERRAL_LINK.findall(html))
        self.cases.update(int(pk) for pk in CASE_LINK.findall(html))

    @staticmethod
    def pause(low: float = 0.3, high: float = 1.0) -> None:
        """A pause inside one action: typing, choosing, reading a list."""
        gevent.sleep(random.uniform(low, high))

    # -- signing in ----------------------------------------------------------

    def sign_in(self) -> None:
        with self.client.get(
            "/login/", name="login page", allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != 200 or 'name="username"' not in r.text:
                r.failure(f"login page: status {r.status_code}")
                raise StopUser
            page = r.text
        # A browser's first visit also fetches the styles and scripts (cached afterwards).
        for asset in sorted(set(STATIC_LINK.findall(page))):
            self.client.get(asset, name="static files (first visit)")
        self.pause(2, 4)  # typing the login ID and password
        data = {"username": self.username, "password": PASSWORD}
        data["csrfmiddlewaretoken"] = csrf_of(page)
        location = self.send("/login/", "login", data, redirect=r"/(two-factor/verify/.*)?")
        if location is None:
            raise StopUser
        if location.startswith("/two-factor/verify/"):
            self.second_factor(location)
        if self.open_home(first=True):
            return
        # The home page sent a staff member whose role needs a second factor
        # to the code page: type it, then the home page opens.
        self.second_factor("/two-factor/verify/")
        self.open_home(first=False)

    def open_home(self, *, first: bool) -> bool:
        """The home page after signing in (False: sent to the code page first)."""
        with self.client.get("/", name="home", allow_redirects=False, catch_response=True) as r:
            if first and r.status_code == 302 and "/two-factor/verify/" in r.headers["Location"]:
                r.success()
                return False
            found = re.search(r'<span class="user-name">([^<]+)</span>', r.text)
            if r.status_code != 200 or not found:
                r.failure(f"home after login: status {r.status_code}")
                raise StopUser
            self.full_name = found.group(1)
            self._check(r, "<h1>ホーム</h1>", full=True)
            return True

    def second_factor(self, path: str) -> None:
        """The code of the demo authenticator (published in the README), as
        a person types it from the app. A code is good once: when another
        simulated user of the same account used this half-minute's code, the
        server refuses it (replay) and the user waits for the next one."""
        for _attempt in range(4):
            with self.client.get(path, name="two-factor page", catch_response=True) as r:
                if r.status_code != 200 or 'name="token"' not in r.text:
                    r.failure(f"two-factor page: status {r.status_code}")
                    raise StopUser
                page = r.text
            self.pause(3, 6)  # opening the app, reading the code
            token = f"{totp(DEMO_KEY, step=30, digits=6):06d}"
            with self.client.post(
                path,
                data={"token": token, "csrfmiddlewaretoken": csrf_of(page)},
                name="two-factor code",
                headers={"Origin": self.host, "Referer": self.host + path},
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.status_code == 302:
                    r.success()
                    return
                if r.status_code == 200 and "確認コード" in r.text:
                    r.success()  # this half-minute's code was used: expected, wait
                else:
                    r.failure(f"two-factor code: status {r.status_code}")
                    raise StopUser
            gevent.sleep(30 - time.time() % 30 + random.uniform(1, 3))
        raise StopUser

    # -- reading ---------------------------------------------------------------

    def home(self) -> None:
        self.open("/", "home", "<h1>ホーム</h1>")

    def search(self) -> None:
        """Open the search page (or stay on it), type a word: htmx posts after
        each 400 ms pause, so a word typed in two goes is two searches."""
        stays = self.csrf and random.random() < 0.5
        if not stays and self.open("/people/search/", "search page", "本人・相談の検索") is None:
            return
        word = self.search_word()
        if len(word) > 1 and random.random() < 0.3:
            self.send(
                "/people/search/",
                "search (htmx)",
                {"q": word[0]},
                must="<h2>本人</h2>",
                htmx=True,
            )
            self.pause()
        page = self.send(
            "/people/search/", "search (htmx)", {"q": word}, must="<h2>本人</h2>", htmx=True
        )
        self.follow_loads(page or "", "/people/search/")
        found = HOUSEHOLD_LINK.findall(page or "")
        if found and random.random() < 0.6:
            self.pause(1, 3)  # reading the list
            self.household(int(random.choice(found)))

    def follow_loads(self, html: str, page: str) -> None:
        """What htmx asks for as soon as a part is shown (``hx-trigger="load"``),
        e.g. the consultations matching the words, after the persons."""
        parser = FormParser(page)
        parser.feed(html)
        for form in parser.forms:
            if form.hx_post and "load" in form.hx_trigger.split(","):
                self.send(
                    form.hx_post,
                    "search: consultations (htmx)",
                    form.data(),
                    must=("consultations/", "該当する相談受付はありません"),
                    htmx=True,
                )

    @staticmethod
    def search_word() -> str:
        surname, surname_kana = random.choice(SURNAMES)
        given, given_kana = random.choice(GIVEN_NAMES)
        return random.choices(
            [
                surname,
                surname_kana,
                random.choice(VARIANTS),
                f"{surname} {given}",
                f"{surname_kana}　{given_kana}",
                given,
                random.choice(CONSULTATION_WORDS),
            ],
            weights=[40, 15, 8, 12, 5, 10, 10],
        )[0]

    def household(self, pk: int | None = None) -> str | None:
        if pk is None:
            if not self.households:
                self.search()
                return None
            pk = random.choice(sorted(self.households))
        return self.open(f"/people/households/{pk}/", "household page", "household-overview")

    def referral_inbox(self) -> str | None:
        box = "?box=sent" if random.random() < 0.25 else ""
        return self.open(f"/referrals/{box}", "referral inbox", "<h1>つなぐシート")

    def referral(self) -> tuple[int, str] | None:
        if not self.referrals:
            self.referral_inbox()
            return None
        pk = random.choice(sorted(self.referrals))
        page = self.open(f"/referrals/{pk}/", "referral page", "<h1>つなぐシート")
        return (pk, page) if page else None

    def outreach_worklist(self) -> None:
        self.open("/outreach/", "outreach work list", "<h1>アウトリーチ</h1>")

    def outreach_months(self) -> None:
        if not self.outreach_households:
            self.outreach_worklist()
            return
        pk = random.choice(sorted(self.outreach_households))
        self.open(
            f"/outreach/households/{pk}/", "outreach: household months", "のアウトリーチ</h1>"
        )

    def hsds_services(self) -> None:
        """The resource directory as HSDS JSON (what a neighbouring system reads)."""
        page = random.randint(1, 3)
        with self.client.get(
            f"/api/v1/hsds/services?page={page}",
            name="HSDS services (API)",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            try:
                body = r.json()
            except ValueError:
                body = {}
            if r.status_code != 200 or not body.get("contents"):
                r.failure(f"status {r.status_code}, contents {len(body.get('contents') or [])}")
            else:
                r.success()

    def reports(self) -> None:
        if self.open("/reports/", "reports index", "<h1>報告・評価</h1>") is None:
            return
        if random.random() < 0.5:
            self.pause(1, 3)
            self.open("/reports/business/", "business report", "実績報告</h1>")

    def case_list(self) -> None:
        scope = "?scope=all" if random.random() < 0.3 else ""
        self.open(f"/cases/{scope}", "case list", "<h1>多機関協働ケース</h1>")

    def case(self) -> None:
        if not self.cases:
            self.case_list()
            return
        pk = random.choice(sorted(self.cases))
        self.open(f"/cases/{pk}/", "case page", "<h1>多機関協働ケース")

    # -- writing ---------------------------------------------------------------

    def intake_for_household(self) -> None:
        """From a household page: この世帯の相談を受け付ける, fill in, record."""
        page = self.household()
        if not page or "/consultations/new/?household=" not in page:
            return  # no write access to this household: the page was the action
        pk = re.search(r"/consultations/new/\?household=(\d+)", page).group(1)  # type: ignore[union-attr]
        url = f"/consultations/new/?household={pk}"
        form = form_on(self.open(url, "intake form", "<h1>相談受付") or "", url, url)
        members = form.choices.get("subjects") if form else None
        if not form or not members:
            return
        self.pause(10, 20)  # listening, ticking the topics, typing the summary
        self.send(
            form.action,
            "intake: record",
            self.intake_data(form, subjects=random.sample(members, 1)),
            redirect=rf"/people/households/{pk}/",
        ) and self.open(f"/people/households/{pk}/", "household page", "相談を受け付けました")

    def intake_new_person(self) -> None:
        """相談受付 for someone not yet registered: the duplicate check runs
        while the name is typed (htmx), then the record makes a household."""
        url = "/consultations/new/"
        form = form_on(self.open(url, "intake form", "<h1>相談受付") or "", url, url)
        if form is None:
            return
        (surname, surname_kana), (given, given_kana) = (
            random.choice(SURNAMES),
            random.choice(GIVEN_NAMES),
        )
        person = {
            "person-family_name": surname,
            "person-given_name": given,
            "person-family_name_kana": surname_kana,
            "person-given_name_kana": given_kana,
            "person-sex": random.choice(form.choices.get("person-sex") or [""]),
            "person-birth_date": f"S{random.randint(20, 63)}.{random.randint(1, 12)}.{random.randint(1, 28)}",
            "person-address": f"デモ区大塚{random.randint(1, 6)}-{random.randint(1, 30)}-{random.randint(1, 20)}",
        }
        self.pause(3, 6)  # typing the name: the page asks for probable duplicates
        self.send(
            "/people/matches/",
            "intake: matches (htmx)",
            {"prefix": "person", **person},
            must="",
            htmx=True,
        )
        self.pause(10, 20)
        location = self.send(
            form.action,
            "intake: record",
            self.intake_data(form, subject_mode="new", **person),
            redirect=r"/people/households/\d+/",
        )
        if location:
            self.open(location, "household page", "相談を受け付けました")

    def intake_data(self, form: Form, **extra: Any) -> list[tuple[str, str]]:
        topics = form.choices.get("topics") or []
        chosen = random.sample(topics, min(len(topics), random.randint(1, 2)))
        outcomes = [
            o
            for o in form.choices.get("outcome", [])
            if o in ("advice_ended", "continue_here", "watch")
        ]
        return form.data(
            consulter=random.choice(form.choices.get("consulter") or [""]),
            topics=chosen,
            main_topic=chosen[0] if chosen else "",
            summary="負荷試験の相談記録です。"
            + random.choice(["来所され", "電話で"])
            + "、生活の困りごとを伺った。",
            urgency=form.value("urgency") if random.random() < 0.9 else "soon",
            consent_to_share=random.choice(form.choices.get("consent_to_share") or [""]),
            outcome=random.choice(outcomes or [""]),
            **extra,
        )

    def outreach_record(self) -> None:
        """From a household page: アウトリーチを記録 at the doorstep."""
        page = self.household()
        if not page:
            return
        found = re.search(r'href="(/outreach/households/(\d+)/new/)"', page)
        if not found:
            return
        path, pk = found.groups()
        form = form_on(
            self.open(path, "outreach form", "<h1>アウトリーチを記録</h1>") or "", path, path
        )
        if form is None:
            return
        self.pause(5, 10)  # tapping method, result, stage
        data = form.data(
            method=random.choice(form.choices["method"]),
            result=random.choice(form.choices["result"]),
            intent=random.choice(form.choices.get("intent") or [form.value("intent")]),
            stage_after=form.value("stage_after") or random.choice(form.choices["stage_after"]),
            content="負荷試験の訪問記録。",
        )
        if self.send(
            form.action, "outreach: record", data, redirect=rf"/outreach/households/{pk}/"
        ):
            self.outreach_households.add(int(pk))
            self.open(
                f"/outreach/households/{pk}/",
                "outreach: household months",
                "アウトリーチを記録しました",
            )

    def referral_act(self) -> None:
        """On a referral: a comment, or (for referrals this user alone handles,
        so that two simulated users never race for one) the next step."""
        opened = self.referral()
        if opened is None:
            return
        pk, page = opened
        form = form_on(page, f"/referrals/{pk}/", f"/referrals/{pk}/transition/")
        if form is None:
            return
        offered = form.buttons.get("to_status", [])
        users = self.environment.runner.target_user_count or 1
        mine = pk % users == self.slot % users
        step = next((s for s in ("accepted", "in-progress") if s in offered), None)
        self.pause(3, 8)
        if step and mine:
            self.send(
                f"/referrals/{pk}/transition/",
                "referral transition (htmx)",
                form.data(to_status=step, note=""),
                must=f"status-{step}",
                htmx=True,
            )
        elif "comment" in offered:
            note = f"負荷試験のコメント {random.randint(1000, 9999)}"
            self.send(
                f"/referrals/{pk}/transition/",
                "referral comment (htmx)",
                form.data(to_status="comment", note=note),
                must=note,
                htmx=True,
            )


class Counselor(Staff):
    """At a window: searches, households, intake, referrals, outreach."""

    weight = 42
    accounts = COUNSELORS

    @task(4)
    def t_home(self) -> None:
        self.home()

    @task(12)
    def t_search(self) -> None:
        self.search()

    @task(10)
    def t_household(self) -> None:
        self.household()

    @task(4)
    def t_intake(self) -> None:
        self.intake_for_household()

    @task(1)
    def t_intake_new(self) -> None:
        self.intake_new_person()

    @task(6)
    def t_referral_inbox(self) -> None:
        self.referral_inbox()

    @task(3)
    def t_referral(self) -> None:
        self.referral()

    @task(2)
    def t_referral_act(self) -> None:
        self.referral_act()

    @task(3)
    def t_outreach(self) -> None:
        self.outreach_worklist()

    @task(2)
    def t_outreach_months(self) -> None:
        self.outreach_months()

    @task(2)
    def t_outreach_record(self) -> None:
        self.outreach_record()

    @task(1)
    def t_hsds(self) -> None:
        self.hsds_services()

    @task(1)
    def t_reports(self) -> None:
        self.reports()


class Coordinator(Staff):
    """多機関協働事務局: the case list first, then referrals and households."""

    weight = 5
    accounts = COORDINATORS

    @task(4)
    def t_home(self) -> None:
        self.home()

    @task(8)
    def t_case_list(self) -> None:
        self.case_list()

    @task(6)
    def t_case(self) -> None:
        self.case()

    @task(4)
    def t_referral_inbox(self) -> None:
        self.referral_inbox()

    @task(2)
    def t_referral_act(self) -> None:
        self.referral_act()

    @task(5)
    def t_search(self) -> None:
        self.search()

    @task(5)
    def t_household(self) -> None:
        self.household()

    @task(2)
    def t_reports(self) -> None:
        self.reports()

    @task(1)
    def t_hsds(self) -> None:
        self.hsds_services()


class Manager(Staff):
    """機関管理者: the organization's referrals, reports, some households."""

    weight = 3
    accounts = MANAGERS

    @task(4)
    def t_home(self) -> None:
        self.home()

    @task(4)
    def t_referral_inbox(self) -> None:
        self.referral_inbox()

    @task(4)
    def t_reports(self) -> None:
        self.reports()

    @task(3)
    def t_search(self) -> None:
        self.search()

    @task(3)
    def t_household(self) -> None:
        self.household()

    @task(2)
    def t_outreach(self) -> None:
        self.outreach_worklist()

    @task(1)
    def t_hsds(self) -> None:
        self.hsds_services()


# ---------------------------------------------------------------------------
# Residents at the public consultation page (issue 20: "20 residents writing at
# once while staff work"), on the public host ``localhost``.

#: What residents write, in the public page's languages (one with a crisis word).
RESIDENT_TEXTS = {
    "ja": ["家賃が払えず、どうしたらいいかわかりません。", "母の介護と仕事の両立が難しいです。"],
    "vi": ["Tôi mất việc và không trả được tiền nhà.", "Con tôi không đi học được."],
    "en": ["I lost my job and cannot pay the rent.", "I need help with my father's care."],
    "zh-hans": ["我失业了，付不起房租。", "孩子不去上学，我很担心。"],
    "ko": ["일을 잃어서 집세를 낼 수 없습니다.", "어머니 간병이 힘듭니다."],
    "pt-br": ["Perdi o emprego e não consigo pagar o aluguel.", "Preciso de ajuda com meu filho."],
    "ja-easy": [
        "しごとが なくなりました。おかねが ありません。",
        "死にたいと おもうことが あります。",
    ],
}
_next_resident = itertools.count(10)
SECRET_LINK = re.compile(r'href="(/consult/[a-z-]+/t/[A-Za-z0-9_-]+/)" class="secret-link"')
CODE = re.compile(r'<dd class="code">(\d{6})</dd>')


class _FromAddress(requests.adapters.HTTPAdapter):
    """Connections from one loopback address of its own (127.0.0.N): each
    simulated resident is one address, as residents on their phones are, so the
    public page's per-address limits apply to each one as they would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Resident(HttpUser):
    """A resident on a phone: writes a worry, keeps the link and the code, comes
    back to read the replies and to write again. Slower than staff: reading and
    typing on a phone take a while."""

    fixed_count = 20
    wait_time = between(15, 40)

    def on_start(self) -> None:
        n = next(_next_resident)
        self.client.mount("http://", _FromAddress(f"127.0.0.{n}"))
        self.client.headers["Connection"] = "close"
        self.public = self.host.replace("://127.0.0.1:", "://localhost:")
        self.lang = list(RESIDENT_TEXTS)[n % len(RESIDENT_TEXTS)]
        self.link = ""
        self.code = ""
        self.write_first()

    def _page(self, method: str, path: str, name: str, must: str, **kwargs: Any) -> str | None:
        with getattr(self.client, method)(
            self.public + path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return None
            if must not in r.text:
                r.failure(f"page lacks {must!r}")
                return None
            if "Set-Cookie" in r.headers:
                r.failure("the public page set a cookie")
                return None
            r.success()
            return r.text

    def write_first(self) -> None:
        landing = self._page(
            "get", f"/consult/{self.lang}/", "public: landing", 'name="form_token"'
        )
        if landing is None:
            raise StopUser
        form = form_on(landing, f"/consult/{self.lang}/", f"/consult/{self.lang}/")
        if form is None:
            raise StopUser
        gevent.sleep(random.uniform(3, 8))  # writing the worry
        data = form.data(body=random.choice(RESIDENT_TEXTS[self.lang]))
        receipt = self._page(
            "post",
            f"/consult/{self.lang}/",
            "public: write (new thread)",
            'class="code"',
            data=data,
        )
        link, code = SECRET_LINK.search(receipt or ""), CODE.search(receipt or "")
        if not (link and code):
            raise StopUser
        self.link, self.code = link.group(1), code.group(1)

    def read(self) -> str | None:
        self._page("get", self.link, "public: thread (code entry)", 'name="code"')
        Staff.pause(2, 5)  # typing the six digits
        return self._page(
            "post", self.link, "public: thread (read)", 'name="body"', data={"code": self.code}
        )

    @task(3)
    def t_read_replies(self) -> None:
        self.read()

    @task(2)
    def t_write_again(self) -> None:
        page = self.read()
        if page is None:
            return
        form = form_on(page, self.link, self.link)
        if form is None:
            return
        gevent.sleep(random.uniform(3, 8))
        self._page(
            "post",
            self.link,
            "public: write again",
            'name="body"',
            data=form.data(body=random.choice(RESIDENT_TEXTS[self.lang])),
        )
