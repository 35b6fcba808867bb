"""オンライン相談 (thread): a conversation a resident starts on the public page,
by LINE or by mail, until staff close it or turn it into a 相談受付.

What a resident writes is personal data from the moment it arrives (access.md):
staff read a thread only through the policy, every read is audited, and the
public side reaches nothing but the resident's own thread, by its secret link
and short code (stored here only as hashes).

Every table carries ``municipality`` and keeps it in its unique keys.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import HistoryEvent, TenantModel


class Channel(models.TextChoices):
    WEB = "web", _("相談フォーム")
    LINE = "line", _("LINE")
    MAIL = "mail", _("メール")


class Language(models.TextChoices):
    """The languages of the public page (each with a gettext catalogue)."""

    JA = "ja", "日本語"
    EASY_JA = "ja-easy", "やさしい日本語"
    EN = "en", "English"
    ZH_HANS = "zh-hans", "中文（简体）"
    KO = "ko", "한국어"
    VI = "vi", "Tiếng Việt"
    PT_BR = "pt-br", "Português"


class PublicTopic(models.TextChoices):
    """What a resident may say the worry is about (optional), in the resident's
    words; each is a 相談内容 of the intake sheet, so a thread turned into a
    consultation keeps it, and the triage rules choose among the same."""

    INCOME = "income", _("お金・生活費のこと")
    HOUSING = "housing", _("住まいのこと")
    JOB_SEARCH = "job_search", _("仕事のこと")
    HEALTH = "health", _("体や心の健康のこと")
    FAMILY = "family", _("家族のこと")
    CHILDCARE = "childcare", _("子育てのこと")
    CARE = "care", _("介護のこと")
    WITHDRAWAL = "withdrawal", _("ひきこもり・不登校のこと")
    ABUSE = "abuse", _("暴力・虐待のこと")


class Status(models.TextChoices):
    OPEN = "open", _("対応中")
    CLOSED = "closed", _("終了")
    CONVERTED = "converted", _("相談受付にした")


class Thread(TenantModel):
    """One resident's conversation with the municipality."""

    channel = models.CharField(_("経路"), max_length=10, choices=Channel.choices)
    language = models.CharField(
        _("言語"), max_length=10, choices=Language.choices, default=Language.JA
    )
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.OPEN)
    #: The window that answers now (None: the coordinating section triages it).
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("担当窓口"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="threads",
    )
    topic = models.CharField(
        _("相談したいこと"), max_length=40, choices=PublicTopic.choices, blank=True
    )
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("圏域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    nickname = models.CharField(_("お名前（呼び名）"), max_length=50, blank=True)
    contact = models.CharField(_("連絡方法"), max_length=200, blank=True)
    #: Public side: sha256 of the secret link's token, and a hash of the short code.
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    code_hash = models.CharField(max_length=128, blank=True, editable=False)
    failed_code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    #: Mail: the resident's address and the token of the reply address (soudan+<token>@).
    mail_address = models.EmailField(_("メールアドレス"), blank=True)
    mail_token = models.CharField(max_length=32, blank=True, editable=False)
    line_contact = models.ForeignKey(
        "frontdoor.LineContact",
        verbose_name=_("LINEの友だち"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="threads",
    )
    crisis = models.BooleanField(_("危機の言葉"), default=False)
    crisis_words = models.JSONField(default=list, blank=True, editable=False)
    opened_at = models.DateTimeField(_("受信日時"), default=timezone.now)
    last_inbound_at = models.DateTimeField(_("最後の受信"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("最初の返信"), null=True, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("相談受付"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="thread",
    )
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("オンライン相談")
        verbose_name_plural = _("オンライン相談")
        ordering = ["-crisis", "opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "token_hash"],
                condition=~models.Q(token_hash=""),
                name="frontdoor_thread_token_unique",
            ),
            models.UniqueConstraint(
                fields=["municipality", "mail_token"],
                condition=~models.Q(mail_token=""),
                name="frontdoor_thread_mail_token_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "organization"]),
        ]

    def __str__(self) -> str:
        return str(_("オンライン相談 %(number)s")) % {"number": self.number}

    @property
    def number(self) -> str:
        """受付番号 shown to staff (never a secret)."""
        return f"W{self.pk:06d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN


class Direction(models.TextChoices):
    INBOUND = "in", _("住民から")
    OUTBOUND = "out", _("職員から")


class Delivery(models.TextChoices):
    """How an outbound message left (web replies are read on the page)."""

    ON_PAGE = "page", _("ページで表示")
    PENDING = "pending", _("送信待ち")
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("送信できなかった")


class Message(TenantModel):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("向き"), max_length=3, choices=Direction.choices)
    body = FreeTextField(_("本文"), max_length=4000)
    sent_at = models.DateTimeField(_("日時"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("返信した職員"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("返信した窓口"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    delivery = models.CharField(
        _("送信"), max_length=10, choices=Delivery.choices, default=Delivery.ON_PAGE
    )
    delivery_error = models.CharField(max_length=200, blank=True)
    #: LINE message id, or the mail's Message-ID (deduplication, threading).
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("メッセージ")
        verbose_name_plural = _("メッセージ")
        ordering = ["sent_at", "pk"]
        indexes = [models.Index(fields=["municipality", "thread", "sent_at"])]


class EventKind(models.TextChoices):
    RECEIVED = "received", _("受信")
    REPLIED = "replied", _("返信")
    HANDED_OVER = "handed_over", _("担当窓口の変更")
    CONVERTED = "converted", _("相談受付にした")
    CLOSED = "closed", _("終了")
    REOPENED = "reopened", _("再開")
    ANONYMISED = "anonymised", _("匿名化")


class ThreadEvent(HistoryEvent):
    """What happened to a thread, by whom and for which window (append-only)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="events")
    #: None for what the resident did (a message received, a thread reopened) and
    #: for the retention job: no staff member acted.
    actor = models.ForeignKey(  # type: ignore[assignment]
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(  # type: ignore[assignment]
        "directory.Organization",
        verbose_name=_("操作した機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("出来事"), max_length=20, choices=EventKind.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("オンライン相談の経過")
        verbose_name_plural = _("オンライン相談の経過")
        ordering = ["occurred_at", "pk"]


class TriageRule(TenantModel):
    """A window the municipality assigns new threads to, by topic, language or district.

    The most specific matching rule wins; with none, the coordinating section triages."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("窓口"),
        on_delete=models.CASCADE,
        related_name="triage_rules",
    )
    topic = models.CharField(
        _("相談したいこと"), max_length=40, choices=PublicTopic.choices, blank=True
    )
    language = models.CharField(_("言語"), max_length=10, choices=Language.choices, blank=True)
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("圏域"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("振り分けの設定")
        verbose_name_plural = _("振り分けの設定")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "organization", "topic", "language", "district"],
                name="frontdoor_triage_unique",
            )
        ]


class FrontDoorSettings(TenantModel):
    """One municipality's public door: where it answers, and what staff see in a crisis."""

    public_host = models.CharField(
        _("公開ページのホスト名"),
        max_length=200,
        blank=True,
        help_text=_("住民向けページを配信するホスト名（職員用とは別にします）"),
    )
    accepting = models.BooleanField(_("受付中"), default=True)
    mail_address = models.EmailField(_("相談用メールアドレス"), blank=True)
    emergency_guidance = FreeTextField(
        _("緊急時の対応手順（職員向け）"), max_length=4000, blank=True
    )
    public_notice = FreeTextField(_("お知らせ（住民向け）"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("オンライン相談の設定")
        verbose_name_plural = _("オンライン相談の設定")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="frontdoor_settings_unique")
        ]


class LineChannel(TenantModel):
    """The municipality's LINE official account (Messaging API channel).

    The secret and token never appear in logs, pages or the API (write-only)."""

    bot_user_id = models.CharField(_("ボットのユーザーID"), max_length=64)
    channel_secret = models.CharField(_("チャネルシークレット"), max_length=128)
    channel_access_token = models.CharField(_("チャネルアクセストークン"), max_length=512)
    api_base = models.URLField(
        _("Messaging APIのURL"),
        default="https://api.line.me",
        help_text=_("庁内の中継サーバーを経由する場合はそのURL"),
    )
    active = models.BooleanField(_("有効"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LINE公式アカウント")
        verbose_name_plural = _("LINE公式アカウント")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="frontdoor_line_channel_unique"),
        ]

    def __repr__(self) -> str:  # never the secret
        return f"<LineChannel {self.pk} {self.bot_user_id}>"


class LineContact(TenantModel):
    """A LINE user who follows (or followed) the account."""

    line_user_id = models.CharField(max_length=64)
    following = models.BooleanField(_("友だち"), default=True)
    followed_at = models.DateTimeField(null=True, blank=True)
    unfollowed_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, choices=Language.choices, default=Language.JA)

    class Meta:
        verbose_name = _("LINEの友だち")
        verbose_name_plural = _("LINEの友だち")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "line_user_id"], name="frontdoor_line_contact_unique"
            )
        ]


class LineWebhookEvent(TenantModel):
    """A webhook event handled once (LINE redelivers by the same webhookEventId)."""

    webhook_event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    received_at = models.DateTimeField(default=timezone.now)
    redelivery = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "webhook_event_id"], name="frontdoor_line_event_unique"
            )
        ]


class PublicHit(TenantModel):
    """One write on the public side, for rate limits (an address is kept only as a keyed hash)."""

    address_hash = models.CharField(max_length=64)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, related_name="+")
    #: What was written: "" a consultation (a new thread, or a message on one),
    #: "booking" a booking on the public booking pages (appointments).
    kind = models.CharField(max_length=16, blank=True, default="")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["municipality", "address_hash", "at"])]
