"""The LINE channel's settings page (system administrator).

Declared as ``security_settings``: the channel's secret and token are
credentials like the security settings, so the same rule (the system
administrator alone) governs them; no other staff member sees even the page.
The secret and token are write-only: the page says whether they are set,
never what they are.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from tsunagu import policy
from tsunagu.core.http import StaffRequest
from tsunagu.frontdoor.line.forms import LineChannelForm
from tsunagu.frontdoor.line.services import line_channel_set
from tsunagu.frontdoor.models import FrontDoorSettings, LineChannel


# Django's error reports (if a handler ever prints a request) star these out.
@sensitive_post_parameters("channel_secret", "channel_access_token")
@policy.route("security_settings", policy.Action.CHANGE)
def line_settings(request: StaffRequest) -> HttpResponse:
    channel = LineChannel.objects.first()
    initial = (
        {"bot_user_id": channel.bot_user_id, "api_base": channel.api_base, "active": channel.active}
        if channel
        else {"api_base": "https://api.line.me", "active": True}
    )
    form = LineChannelForm(request.POST or None, initial=initial, secrets_set=channel is not None)
    if request.method == "POST" and form.is_valid():
        line_channel_set(actor=request.user, **form.cleaned_data)
        messages.success(request, _("LINE公式アカウントの設定を保存しました。"))
        return redirect("line:settings")
    door = FrontDoorSettings.objects.first()
    webhook_url = f"https://{door.public_host}/hooks/line/" if door and door.public_host else ""
    return render(
        request,
        "frontdoor/line/settings.html",
        {"form": form, "channel": channel, "webhook_url": webhook_url},
    )
