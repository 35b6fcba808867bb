"""Taking an Open Referral HSDS 3.0 file into the resource directory (the
export is the API under /api/v1/hsds/)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu import policy
from tsunagu.core.forms_base import StyledForm
from tsunagu.core.http import StaffRequest
from tsunagu.core.jsoninput import too_deep_message
from tsunagu.resources import hsds

#: Directory exports are small; a file far larger than that is a mistake.
MAX_BYTES = 10 * 1024 * 1024
AUTO = "auto"


class HsdsImportForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("HSDS 3.0 の JSON ファイル"),
        help_text=gettext_lazy(
            "サービス・団体・場所・サービスの実施場所（単体またはページ形式）、"
            "表形式の JSON を選んでください。同じ ID のものは更新されます。"
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("データの種類"),
        initial=AUTO,
        choices=[(AUTO, gettext_lazy("自動で判別する")), *hsds.KINDS.items()],
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（10MBまで）。"))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("文字コードを読み取れません。UTF-8 の JSON ファイルを選んでください。")
            ) from None
        try:
            return json.loads(text)
        except RecursionError:
            raise forms.ValidationError(too_deep_message()) from None
        except ValueError as error:
            line = getattr(error, "lineno", None)
            column = getattr(error, "colno", None)
            if line is not None:
                raise forms.ValidationError(
                    _(
                        "JSON として読み取れません（%(line)s行目 %(column)s文字目付近）。"
                        "HSDS 3.0 の JSON ファイルか確認してください。"
                    )
                    % {"line": line, "column": column}
                ) from None
            raise forms.ValidationError(_("JSON として読み取れません。")) from None


@policy.route("resource", policy.Action.CREATE)
def hsds_import(request: StaffRequest) -> HttpResponse:
    """Upload a file; on success the page shows what was created and updated,
    on refusal why (and nothing is written)."""
    form = HsdsImportForm(request.POST or None, request.FILES or None)
    result = None
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = hsds.import_document(
                form.cleaned_data["file"],
                actor=request.user,
                kind=None if form.cleaned_data["kind"] == AUTO else form.cleaned_data["kind"],
                source="page",
            )
        except hsds.HsdsImportError as error:
            errors = error.messages
        else:
            form = HsdsImportForm()
    return render(
        request,
        "resources/hsds_import.html",
        {
            "form": form,
            "result": result,
            "kind_label": hsds.KINDS.get(result.kind, "") if result else "",
            "errors": errors,
        },
        status=422 if request.method == "POST" and result is None else 200,
    )
