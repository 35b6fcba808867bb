"""The LINE channel's settings form: the secret and the token are write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from tsunagu.core.forms_base import StyledForm

PASTE_HELP = _("LINE Developersで発行された値を貼り付けてください。")
KEEP_HELP = _("設定済みです（表示しません）。変更するときだけ入力してください。")


class SecretInput(forms.PasswordInput):
    """Never rendered back, not even after an error on another field."""

    def __init__(self) -> None:
        super().__init__(render_value=False, attrs={"autocomplete": "new-password"})


class LineChannelForm(StyledForm):
    bot_user_id = forms.CharField(
        label=_("ボットのユーザーID"),
        max_length=64,
        validators=[
            RegexValidator(
                r"^U[0-9a-f]{32}$",
                _(
                    "ボットのユーザーIDは「U」と英数字32文字です（LINE Developersの「Your user ID」）。"
                ),
            )
        ],
        help_text=_("LINE Developersのチャネル基本設定にある「Your user ID」（Uで始まる33文字）"),
    )
    api_base = forms.URLField(
        label=_("Messaging APIのURL"),
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("通常は https://api.line.me 。庁内の中継サーバーを経由する場合はそのURL"),
    )
    channel_secret = forms.CharField(
        label=_("チャネルシークレット"),
        max_length=128,
        widget=SecretInput(),
        help_text=PASTE_HELP,
        validators=[
            RegexValidator(
                r"^[0-9a-f]{32}$", _("チャネルシークレットは英数字32文字です（a〜f と 0〜9）。")
            )
        ],
        strip=True,
    )
    channel_access_token = forms.CharField(
        label=_("チャネルアクセストークン（長期）"),
        max_length=512,
        widget=SecretInput(),
        help_text=PASTE_HELP,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9+/=._-]{20,512}$",
                _("チャネルアクセストークンは英数字と記号（+ / = . _ -）で20文字以上です。"),
            )
        ],
        strip=True,
    )
    active = forms.BooleanField(
        label=_("有効（LINEからの相談を受け付け、返信をLINEで送る）"), required=False
    )

    def __init__(self, *args: Any, secrets_set: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("channel_secret", "channel_access_token"):
            field = self.fields[name]
            if secrets_set:
                # Blank keeps what is stored.
                field.required = False
                field.help_text = KEEP_HELP
