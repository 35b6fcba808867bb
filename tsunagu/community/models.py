"""地域づくり (business V): the community places residents run, the projects
coordinators help residents start and hand on, and the regional issues seen
across cases that are carried toward a new resource or a policy.

None of it is a resident's personal data: places, projects and issues are
written about a district, never about a named household (the forms say so).
A regional issue may name the case or meeting it was raised from; the case is
shown only to those the policy lets see it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.fields import FreeTextField
from tsunagu.core.models import HistoryEvent, TrackedModel


class PlaceFunction(models.TextChoices):
    """What a community place is for (a place usually does several)."""

    IBASHO = "ibasho", _("居場所")
    CONSULTATION = "consultation", _("相談")
    EXCHANGE = "exchange", _("交流")
    LEARNING = "learning", _("学び")
    ACTIVE_ROLE = "active_role", _("活躍の場")
    FOOD = "food", _("食事")
    CARE_PREVENTION = "care_prevention", _("介護予防")
    CHILDREN = "children", _("子ども・子育て")
    WATCHING = "watching", _("見守り")


class Succession(models.TextChoices):
    """Whether the place will outlive its founders (old places need succession support)."""

    STABLE = "stable", _("安定（担い手あり）")
    WATCH = "watch", _("担い手の高齢化・不足に注意")
    DISCUSSING = "discussing", _("継承を協議中")
    SUPPORTING = "supporting", _("継承支援中")
    SUCCEEDED = "succeeded", _("継承済み")
    CLOSING = "closing", _("終了予定")


class CommunityPlace(TrackedModel):
    """居場所・拠点: a resource of the directory that is also a community base
    (つどい～の, かよい～の, サロン, 子ども食堂 …), with what the coordinators
    follow about it: how often it opens, what it does, and its succession."""

    resource = models.OneToOneField(
        "resources.Resource",
        verbose_name=_("社会資源"),
        on_delete=models.PROTECT,
        related_name="community_place",
    )
    operator = models.CharField(
        _("運営者"), max_length=120, help_text=_("例: 町会有志、NPO法人〇〇（個人名は書かない）")
    )
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        related_name="community_places",
    )
    opening_frequency = models.CharField(
        _("開催頻度"), max_length=60, help_text=_("例: 週2回、毎月第2火曜日")
    )
    functions = models.JSONField(_("機能"), default=list, blank=True)
    year_started = models.PositiveSmallIntegerField(_("開始年"), null=True, blank=True)
    succession = models.CharField(
        _("継承の状況"), max_length=20, choices=Succession.choices, default=Succession.STABLE
    )
    succession_note = FreeTextField(_("継承についてのメモ"), blank=True)
    supporting_organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("支援している機関"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_places",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("居場所・拠点")
        verbose_name_plural = _("居場所・拠点")
        ordering = ["district__sort_order", "resource__name", "id"]

    def __str__(self) -> str:
        return self.resource.name

    def function_labels(self) -> list[str]:
        return [str(PlaceFunction(code).label) for code in self.functions if code in PlaceFunction]


class ProjectStage(models.TextChoices):
    """地域プロジェクトの段階; the order is the order of the lifecycle."""

    IDEA = "idea", _("構想")
    LAUNCH = "launch", _("立上げ")
    RUNNING = "running", _("運営")
    SUCCESSION = "succession", _("継承")
    ENDED = "ended", _("終了")


#: (from, to) → whether a reason is required. Nothing else is allowed.
PROJECT_TRANSITIONS: dict[tuple[str, str], bool] = {
    (ProjectStage.IDEA, ProjectStage.LAUNCH): False,
    (ProjectStage.IDEA, ProjectStage.ENDED): True,
    (ProjectStage.LAUNCH, ProjectStage.RUNNING): False,
    (ProjectStage.LAUNCH, ProjectStage.IDEA): True,
    (ProjectStage.LAUNCH, ProjectStage.ENDED): True,
    (ProjectStage.RUNNING, ProjectStage.SUCCESSION): False,
    (ProjectStage.RUNNING, ProjectStage.ENDED): True,
    (ProjectStage.SUCCESSION, ProjectStage.RUNNING): False,
    (ProjectStage.SUCCESSION, ProjectStage.ENDED): True,
}


class CommunityProject(TrackedModel):
    """地域プロジェクト: something residents start with a coordinator's support
    (a 子ども食堂, a 見守り network, a 多世代の居場所), followed from the first
    idea to its hand-over."""

    title = models.CharField(_("プロジェクト名"), max_length=120)
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        related_name="community_projects",
    )
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("支援する機関"),
        on_delete=models.PROTECT,
        related_name="community_projects",
    )
    stage = models.CharField(
        _("段階"),
        max_length=20,
        choices=ProjectStage.choices,
        default=ProjectStage.IDEA,
        editable=False,
    )
    stage_changed_on = models.DateField(_("段階が変わった日"), editable=False)
    purpose = FreeTextField(_("目的・きっかけ"))
    members = models.CharField(
        _("担い手"),
        max_length=200,
        blank=True,
        help_text=_("例: 町会、PTA有志、民生委員（個人名は書かない）"),
    )
    place = models.ForeignKey(
        CommunityPlace,
        verbose_name=_("活動する居場所・拠点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    regional_issue = models.ForeignKey(
        "RegionalIssue",
        verbose_name=_("取り組む地域課題"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    next_action = models.CharField(_("次にすること"), max_length=200, blank=True)
    next_action_on = models.DateField(_("次にすることの期日"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("地域プロジェクト")
        verbose_name_plural = _("地域プロジェクト")
        ordering = ["district__sort_order", "-stage_changed_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectEvent(HistoryEvent):
    """The coordinator's support along a project: a stage change or a note."""

    project = models.ForeignKey(CommunityProject, on_delete=models.CASCADE, related_name="events")
    from_stage = models.CharField(max_length=20, choices=ProjectStage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=ProjectStage.choices, blank=True)
    support = FreeTextField(_("支援の内容"), blank=True)
    reason = models.CharField(_("理由"), max_length=200, blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("地域プロジェクトの経過")
        verbose_name_plural = _("地域プロジェクトの経過")


class IssueSource(models.TextChoices):
    CASE = "case", _("個別ケースから")
    MEETING = "meeting", _("会議から")
    COMMUNITY_MEETING = "community_meeting", _("地域支援会議から")
    ACTIVITY = "activity", _("地域での活動から")
    OTHER = "other", _("その他")


class IssueStatus(models.TextChoices):
    RAISED = "raised", _("提起")
    ANALYSING = "analysing", _("分析・検討中")
    RESOURCE_DEVELOPMENT = "resource_development", _("社会資源の開発へ")
    POLICY = "policy", _("施策化の提案へ")
    RESOLVED = "resolved", _("解決・対応済み")
    SHELVED = "shelved", _("見送り")


#: Statuses in which an issue is still being carried.
OPEN_ISSUE_STATUSES = frozenset(
    {
        IssueStatus.RAISED,
        IssueStatus.ANALYSING,
        IssueStatus.RESOURCE_DEVELOPMENT,
        IssueStatus.POLICY,
    }
)


class RegionalIssue(TrackedModel):
    """地域課題: a problem seen across cases or in a district, carried toward
    resource development or a policy proposal. Written without names."""

    title = models.CharField(_("課題"), max_length=120)
    description = FreeTextField(
        _("内容"),
        help_text=_("複数の事例や地域から見えてきたこと（個人が特定できる内容は書かない）"),
    )
    district = models.ForeignKey(
        "directory.District",
        verbose_name=_("地区（圏域）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regional_issues",
        help_text=_("区全体の課題なら空欄"),
    )
    life_issues = models.JSONField(_("地域生活課題"), default=list, blank=True)
    source = models.CharField(_("提起の経路"), max_length=20, choices=IssueSource.choices)
    source_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("提起したケース"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regional_issues",
    )
    source_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("提起した会議"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regional_issues",
    )
    raised_on = models.DateField(_("提起日"))
    organization = models.ForeignKey(
        "directory.Organization",
        verbose_name=_("担当機関"),
        on_delete=models.PROTECT,
        related_name="regional_issues",
    )
    status = models.CharField(
        _("状況"),
        max_length=30,
        choices=IssueStatus.choices,
        default=IssueStatus.RAISED,
        editable=False,
    )
    outcome = FreeTextField(_("結果・つながった資源や施策"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta(TrackedModel.Meta):
        verbose_name = _("地域課題")
        verbose_name_plural = _("地域課題")
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ISSUE_STATUSES


class IssueEvent(HistoryEvent):
    """A step in carrying an issue: a status change with what was done."""

    issue = models.ForeignKey(RegionalIssue, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=30, choices=IssueStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=IssueStatus.choices, blank=True)
    note = FreeTextField(_("経過"), blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("地域課題の経過")
        verbose_name_plural = _("地域課題の経過")
