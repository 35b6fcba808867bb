"""The public pages of オンライン相談 (served on the public host only).

No sign-in, no cookie: the language is the URL's prefix, a form carries a
signed token and a honeypot in place of a CSRF cookie, and the resident's
short code travels with each of their POSTs (a hidden field once entered).
The receipt is drawn from the POST itself (the code is never in a URL).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from tsunagu import policy
from tsunagu.core.unavailable import RETRY_AFTER_SECONDS, connection_lost
from tsunagu.frontdoor import public
from tsunagu.frontdoor.models import Language, Status, Thread
from tsunagu.frontdoor.publichost import INDEXABLE

LANGUAGE_NAMES = dict(Language.choices)


def _languages(lang: str, suffix: str) -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "html_lang": public.HTML_LANG[code],
            "url": f"/consult/{code}/{suffix}",
            "current": code == lang,
        }
        for code in public.LANGUAGES
    ]


def page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    suffix: str = "",
) -> HttpResponse:
    """A public page in the current language, with the switcher and the emergency numbers."""
    door = public.door_settings()
    frame = _frame(request, suffix, door.public_notice if door else "")
    return render(request, template, {**frame, **context}, status=status)


def _frame(request: HttpRequest, suffix: str, notice: str) -> dict[str, Any]:
    """What every public page shows around its content, in the current language."""
    lang = translation.get_language()
    return {
        "lang": lang,
        "html_lang": public.HTML_LANG.get(lang, "ja"),
        "languages": _languages(lang, suffix),
        "municipality": getattr(request, "public_municipality", None),
        "emergency_numbers": public.EMERGENCY_NUMBERS,
        "notice": notice,
    }


def public_page(
    reason: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A public page: declared to the policy as public (``reason``), no CSRF
    cookie, drawn in the language its URL names."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, lang: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if lang not in public.LANGUAGES:
                raise Http404
            with translation.override(lang):
                response = view(request, lang, *args, **kwargs)
            response.headers["Content-Language"] = public.HTML_LANG[lang]
            return response

        return policy.public_route(reason)(csrf_exempt(wrapped))

    return decorate


@policy.public_route("住民がオンライン相談を始める入口（言語を選ぶ）")
def consult_root(request: HttpRequest) -> HttpResponse:
    lang = public.pick_language(request.headers.get("Accept-Language", ""))
    response = HttpResponseRedirect(f"/consult/{lang}/")
    patch_vary_headers(response, ("Accept-Language",))
    return response


def refused_upload(request: HttpRequest) -> HttpResponse | None:
    """415 for a POST that is not a plain form (a file, a multipart body), else None."""
    if request.method == "POST" and request.content_type != "application/x-www-form-urlencoded":
        return page(
            request,
            "frontdoor/public/error.html",
            {"message": public.NO_FILES},
            status=415,
        )
    return None


def _landing(
    request: HttpRequest, form: dict[str, Any], errors: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = page(
        request,
        "frontdoor/public/landing.html",
        {
            "form": form,
            "errors": errors,
            "topics": public.TOPICS,
            "districts": public.districts(),
            "form_token": public.form_token(request.public_municipality),  # type: ignore[attr-defined]
            "accepting": public.accepting(),
            "honeypot": public.HONEYPOT,
            "body_max": public.BODY_MAX,
            "nickname_max": public.NICKNAME_MAX,
            "contact_max": public.CONTACT_MAX,
        },
        status=status,
    )
    if request.method == "GET":
        setattr(response, INDEXABLE, True)
    return response


def too_many(request: HttpRequest) -> HttpResponse:
    """429: the address wrote too often in the last hour."""
    response = page(
        request, "frontdoor/public/error.html", {"message": public.RATE_LIMITED}, status=429
    )
    response.headers["Retry-After"] = "3600"
    return response


@public_page("住民が名乗らずに相談を書いて送る公開ページ（サインインなし）")
def landing(request: HttpRequest, lang: str) -> HttpResponse:
    if request.method == "GET":
        return _landing(request, {}, {})
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    refused = refused_upload(request)
    if refused:
        return refused
    data = request.POST
    form = {
        name: data.get(name, "") for name in ("body", "topic", "district", "nickname", "contact")
    }
    if not public.accepting():
        return _landing(request, form, {"__all__": public.NOT_ACCEPTING}, status=403)
    if data.get(public.HONEYPOT):
        return _landing(request, form, {"__all__": public.FORM_REFUSED}, status=400)
    token_error = public.form_token_error(
        data.get("form_token", ""),
        request.public_municipality,  # type: ignore[attr-defined]
    )
    if token_error:
        return _landing(request, form, {"__all__": token_error}, status=400)
    district_id: int | None = None
    errors: dict[str, Any] = {}
    if form["district"]:
        try:
            district_id = int(form["district"])
        except ValueError:
            errors["district"] = public.BAD_CHOICE
    new = public.NewThread(
        body=form["body"],
        topic=form["topic"],
        district_id=district_id,
        nickname=form["nickname"],
        contact=form["contact"],
    )
    errors = {**new.errors(), **errors}
    if errors:
        return _landing(request, form, errors, status=400)
    address = public.address_hash(request)
    if not public.may_open_thread(address):
        return too_many(request)
    thread, token, code = public.open_web_thread(new, language=lang, address=address)
    link = f"/consult/{lang}/t/{token}/"
    return page(
        request,
        "frontdoor/public/receipt.html",
        {
            "thread": thread,
            "link": link,
            "absolute_link": request.build_absolute_uri(link),
            "code": code,
        },
    )


def _thread_page(
    request: HttpRequest,
    thread: Thread,
    code: str,
    token: str,
    *,
    body: str = "",
    error: Any = None,
    sent: bool = False,
    status: int = 200,
) -> HttpResponse:
    return page(
        request,
        "frontdoor/public/thread.html",
        {
            "thread": thread,
            "messages_": public.conversation(thread),
            "code": code,
            "body": body,
            "error": error,
            "sent": sent,
            "closed": thread.status == Status.CLOSED,
            "body_max": public.BODY_MAX,
            "token": token,
        },
        status=status,
        suffix=f"t/{token}/",
    )


@public_page("住民が秘密のリンクと番号で自分の相談だけを読み、もう一度書くページ")
def thread(request: HttpRequest, lang: str, token: str) -> HttpResponse:
    suffix = f"t/{token}/"
    if request.method == "GET":
        return page(request, "frontdoor/public/code.html", {"error": None}, suffix=suffix)
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    refused = refused_upload(request)
    if refused:
        return refused
    code = request.POST.get("code", "")[:20]
    access = public.open_own_thread(token, code)
    if access.thread is None:
        return page(
            request,
            "frontdoor/public/code.html",
            {"error": public.LOCKED if access.locked else public.WRONG_CODE},
            status=403,
            suffix=suffix,
        )
    own = access.thread
    if "body" not in request.POST:
        return _thread_page(request, own, code, token)
    body = request.POST.get("body", "")
    error = public.text_error(body, public.BODY_MAX, required=True)
    if error:
        return _thread_page(request, own, code, token, body=body, error=error, status=400)
    address = public.address_hash(request)
    if not public.may_write(address, own):
        return too_many(request)
    public.write_again(own, body, address=address)
    own.refresh_from_db()
    return _thread_page(request, own, code, token, sent=True)


def _language_of(request: HttpRequest) -> str:
    parts = request.path_info.split("/")
    if len(parts) > 2 and parts[1] == "consult" and parts[2] in public.LANGUAGES:
        return parts[2]
    return "ja"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404`` of the public host: in the language of the path, if any."""
    if request.path_info.startswith("/consult/api/"):
        return JsonResponse({"detail": "見つかりません。"}, status=404)
    with translation.override(_language_of(request)):
        message = translation.gettext("ページが見つかりません。")
        return page(request, "frontdoor/public/error.html", {"message": message}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500`` of the public host.

    A resident who meets an error may be the one in crisis: the answer is in
    the language of the path, says that what they wrote may not have been
    received, and keeps the emergency numbers. Nothing is read from the
    database, which may be the fault (the municipality's own notice is left
    out): a database that cannot be reached is a wait, 503 with
    ``Retry-After``, as on the staff side (:mod:`tsunagu.core.unavailable`).
    """
    error = sys.exc_info()[1]
    waiting = error is not None and connection_lost(error)
    status = 503 if waiting else 500
    with translation.override(_language_of(request)):
        message = translation.gettext(
            "いまは表示できません。書いた内容は届いていないかもしれません。"
            "少し時間をおいて、もう一度お試しください。"
        )
        response: HttpResponse
        if request.path_info.startswith("/consult/api/"):
            response = JsonResponse({"detail": message}, status=status)
        else:
            body = loader.render_to_string(
                "frontdoor/public/error.html", {**_frame(request, "", ""), "message": message}
            )
            response = HttpResponse(body, status=status)
    if waiting:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
