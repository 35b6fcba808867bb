"""The demo ward's online inbox (オンライン相談): a handful of synthetic threads
in different channels and languages — one in Vietnamese, one with a word of
crisis, one answered, one turned into a 相談受付 — the door's settings with
the ward's emergency guidance, and triage rules (Vietnamese and English to
the coordinating section, money and work to 自立相談支援窓口).

Everything is synthetic and written through the services the screens use,
inside the tenant.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from tsunagu.accounts.models import Staff
from tsunagu.consultations.models import (
    ConsentToShare,
    Consultation,
    Consulter,
    Outcome,
    Topic,
    Urgency,
)
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.directory.models import Organization
from tsunagu.frontdoor import inbox, services
from tsunagu.frontdoor.models import FrontDoorSettings, Message, PublicTopic, Thread, TriageRule

GUIDANCE = (
    "命に関わるおそれがあるときは、警察110・救急119へ通報してください。\n"
    "自殺をほのめかす場合は、すぐに係長へ報告し、2人以上で対応します。"
    "返信では相談してくれたことへの感謝を伝え、電話で話せるか、今どこにいるかを尋ねます。"
    "夜間・休日は「よりそいホットライン」（0120-279-338）など24時間の窓口を案内します。\n"
    "虐待・暴力の訴えは、子ども家庭支援センター（児童）・高齢福祉課（高齢者）・"
    "障害福祉課（障害者）へ当日中に連絡します。"
)
NOTICE = "年末年始（12月29日〜1月3日）のご相談への返信は、1月4日以降になります。"

#: (channel, language, topic, the resident's message, hours ago).
THREADS = [
    ("web", "vi", "",
     "Xin chào. Tôi mới mất việc và không biết phải trả tiền nhà tháng sau như thế nào.", 3),
    ("web", "ja", PublicTopic.HEALTH,
     "毎日つらくて、もう死にたいと思うことがあります。誰にも言えずにいます。", 0.3),
    ("web", "ja", PublicTopic.INCOME,
     "派遣の契約が切れて来月から収入がありません。生活費の相談はできますか。", 28),
    ("line", "en", PublicTopic.FAMILY,
     "I am worried about my elderly neighbour. He lives alone and I have not seen him for a week.",
     50),
    ("mail", "ja", PublicTopic.WITHDRAWAL,
     "高校生の娘が学校に行けなくなって二か月になります。どこに相談すればよいか教えてください。", 20),
]  # fmt: skip


@dataclass(frozen=True)
class DemoFrontDoor:
    threads: int
    rules: int
    seconds: float


def _organization(name: str) -> Organization | None:
    return Organization.objects.filter(name=name).first()


def load_demo_frontdoor(municipality: Municipality) -> DemoFrontDoor | None:
    """Write the demo's inbox (once: ``None`` when the ward has triage rules already)."""
    started = clock.monotonic()
    with tenancy.tenant_context(municipality):
        coordinating = Organization.objects.filter(is_coordinating=True).order_by("pk").first()
        coordinator = Staff.objects.filter(username="demo-jimukyoku").first()
        if TriageRule.objects.exists() or coordinating is None or coordinator is None:
            return None
        settings, _created = FrontDoorSettings.objects.get_or_create()
        settings.public_host = settings.public_host or "localhost"
        settings.emergency_guidance = settings.emergency_guidance or GUIDANCE
        settings.public_notice = settings.public_notice or NOTICE
        settings.save()
        rules = [
            inbox.triage_rule_add(actor=coordinator, organization=coordinating, language="vi"),
            inbox.triage_rule_add(actor=coordinator, organization=coordinating, language="en"),
        ]
        independence = _organization("自立相談支援窓口")
        if independence is not None:
            rules += [
                inbox.triage_rule_add(actor=coordinator, organization=independence, topic=topic)
                for topic in (PublicTopic.INCOME, PublicTopic.JOB_SEARCH)
            ]
        now = timezone.now()
        threads = []
        for channel, language, topic, body, hours in THREADS:
            thread = services.open_thread(
                channel=channel,
                language=language,
                topic=topic,
                nickname="",
                mail_address="resident@example.jp" if channel == "mail" else "",
            )
            message = services.receive(thread, body)
            at = now - timedelta(hours=hours)
            Message.objects.filter(pk=message.pk).update(sent_at=at)
            Thread.objects.filter(pk=thread.pk).update(opened_at=at, last_inbound_at=at)
            thread.refresh_from_db()
            threads.append(thread)
        answered, converted = threads[2], threads[3]
        services.reply(
            answered,
            "ご相談ありがとうございます。自立相談支援窓口で生活費や仕事探しのご相談をお受けしています。"
            "平日9時〜17時に窓口へお越しいただくか、ご都合のよい時間をこちらにお書きください。",
            staff=coordinator,
            organization=answered.organization or coordinating,
        )
        inbox.thread_convert(
            actor=coordinator,
            organization=coordinating,
            thread=converted,
            version=converted.version,
            consultation=Consultation(
                consulter=Consulter.NEIGHBOUR,
                main_topic=Topic.CARE,
                summary=inbox.consultation_summary(converted),
                urgency=Urgency.SOON,
                consent_to_share=ConsentToShare.NOT_OBTAINED,
                outcome=Outcome.CONTINUE_HERE,
                unknown_subject="近所に一人で住む高齢の男性（LINEで相談した方の隣人）",
            ),
            topics=[Topic.CARE, Topic.COMMUNITY],
        )
    return DemoFrontDoor(
        threads=len(threads), rules=len(rules), seconds=round(clock.monotonic() - started, 1)
    )
