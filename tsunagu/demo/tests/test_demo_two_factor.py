"""`make demo` tells how to sign in as the demo's 多機関協働事務局, システム管理者
and 監査担当, whose role requires two-factor authentication in the demo ward."""

from __future__ import annotations

from tsunagu.core.models import Municipality
from tsunagu.demo.tests.conftest import Loaded
from tsunagu.demo.ward import DEMO_TOTP_KEY, demo_totp_url


def test_load_demo_prints_the_key_and_marks_the_accounts(
    loaded: Loaded, demo: Municipality
) -> None:
    output = loaded.output
    assert f"キー: {DEMO_TOTP_KEY}" in output
    assert demo_totp_url() in output
    marked = {
        line.split()[0] for line in output.splitlines() if line.rstrip().endswith("※二要素認証")
    }
    assert marked == {"demo-jimukyoku", "demo-sysadmin", "demo-kansa"}
