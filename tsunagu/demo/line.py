"""The demo's LINE official account: obviously fake values, pointing at a local
platform (http://127.0.0.1:8091, e.g. the tests' ``line_platform.py``), so
that the settings page and the LINE channel of the inbox have something to
show and nothing can reach the real LINE."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass

from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.frontdoor.models import LineChannel

DEMO_BOT_USER_ID = "U" + "0" * 28 + "de01"
DEMO_CHANNEL_SECRET = "de" + "0" * 30
DEMO_ACCESS_TOKEN = "demo-token-not-a-real-line-token"
DEMO_API_BASE = "http://127.0.0.1:8091"


@dataclass(frozen=True)
class DemoLine:
    api_base: str
    seconds: float


def load_demo_line(municipality: Municipality) -> DemoLine | None:
    """The demo ward's LINE channel (once: ``None`` when it has one)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        if LineChannel.objects.exists():
            return None
        LineChannel.objects.create(
            bot_user_id=DEMO_BOT_USER_ID,
            channel_secret=DEMO_CHANNEL_SECRET,
            channel_access_token=DEMO_ACCESS_TOKEN,
            api_base=DEMO_API_BASE,
        )
    return DemoLine(api_base=DEMO_API_BASE, seconds=round(clock.monotonic() - started, 1))
