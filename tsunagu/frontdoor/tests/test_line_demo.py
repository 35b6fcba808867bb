"""The demo's LINE channel: fake, local, and loaded once."""

from __future__ import annotations

import pytest

from tsunagu.core import tenancy
from tsunagu.demo.line import load_demo_line
from tsunagu.frontdoor.line.forms import LineChannelForm
from tsunagu.frontdoor.models import LineChannel
from tsunagu.tests.factories import Ward


@pytest.mark.django_db
def test_the_demo_channel_is_local_valid_and_loaded_once(ward: Ward) -> None:
    assert load_demo_line(ward.municipality) is not None
    assert load_demo_line(ward.municipality) is None
    with tenancy.tenant_context(ward.municipality):
        channel = LineChannel.objects.get()
    assert channel.api_base.startswith("http://127.0.0.1:")
    # The values are what the settings page itself would take.
    form = LineChannelForm(
        {
            "bot_user_id": channel.bot_user_id,
            "api_base": channel.api_base,
            "channel_secret": channel.channel_secret,
            "channel_access_token": channel.channel_access_token,
            "active": "on",
        }
    )
    assert form.is_valid(), form.errors
