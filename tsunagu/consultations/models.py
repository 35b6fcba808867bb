"""相談受付: one contact that brings a concern in, at any window, by any channel.

Fields follow the national 相談受付・申込票 (自治体事務マニュアル): the 相談内容
checklist with the main item marked, and the two variants of the sheet (with
and without the person's consent to share).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import TenantModel, TrackedModel
from tsunagu.core.text import ACCOUNT_MAX_LENGTH


class Channel(models.TextChoices):
    VISIT_WINDOW = "window", _("来所")
    PHONE = "phone", _("電話")
    EMAIL = "email", _("メール")
    MESSAGING = "messaging", _("LINE等")
    HOME_VISIT = "home_visit", _("訪問")
    OUTREACH_DESK = "outreach_desk", _("出張相談")
    LETTER = "letter", _("文書")
    FROM_ORGANIZATION = "from_organization", _("関係機関から")
    WEB_FORM = "web_form", _("相談フォーム")


class Consulter(models.TextChoices):
    SELF = "self", _("本人")
    FAMILY = "family", _("家族")
    NEIGHBOUR = "neighbour", _("近隣住民")
    MINSEI_IIN = "minsei_iin", _("民生委員")
    NEIGHBOURHOOD_ASSOCIATION = "chokai", _("町会・自治会")
    ORGANIZATION = "organization", _("関係機関")
    SCHOOL = "school", _("学校")
    MEDICAL = "medical", _("医療機関")
    LANDLORD = "landlord", _("家主・不動産業者")
    POLICE = "police", _("警察")
    ANONYMOUS = "anonymous", _("匿名")
    OTHER = "other", _("その他")


class Topic(models.TextChoices):
    """相談内容: the checklist of the national intake sheet."""

    HEALTH = "health", _("病気・健康・障害")
    HOUSING = "housing", _("住まい")
    INCOME = "income", _("収入・生活費")
    RENT_LOAN = "rent_loan", _("家賃・ローン")
    TAX_UTILITIES = "tax_utilities", _("税金・公共料金")
    DEBT = "debt", _("債務")
    JOB_SEARCH = "job_search", _("仕事探し")
    WORK_WORRIES = "work_worries", _("仕事上の不安")
    COMMUNITY = "community", _("地域との関係")
    FAMILY = "family", _("家族との関係")
    CHILDCARE = "childcare", _("子育て")
    CARE = "care", _("介護")
    WITHDRAWAL = "withdrawal", _("ひきこもり・不登校")
    ABUSE = "abuse", _("DV・虐待")
    NO_FOOD = "no_food", _("食べるものがない")
    OTHER = "other", _("その他")


class LifeIssue(models.TextChoices):
    """地域生活課題: the categories of 社会福祉法 §4(3)."""

    WELFARE = "welfare", _("福祉")
    CARE = "care", _("介護")
    CARE_PREVENTION = "care_prevention", _("介護予防")
    HEALTH_MEDICAL = "health_medical", _("保健医療")
    HOUSING = "housing", _("住まい")
    EMPLOYMENT = "employment", _("就労")
    EDUCATION = "education", _("教育")
    ISOLATION = "isolation", _("孤立")
    PARTICIPATION = "participation", _("社会参加")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("通常")
    SOON = "soon", _("早めの対応が必要")
    URGENT = "urgent", _("緊急")


class ConsentToShare(models.TextChoices):
    """Which variant of the intake sheet: the person agreed to share, or not (yet)."""

    OBTAINED = "obtained", _("同意あり（情報共有に同意を得た）")
    NOT_OBTAINED = "not_obtained", _("同意なし（同意を得ていない・確認できない）")


class Outcome(models.TextChoices):
    ADVICE_ENDED = "advice_ended", _("助言・情報提供で終了")
    CONTINUE_HERE = "continue_here", _("自機関で継続")
    REFER = "refer", _("他機関へつなぐ")
    ESCALATE = "escalate", _("多機関協働へ")
    WATCH = "watch", _("経過観察")


class Continuity(models.TextChoices):
    """新規/継続: whether a consultation opens support at the organization or
    continues it (seed 000 reports 新規相談 and 延べ counts). Derived from the
    records when not set by the recording staff (``consultations.continuity``)."""

    NEW = "new", _("新規")
    CONTINUING = "continuing", _("継続")


class CaseFeature(TrackedModel):
    """世帯の特徴: tags a municipality keeps for its cases (8050, ごみ屋敷 …)."""

    name = models.CharField(_("名称"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta(TrackedModel.Meta):
        verbose_name = _("世帯の特徴")
        verbose_name_plural = _("世帯の特徴")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"],
                name="casefeature_unique_name",
                violation_error_message=_("同じ名前の特徴がすでに登録されています。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


#: The defaults every municipality starts with (domain.md), editable afterwards.
DEFAULT_CASE_FEATURES = [
    "精神疾患(疑い含む)",
    "発達障害(疑い含む)",
    "ひきこもり",
    "8050",
    "支援拒否・困り感なし",
    "ごみ屋敷",
    "ヤングケアラー",
    "生活困窮",
    "就労",
    "虐待・DV",
    "認知症",
    "家族間不和",
    "外国籍・言語",
    "住居喪失",
    "依存症",
    "希死念慮",
    "不登校",
]


class Consultation(TrackedModel):
    """相談受付: received by one organization; the subject may be unknown at first."""

    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("受付機関"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受付者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    channel = models.CharField(_("相談経路"), max_length=20, choices=Channel.choices)
    consulter = models.CharField(_("相談者"), max_length=20, choices=Consulter.choices)
    consulter_note = models.CharField(
        _("相談者の補足"),
        max_length=100,
        blank=True,
        help_text=_("例: 長女、○○地域包括支援センター"),
    )
    household = models.ForeignKey(
        "people.Household",
        verbose_name=_("世帯"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    subjects = models.ManyToManyField(
        "people.Person",
        verbose_name=_("対象者"),
        through="ConsultationSubject",
        related_name="consultations",
        blank=True,
    )
    unknown_subject = models.CharField(
        _("対象者が未特定の場合の手がかり"),
        max_length=200,
        blank=True,
        help_text=_("住所や「2階に住む高齢の方」など。後で本人・世帯に結び付けます。"),
    )
    main_topic = models.CharField(_("主な相談内容（◎）"), max_length=20, choices=Topic.choices)
    life_issues = models.JSONField(_("地域生活課題"), default=list, blank=True)
    case_features = models.ManyToManyField(
        CaseFeature, verbose_name=_("世帯の特徴"), blank=True, related_name="+"
    )
    summary = FreeTextField(_("相談の概要"), max_length=ACCOUNT_MAX_LENGTH)
    urgency = models.CharField(
        _("緊急度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    consent_to_share = models.CharField(
        _("情報共有への同意"), max_length=20, choices=ConsentToShare.choices
    )
    outcome = models.CharField(_("対応結果"), max_length=20, choices=Outcome.choices)
    continuity = models.CharField(
        _("新規/継続"),
        max_length=12,
        choices=Continuity.choices,
        default=Continuity.NEW,
        db_default=Continuity.NEW,
    )
    #: Set by the recording staff (kept as it is); otherwise derived from the records.
    continuity_by_hand = models.BooleanField(
        _("新規/継続を職員が指定"), default=False, db_default=False, editable=False
    )
    #: The 出張相談会・巡回相談 it was taken at, if any (the report counts per event).
    event = models.ForeignKey(
        "appointments.ConsultationEvent",
        verbose_name=_("出張相談会・巡回相談"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    # Normalised summary and notes for word search (names.normalize_text).
    search_text = models.TextField(editable=False, blank=True)

    class Meta(TrackedModel.Meta):
        verbose_name = _("相談受付")
        verbose_name_plural = _("相談受付")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["household", "received_at"], name="consultation_household"),
            models.Index(fields=["organization", "received_at"], name="consultation_organization"),
            # Covers the business report's count (a fiscal year's consultations by
            # organization) without reading the rows: 720,000 row reads took 13 s
            # on SQLite at the large scale, the index alone a fraction of that.
            models.Index(
                fields=["municipality", "received_at", "organization", "archived_at"],
                name="consultation_received_org",
            ),
        ]

    def __str__(self) -> str:
        return _("相談受付 C%(number)07d") % {"number": self.pk or 0}

    @property
    def number(self) -> str:
        return f"C{self.pk:07d}"

    def life_issue_labels(self) -> list[str]:
        return [str(LifeIssue(code).label) for code in self.life_issues if code in LifeIssue]

    def topic_labels(self) -> list[tuple[str, bool]]:
        """Checked 相談内容 items in checklist order, each with whether it is the main one."""
        checked = {topic.topic for topic in self.topics.all()}
        return [
            (str(topic.label), topic.value == self.main_topic)
            for topic in Topic
            if topic.value in checked
        ]


class ConsultationTopic(TenantModel):
    """One checked item of the 相談内容 checklist (a row each, so reports count them)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("相談内容"), max_length=20, choices=Topic.choices)

    class Meta(TenantModel.Meta):
        verbose_name = _("相談内容")
        verbose_name_plural = _("相談内容")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "topic"], name="consultation_topic")
        ]

    def __str__(self) -> str:
        return self.get_topic_display()


class ConsultationSubject(TenantModel):
    """A person a consultation is about."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="consultation_links"
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("相談の対象者")
        verbose_name_plural = _("相談の対象者")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "person"], name="consultation_subject")
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}:{self.person_id}"


class ConsultationGram(TenantModel):
    """An index of consultations' text for word search: one row per
    consultation and piece of its ``search_text`` (``names.text_grams``). A
    search reads the rows of its words' pieces instead of every consultation
    of the municipality (see ``people.selectors.consultation_search``).
    Written with the text by ``services.consultation_grams_write``; never
    shown."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=2)

    class Meta(TenantModel.Meta):
        verbose_name = _("相談の語句索引")
        verbose_name_plural = _("相談の語句索引")
        indexes = [
            models.Index(fields=["municipality", "gram", "consultation"], name="consultation_gram"),
        ]
