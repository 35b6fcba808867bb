"""API of the reports (business)."""

# No `from __future__ import annotations` here: django-ninja reads the
# endpoint annotations at import time through the policy wrapper.

from ninja import Router

router = Router(tags=["reports"])
