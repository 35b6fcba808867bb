"""The demo ward: a fictional municipality modelled on the structure table of
seed 000 (its four districts, five businesses, sub-businesses, windows and
departments). Descriptions are our own summaries; all people are synthetic.
"""

from __future__ import annotations

import base64
import io
import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import quote

import qrcode
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.accounts import services as account_services
from tsunagu.accounts.models import Staff
from tsunagu.accounts.roles import Role
from tsunagu.audit.models import AuditAction
from tsunagu.audit.services import audit_record
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.demo.names import synthetic_name
from tsunagu.directory.models import BUSINESS_NAMES, Business, District, Organization, SubBusiness

DEMO_CODE = "999991"
DEMO_NAME = "デモ区"
DEMO_PASSWORD = "tsunagu-demo-2025"

DISTRICTS = ["富坂", "大塚", "本富士", "駒込"]
#: The 町 and 町丁目 each district covers (made up, like the addresses of the
#: demo residents, which are written 「デモ区大塚3-4-5」).
DISTRICT_TOWNS = {
    "富坂": ("富坂", "小日向1丁目", "小日向2丁目"),
    "大塚": ("大塚", "小日向3丁目", "小日向4丁目"),
    "本富士": ("本富士", "本郷1丁目", "本郷2丁目"),
    "駒込": ("駒込", "本郷3丁目", "本郷4丁目"),
}

SOCIAL_WELFARE_COUNCIL = "社会福祉法人デモ区社会福祉協議会"


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    kind: str
    management: str = Organization.Management.DIRECT
    operator: str = ""
    districts: tuple[str, ...] = ()
    parent: str = ""
    is_coordinating: bool = False


D, C, W, K, E = (
    Organization.Kind.DEPARTMENT,
    Organization.Kind.CENTER,
    Organization.Kind.WINDOW,
    Organization.Kind.CONTRACTOR,
    Organization.Kind.EXTERNAL,
)
CONTRACTED = Organization.Management.CONTRACTED

# 外部の関係機関 (fictional): they come to 支援会議 as guests.
POLICE = "デモ中央警察署 生活安全課"
FIRE = "デモ消防署 大塚出張所"
SCHOOL = "区立みどり中学校"
CHOKAI = "大塚さくら町会"
MINSEI = "デモ区民生委員・児童委員協議会"

# Operators of contracted centres are fictional social-welfare corporations.
ORGANIZATIONS = [
    OrganizationSpec("福祉政策課", D, is_coordinating=True),
    OrganizationSpec("高齢福祉課", D),
    OrganizationSpec("障害福祉課", D),
    OrganizationSpec("生活福祉課", D),
    OrganizationSpec("予防対策課", D),
    OrganizationSpec("子育て支援課", D),
    OrganizationSpec("幼児保育課", D),
    OrganizationSpec("児童青少年課", D),
    OrganizationSpec("総務課", D),
    OrganizationSpec("子ども家庭支援センター", C),
    OrganizationSpec("保健サービスセンター", C),
    OrganizationSpec("保健サービスセンター本郷支所", C, parent="保健サービスセンター"),
    OrganizationSpec("教育センター", C),
    OrganizationSpec("自立相談支援窓口", W),
    OrganizationSpec("社会福祉協議会", K, CONTRACTED, SOCIAL_WELFARE_COUNCIL),
    OrganizationSpec(
        "障害者基幹相談支援センター", C, CONTRACTED, "社会福祉法人あおば福祉会"
    ),
    OrganizationSpec("高齢者あんしん相談センター富坂", C, CONTRACTED, "社会福祉法人みどり会", ("富坂",)),
    OrganizationSpec("高齢者あんしん相談センター富坂分室", C, CONTRACTED, "社会福祉法人みどり会", ("富坂",), "高齢者あんしん相談センター富坂"),
    OrganizationSpec("高齢者あんしん相談センター大塚", C, CONTRACTED, "社会福祉法人さくら苑", ("大塚",)),
    OrganizationSpec("高齢者あんしん相談センター大塚分室", C, CONTRACTED, "社会福祉法人さくら苑", ("大塚",), "高齢者あんしん相談センター大塚"),
    OrganizationSpec("高齢者あんしん相談センター本富士", C, CONTRACTED, "社会福祉法人ひかり会", ("本富士",)),
    OrganizationSpec("高齢者あんしん相談センター本富士分室", C, CONTRACTED, "社会福祉法人ひかり会", ("本富士",), "高齢者あんしん相談センター本富士"),
    OrganizationSpec("高齢者あんしん相談センター駒込", C, CONTRACTED, "社会福祉法人つばさ会", ("駒込",)),
    OrganizationSpec("高齢者あんしん相談センター駒込分室", C, CONTRACTED, "社会福祉法人つばさ会", ("駒込",), "高齢者あんしん相談センター駒込"),
    OrganizationSpec(POLICE, E),
    OrganizationSpec(FIRE, E),
    OrganizationSpec(SCHOOL, E),
    OrganizationSpec(CHOKAI, E),
    OrganizationSpec(MINSEI, E),
]  # fmt: skip

ANSHIN = [o.name for o in ORGANIZATIONS if o.name.startswith("高齢者あんしん相談センター")]


@dataclass(frozen=True)
class SubBusinessSpec:
    business: int
    name: str
    legal_basis: str
    content: str
    capacity: tuple[int | None, str, str]
    report_items: tuple[str, ...]
    departments: tuple[str, ...]
    run_by: tuple[str, ...] = field(default=())


SUPPORTING = ("高齢福祉課", "障害福祉課", "保健サービスセンター", "子ども家庭支援センター", "生活福祉課", "福祉政策課", "予防対策課", "社会福祉協議会")  # fmt: skip

SUB_BUSINESSES = [
    SubBusinessSpec(1, "高齢者あんしん相談センター", "法106条の4第2項第1号イ",
        "高齢者の介護・福祉・健康・医療に関する総合相談（地域包括支援センター）。",
        (8, "か所", ""), ("高齢者あんしん相談センター相談実績",), ("高齢福祉課",), tuple(ANSHIN)),
    SubBusinessSpec(1, "障害者基幹相談支援センター", "法106条の4第2項第1号ロ",
        "障害の種別や年齢を問わない障害者（児）と家族の相談支援の中核。",
        (1, "か所", ""), ("総合相談支援業務（合計数のみ）",), ("障害福祉課",), ("障害者基幹相談支援センター",)),
    SubBusinessSpec(1, "利用者支援事業", "法106条の4第2項第1号ハ",
        "妊娠期から子育て期までの切れ目ない相談支援（子ども家庭支援センター・保健サービスセンター）。",
        (3, "か所", ""),
        ("子ども家庭支援センター 総合相談事業（一般相談）", "親子ひろば事業（ひろば利用者数）", "保健サービスセンター ネウボラ相談件数"),
        ("子ども家庭支援センター", "保健サービスセンター"),
        ("子ども家庭支援センター", "保健サービスセンター", "保健サービスセンター本郷支所")),
    SubBusinessSpec(1, "自立相談支援事業", "法106条の4第2項第1号ニ",
        "生活困窮者の課題を整理し、自立支援計画に基づく包括的な支援を調整する。",
        (1, "か所", ""), ("自立相談支援事業新規相談受付", "プラン作成数"), ("生活福祉課",), ("自立相談支援窓口",)),
    SubBusinessSpec(2, "多機関協働事業", "法106条の4第2項第5号・第6号、法106条の6",
        "分野横断の会議体（支援会議・重層的支援会議）を運営し、支援プランの策定とモニタリングを行う。",
        (None, "", ""), ("事務局相談受付件数", "重層的支援会議/支援会議の会議件数（新規・モニタリング）"),
        ("福祉政策課",), ("福祉政策課",)),
    SubBusinessSpec(3, "各支援機関による支援（アウトリーチ）", "法106条の4第2項第4号",
        "来所が難しい人へ継続的に訪問等で働きかけ、相談支援・参加支援につなげる。",
        (None, "", ""), (), SUPPORTING, SUPPORTING),
    SubBusinessSpec(4, "各支援機関による支援（参加支援）", "法106条の4第2項第2号",
        "地域の社会資源と本人のニーズを結び、社会とのつながりの回復を支援する。",
        (None, "", ""), (), (*SUPPORTING, "教育センター"), (*SUPPORTING, "教育センター")),
    SubBusinessSpec(4, "ひきこもり地域共生サポート事業", "",
        "ひきこもり当事者に関われる地域の担い手を広げ、アウトリーチ支援を継続する仕組みづくり。",
        (1, "か所", ""), (), ("生活福祉課",), ("生活福祉課",)),
    SubBusinessSpec(5, "地域介護予防活動支援事業（かよい～の）", "法106条の4第2項第3号イ",
        "おおむね65歳以上の住民が体操などを通じて介護予防と支え合いを進める通いの場。",
        (38, "か所", ""), ("「かよい～の」の数",), ("高齢福祉課", "社会福祉協議会"), ("社会福祉協議会",)),
    SubBusinessSpec(5, "生活支援体制整備事業（生活支援コーディネーター）", "法106条の4第2項第3号ロ",
        "多様な主体による生活支援サービスの提供体制づくりを支援する。",
        (10, "人", "兼務"), ("生活支援コーディネーター活動記録",), ("高齢福祉課", "社会福祉協議会"), ("社会福祉協議会",)),
    SubBusinessSpec(5, "地域活動支援センター", "法106条の4第2項第3号ハ",
        "障害者（児）の日常生活・社会生活を地域の実情に応じて支える活動拠点。",
        (6, "か所", ""), (), ("障害福祉課", "予防対策課"), ()),
    SubBusinessSpec(5, "地域子育て支援拠点事業", "法106条の4第2項第3号ニ",
        "保護者と乳幼児が無料で過ごし、交流や子育て相談ができる拠点。",
        (9, "か所", ""), (), ("子育て支援課", "幼児保育課", "児童青少年課"), ()),
    SubBusinessSpec(5, "生活困窮者の共助の基盤づくり事業（地域福祉コーディネーター）", "法106条の4第2項第3号柱書",
        "制度の狭間にある課題への個人支援と、住民による地域の仕組みづくりの支援。",
        (10, "人", "兼務"), ("新規相談件数（個人・地域）", "地域福祉コーディネーター活動（個人支援・地域支援）"),
        ("福祉政策課", "社会福祉協議会"), ("社会福祉協議会",)),
]  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organizations: tuple[str, ...]
    description: str


DEMO_ACCOUNTS = [
    DemoAccount("demo-soudan", Role.COUNSELOR, ("高齢者あんしん相談センター富坂",), "窓口の相談員"),
    DemoAccount("demo-csw", Role.COUNSELOR, ("社会福祉協議会", "生活福祉課"), "地域福祉コーディネーター（2機関に所属）"),
    DemoAccount("demo-kikan", Role.ORG_MANAGER, ("高齢者あんしん相談センター富坂",), "機関管理者"),
    DemoAccount("demo-jimukyoku", Role.COORDINATOR, ("福祉政策課",), "多機関協働事務局"),
    DemoAccount("demo-kanrishoku", Role.MANAGER, ("福祉政策課",), "管理職（集計のみ）"),
    DemoAccount("demo-sysadmin", Role.SYSADMIN, ("総務課",), "システム管理者"),
    DemoAccount("demo-kansa", Role.AUDITOR, ("総務課",), "監査担当"),
    DemoAccount("demo-guest", Role.GUEST, (POLICE,), "会議の外部ゲスト（次回の支援会議に招待・期限付き）"),
]  # fmt: skip

#: Roles whose demo accounts sign in with a second factor (TOTP), as an
#: installation would require it of those who reach many households, users and
#: the audit trail (セキュリティ設定 → 二要素認証を必須にする役割).
TWO_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.SYSADMIN, Role.AUDITOR})
#: The authenticator key (RFC 6238: SHA-1, 6 digits, 30 seconds) of those demo
#: accounts, one for all three. It is published with their password, in the
#: README and by ``make demo``: the demo shows the second step, it protects nothing.
DEMO_TOTP_KEY = "ORZXK3TBM52S2ZDFNVXS2MTGMEWWWZLZ"

#: How long the demo guest's account lasts from the day the ward is loaded: past
#: the next 支援会議 the demo schedules for it (guests get 31 days at most).
GUEST_DAYS = 30


@transaction.atomic
def load_demo_ward(
    *, code: str = DEMO_CODE, name: str = DEMO_NAME, seed: int = 2025
) -> Municipality:
    """Create the demo ward. Refuses if a municipality with ``code`` exists."""
    if Municipality.objects.filter(code=code).exists():
        raise ValueError(f"自治体コード {code} はすでに登録されています")
    municipality = Municipality.objects.create(code=code, name=name, is_demo=True)
    rng = random.Random(seed)
    with tenancy.tenant_context(municipality):
        audit_record(
            AuditAction.CREATE, municipality=municipality, obj=municipality, actor_label="load_demo"
        )
        districts = {
            name: District.objects.create(
                name=name, sort_order=i, address_prefixes="\n".join(DISTRICT_TOWNS[name])
            )
            for i, name in enumerate(DISTRICTS, start=1)
        }
        businesses = {
            number: Business.objects.create(number=number, name=title)
            for number, title in BUSINESS_NAMES.items()
        }
        organizations: dict[str, Organization] = {}
        for order, spec in enumerate(ORGANIZATIONS, start=1):
            organization = Organization.objects.create(
                name=spec.name,
                kind=spec.kind,
                management=spec.management,
                operator=spec.operator,
                is_coordinating=spec.is_coordinating,
                parent=organizations.get(spec.parent),
                phone=f"03-0000-{1000 + order:04d}",
                sort_order=order,
            )
            organization.districts.set([districts[d] for d in spec.districts])
            organizations[spec.name] = organization
        for order, sub in enumerate(SUB_BUSINESSES, start=1):
            count, unit, note = sub.capacity
            sub_business = SubBusiness.objects.create(
                business=businesses[sub.business],
                name=sub.name,
                legal_basis=sub.legal_basis,
                content=sub.content,
                capacity_count=count,
                capacity_unit=unit,
                capacity_note=note,
                report_items="\n".join(sub.report_items),
                sort_order=order,
            )
            sub_business.departments.set([organizations[d] for d in sub.departments])
            for runner in sub.run_by:
                organizations[runner].sub_businesses.add(sub_business)
        for role in Role:
            account_services.role_security_set(
                actor=None,
                municipality=municipality,
                role=role.value,
                require_two_factor=role in TWO_FACTOR_ROLES,
            )
        for account in DEMO_ACCOUNTS:
            full_name, kana = synthetic_name(rng)
            if account.role == Role.GUEST:
                _guest_create(municipality, account, full_name, kana, organizations)
                continue
            staff = account_services.staff_create(
                actor=None,
                municipality=municipality,
                username=account.username,
                full_name=full_name,
                full_name_kana=kana,
                password=DEMO_PASSWORD,
                validate=False,
            )
            for organization_name in account.organizations:
                account_services.membership_add(
                    actor=None,
                    staff=staff,
                    organization=organizations[organization_name],
                    role=account.role,
                )
            if account.role in TWO_FACTOR_ROLES:
                _authenticator_register(municipality, staff)
    return municipality


def _authenticator_register(municipality: Municipality, staff: Staff) -> TOTPDevice:
    """The demo authenticator of ``staff``, registered as if set up on the account page."""
    device = TOTPDevice.objects.create(
        user=staff,
        name="デモ用認証アプリ",
        key=base64.b32decode(DEMO_TOTP_KEY).hex(),
        confirmed=True,
    )
    audit_record(
        AuditAction.TWO_FACTOR,
        municipality=municipality,
        obj=staff,
        actor_label="load_demo",
        detail={"result": "registered"},
    )
    return device


def demo_totp_url() -> str:
    """The otpauth:// URL of the demo key, which authenticator apps read from a QR code."""
    label = quote(f"tsunagu:{DEMO_NAME}", safe=":")
    return f"otpauth://totp/{label}?secret={DEMO_TOTP_KEY}&issuer=tsunagu"


def demo_two_factor_notice() -> str:
    """What ``load_demo`` prints about signing in with the second factor."""
    usernames = "、".join(a.username for a in DEMO_ACCOUNTS if a.role in TWO_FACTOR_ROLES)
    qr = qrcode.QRCode(border=1)
    qr.add_data(demo_totp_url())
    qr.make(fit=True)
    drawing = io.StringIO()
    qr.print_ascii(out=drawing, invert=True)
    return "\n".join(
        [
            f"二要素認証が必要なアカウント（多機関協働事務局・システム管理者・監査担当）: {usernames}",
            "  パスワードの後に、認証アプリの確認コード（6桁）を入力します。",
            "  デモ用のキーを認証アプリ（Google Authenticator など）に登録してください"
            "（3アカウント共通。次のQRコードを読み取るか、キーを手で入力）:",
            f"  キー: {DEMO_TOTP_KEY}",
            f"  {demo_totp_url()}",
            drawing.getvalue().rstrip("\n"),
            f"  認証アプリがない場合は oathtool --totp -b {DEMO_TOTP_KEY} でも確認コードを得られます。",
        ]
    )


def _guest_create(
    municipality: Municipality,
    account: DemoAccount,
    full_name: str,
    kana: str,
    organizations: dict[str, Organization],
) -> Staff:
    """The demo's external guest: a time-limited account at an external organization,
    as meetings.services.guest_invite makes one, but with a known login so that the
    demo can show what a guest sees (guest_invite needs a meeting, which the ward
    does not have yet; the demo cases invite this account to their next 支援会議)."""
    last_day = timezone.localdate() + timedelta(days=GUEST_DAYS)
    expires_at = timezone.make_aware(datetime.combine(last_day, time(23, 59)))
    guest = Staff(
        municipality=municipality,
        username=account.username,
        full_name=full_name,
        full_name_kana=kana,
        is_guest=True,
        expires_at=expires_at,
    )
    guest.set_password(DEMO_PASSWORD)
    guest.save()
    audit_record(
        AuditAction.CREATE,
        municipality=municipality,
        obj=guest,
        actor_label="load_demo",
        detail={"guest": True, "expires_at": expires_at.isoformat()},
    )
    for organization_name in account.organizations:
        account_services.membership_add(
            actor=None,
            staff=guest,
            organization=organizations[organization_name],
            role=account.role,
        )
    return guest


def demo_logins() -> list[tuple[DemoAccount, Staff | None]]:
    found = {
        s.username: s
        for s in Staff.all_tenants.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    }
    return [(account, found.get(account.username)) for account in DEMO_ACCOUNTS]
