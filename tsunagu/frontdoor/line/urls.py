"""LINE's routes: the webhook (public host) and the channel's settings page (staff host)."""

from django.urls import path

from tsunagu.frontdoor.line import settings_views, webhook

#: Served on the municipality's public host, under /hooks/ (frontdoor.public_urls).
hook_patterns = [
    path("line/", webhook.line_webhook, name="line_webhook"),
]

#: Staff pages, mounted under /settings/line/ in the namespace "line".
settings_patterns = [
    path("", settings_views.line_settings, name="settings"),
]
