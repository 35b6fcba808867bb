"""Signing in test clients as staff who have an authenticator (the demo's
多機関協働事務局, システム管理者 and 監査担当 must give a code)."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts.models import Staff


def force_login_verified(client: Client, staff: Staff) -> Client:
    """``client.force_login(staff)``, and where ``staff`` has a confirmed
    authenticator, the session verified with it as the code would verify it."""
    client.force_login(staff)
    device = TOTPDevice.objects.filter(user=staff, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def current_code(device: TOTPDevice, drift: int = 0) -> str:
    """The code an authenticator app shows for ``device`` now (``drift`` steps on)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + drift)
    return f"{value:0{device.digits}d}"
