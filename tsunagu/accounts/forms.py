from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tsunagu.accounts.models import Membership, NoticeKind, NoticeMode, Staff
from tsunagu.accounts.roles import Role
from tsunagu.core.forms_base import AccessibleFormMixin, StyledForm, StyledModelForm
from tsunagu.directory.models import Organization


def _check_password_strength(form: forms.BaseForm, password: str | None, staff: Staff) -> None:
    """The password policy of settings (length, common words, digits only), at the field."""
    if not password:
        return
    try:
        validate_password(password, staff)
    except forms.ValidationError as error:
        form.add_error("password", error)


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "ログインIDまたはパスワードが正しくありません。続けて間違えると一定時間ログインできなくなります。"
        ),
        "inactive": _("このアカウントは無効です。システム管理者に連絡してください。"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("ログインID")
        # No autofocus: keyboard users must meet the skip link first (JIS X 8341-3).
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["password"].label = _("パスワード")


class TokenForm(StyledForm):
    token = forms.CharField(
        label=_("確認コード（6桁）"),
        max_length=6,
        min_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("6桁の数字を入力してください"))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_token(self) -> str:
        # Authenticator apps show the code in groups; staff type what they see.
        return str(self.cleaned_data["token"]).replace(" ", "")


class StaffForm(StyledModelForm):
    class Meta:
        model = Staff
        fields = ["username", "full_name", "full_name_kana", "email", "is_active"]
        widgets = {"username": forms.TextInput(attrs={"autocomplete": "off"})}

    username = forms.CharField(
        label=_("ログインID"),
        max_length=64,
        validators=[
            RegexValidator(r"^[A-Za-z0-9._-]+$", _("半角英数字と . _ - で入力してください"))
        ],
        help_text=_("半角英数字と . _ - が使えます"),
    )


class StaffCreateForm(StaffForm):
    password = forms.CharField(
        label=_("初期パスワード"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("12文字以上。推測されやすいものや数字だけのものは使えません。"),
    )
    organization = forms.ModelChoiceField(label=_("所属機関"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("役割"), choices=Role.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(archived_at=None)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The instance gets the cleaned fields only after clean(): check the
        # password against the name and login ID being entered.
        newcomer = Staff(
            username=cleaned.get("username", ""),
            full_name=cleaned.get("full_name", ""),
            full_name_kana=cleaned.get("full_name_kana", ""),
            email=cleaned.get("email", ""),
        )
        _check_password_strength(self, cleaned.get("password"), newcomer)
        return cleaned


class MembershipForm(StyledModelForm):
    class Meta:
        model = Membership
        fields = ["organization", "role"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(archived_at=None)  # type: ignore[attr-defined]


class PasswordSetForm(StyledForm):
    password = forms.CharField(
        label=_("新しいパスワード"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("12文字以上。推測されやすいものや数字だけのものは使えません。"),
    )
    confirmation = forms.CharField(
        label=_("新しいパスワード（確認）"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, staff: Staff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirmation = cleaned.get("password"), cleaned.get("confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("confirmation", _("確認のパスワードが一致しません"))
        else:
            _check_password_strength(self, password, self.staff)
        return cleaned


class RoleSecurityForm(StyledForm):
    session_minutes = forms.IntegerField(
        label=_("無操作で自動ログアウトするまでの分数"),
        min_value=5,
        max_value=30,
        help_text=_("5〜30分。窓口の共用端末を想定して短めに設定してください。"),
    )
    roles = forms.MultipleChoiceField(
        label=_("二要素認証を必須にする役割"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "チェックした役割の職員は、ログインのたびに認証アプリの確認コードが必要になります。"
        ),
    )
    # Not required: a form posted without it (an older page) leaves the period as it is.
    retention_years = forms.IntegerField(
        label=_("記録の保存期間（終結後の年数）"),
        min_value=1,
        max_value=30,
        required=False,
        error_messages={
            "min_value": _("保存期間は1〜30年の範囲で入力してください。"),
            "max_value": _("保存期間は1〜30年の範囲で入力してください。"),
            "invalid": _("保存期間は1〜30年の範囲で、半角数字で入力してください。"),
        },
        help_text=_(
            "1〜30年。終結からこの年数を過ぎた世帯・ケース・相談の個人情報は、毎日の自動処理で"
            "匿名化されます（件数と日付は残り、報告の数字は変わりません）。"
        ),
    )


class ApiTokenForm(StyledForm):
    name = forms.CharField(label=_("用途"), max_length=60, help_text=_("例: 集計用スクリプト"))
    days = forms.IntegerField(label=_("有効日数"), min_value=1, max_value=365, initial=90)


class NoticeSettingsForm(StyledForm):
    """The staff member's e-mail notices: where to, how often, of what."""

    email = forms.EmailField(
        label=_("通知を受け取るメールアドレス"),
        required=False,
        help_text=_(
            "庁内・機関内のアドレス。通知には件数とリンクだけを載せ、氏名や相談内容は載せません。"
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    notice_mode = forms.ChoiceField(
        label=_("メール通知"), choices=NoticeMode.choices, widget=forms.RadioSelect
    )
    notice_kinds = forms.MultipleChoiceField(
        label=_("通知する内容"),
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("notice_mode")
        if mode and mode != NoticeMode.OFF:
            if not cleaned.get("email") and "email" not in self.errors:
                self.add_error(
                    "email", _("メール通知を受け取るには、メールアドレスを入力してください。")
                )
            if not cleaned.get("notice_kinds") and "notice_kinds" not in self.errors:
                self.add_error("notice_kinds", _("通知する内容を1つ以上選んでください。"))
        return cleaned
