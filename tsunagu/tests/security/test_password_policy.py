"""The password policy of settings (12 characters at least, not a common
password, not digits only, not like the login ID or the name) applies where
passwords are set: on one's own account page and when the system
administrator registers a staff member or sets a new password. Refusals are
shown on the form in Japanese; nothing is saved."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.tests.factories import PASSWORD, Ward

#: (password, what the form must say).
WEAK = {
    "too short": ("tsunagu-25", "このパスワードは短すぎます。最低 12 文字以上必要です。"),
    "common": ("password1234", "このパスワードは一般的すぎます。"),
    "digits only": ("209384756102", "このパスワードは数字しか使われていません。"),
}
STRONG = "kasumi-no-mori-2025"


def test_the_product_has_the_four_validators() -> None:
    import tsunagu.settings as product

    names = [v["NAME"].rsplit(".", 1)[1] for v in product.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    length = next(v for v in product.AUTH_PASSWORD_VALIDATORS if "MinimumLength" in v["NAME"])
    assert length["OPTIONS"]["min_length"] >= 12
    similar = product.AUTH_PASSWORD_VALIDATORS[0]["OPTIONS"]["user_attributes"]
    assert {"username", "full_name", "full_name_kana", "email"} <= set(similar)


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(WEAK))
def test_changing_one_s_own_password_follows_the_policy(ward: Ward, case: str) -> None:
    staff = ward.member(Role.COUNSELOR)
    client = Client()
    client.force_login(staff)
    weak, says = WEAK[case]
    response = client.post(
        "/account/", {"form": "password", "password": weak, "confirmation": weak}
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    staff.refresh_from_db()
    assert check_password(PASSWORD, staff.password)

    response = client.post(
        "/account/", {"form": "password", "password": STRONG, "confirmation": STRONG}
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert check_password(STRONG, staff.password)


@pytest.mark.django_db
def test_one_s_own_password_may_not_be_like_one_s_login_id(ward: Ward) -> None:
    staff = ward.member(Role.COUNSELOR)
    Staff.all_tenants.filter(pk=staff.pk).update(username="sakura-minami")
    staff.refresh_from_db()
    client = Client()
    client.force_login(staff)
    like = "sakura-minami1"
    response = client.post(
        "/account/", {"form": "password", "password": like, "confirmation": like}
    )
    assert response.status_code == 200
    assert "このパスワードは ログインID と似すぎています。" in response.content.decode()
    staff.refresh_from_db()
    assert check_password(PASSWORD, staff.password)


def _new_staff(password: str, ward: Ward, **fields: str) -> dict[str, str]:
    values = {
        "username": "yamada-hanako",
        "full_name": "山田 花子",
        "full_name_kana": "やまだ はなこ",
        "email": "",
        "is_active": "on",
        "password": password,
        "organization": str(ward.center.pk),
        "role": Role.COUNSELOR.value,
    }
    values.update(fields)
    return values


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [*sorted(WEAK), "like the login ID", "like the e-mail address"],
)
def test_the_system_administrator_registers_staff_under_the_policy(ward: Ward, case: str) -> None:
    client = Client()
    client.force_login(ward.member(Role.SYSADMIN))
    if case == "like the login ID":
        data, says = _new_staff("yamada-hanako-1", ward), "ログインID と似すぎています。"
    elif case == "like the e-mail address":
        data = _new_staff("kurumi.tsubasa", ward, email="kurumi.tsubasa@example.jp")
        says = "メールアドレス と似すぎています。"
    else:
        weak, says = WEAK[case]
        data = _new_staff(weak, ward)
    response = client.post("/account/staff/new/", data)
    assert response.status_code == 200, response.get("Location")
    assert says in response.content.decode()
    assert not Staff.all_tenants.filter(username=data["username"]).exists()

    response = client.post("/account/staff/new/", {**data, "password": STRONG})
    assert response.status_code == 302
    created = Staff.all_tenants.get(username=data["username"])
    assert check_password(STRONG, created.password)
    assert Membership.all_tenants.filter(staff=created, role=Role.COUNSELOR).exists()


@pytest.mark.django_db
def test_the_system_administrator_sets_a_new_password_under_the_policy(ward: Ward) -> None:
    client = Client()
    client.force_login(ward.member(Role.SYSADMIN))
    counselor = ward.member(Role.COUNSELOR)
    for weak, says in WEAK.values():
        response = client.post(
            f"/account/staff/{counselor.pk}/",
            {"form": "password", "password": weak, "confirmation": weak},
        )
        assert response.status_code == 200
        assert says in response.content.decode()
    counselor.refresh_from_db()
    assert check_password(PASSWORD, counselor.password)
