"""What every rule is. A :class:`Rule` answers for one kind of record, at the
type level (object None: "may this user ever do this?") and at the object
level, and gives the queryset of objects the user may see.
:class:`ResidentRule` answers for a resident's records from each object's
basis (:mod:`tsunagu.policy.rules.bases`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.db import models

from tsunagu.accounts.models import Staff
from tsunagu.policy.rules.bases import casework_organization_ids
from tsunagu.policy.vocabulary import DENY, Action, Basis, Decision


def active_staff(user: Any) -> Staff | None:
    """The signed-in, active, unexpired staff member of a municipality, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.is_active or getattr(user, "municipality_id", None) is None:
        return None
    if getattr(user, "is_expired", False):
        return None
    return user


class Rule:
    """Base rule: denies everything. Subclasses grant."""

    resource: str = ""
    #: Views of this resource's objects are personal data and are audited.
    personal: bool = False
    #: The field naming the organization whose own record an object is, where
    #: that alone lets the organization's casework staff see it (``own``).
    own_field: str = ""

    def model(self) -> type[models.Model] | None:
        return None

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        return DENY

    def visible(self, staff: Staff, action: Action) -> models.QuerySet[Any]:
        model = self.model()
        if model is None:
            raise LookupError(f"resource {self.resource} has no objects")
        return model._default_manager.none()

    def own(self, staff: Staff) -> models.QuerySet[Any]:
        """The objects that are the staff member's casework organizations' own
        records: a part of :meth:`visible` by the rule itself, cheap to ask for
        where a page wants only those (the home page's counts)."""
        model = self.model()
        assert model is not None
        orgs = casework_organization_ids(staff)
        if not self.own_field or not orgs:
            return model._default_manager.none()
        return model._default_manager.filter(**{f"{self.own_field}_id__in": orgs})


class ResidentRule(Rule, ABC):
    """A rule over residents' personal data: each object is decided from the
    basis the staff member has to it (:meth:`bases`)."""

    personal = True

    def type_level(self, staff: Staff, action: Action) -> Decision:
        """May the staff member do ``action`` on this resource at all?

        Lists, searches and new records are casework; opening one record is
        left to the object-level answer, because bases other than casework
        reach single records (a 支援会議 guest's meeting material, an
        emergency opening of a casework colleague)."""
        if action == Action.VIEW or action == Action.PRINT:
            return Decision(True)
        if casework_organization_ids(staff):
            return Decision(True, Basis.OWN_ORGANIZATION)
        return DENY

    @abstractmethod
    def bases(self, staff: Staff, objects: list[Any]) -> dict[int, Basis]:
        """Each object's basis for ``staff`` (absent: none)."""

    def decide(self, staff: Staff, action: Action, obj: Any | None) -> Decision:
        if obj is None:
            return self.type_level(staff, action)
        return self.decide_on_object(staff, action, obj, self.bases(staff, [obj]).get(obj.pk))

    def decide_on_object(
        self, staff: Staff, action: Action, obj: Any, basis: Basis | None
    ) -> Decision:
        """What ``basis`` allows on ``obj`` (rules whose answer depends on the
        object beyond its basis refine this)."""
        return self.decide_on_basis(action, basis)

    def decide_on_basis(self, action: Action, basis: Basis | None) -> Decision:
        """What ``basis`` to one object allows: reading, and working on it unless
        the basis is an emergency opening; archiving only one's own records."""
        if basis is None:
            return DENY
        if action in (Action.VIEW, Action.LIST, Action.PRINT, Action.EXPORT):
            return Decision(True, basis)
        # An emergency opening is for reading, and so is a 支援会議's material
        # (§106-6 lets attendees share and discuss, not edit others' records);
        # changes need a working basis.
        if basis in (Basis.EMERGENCY, Basis.SUPPORT_MEETING):
            return DENY
        if action == Action.ARCHIVE and basis != Basis.OWN_ORGANIZATION:
            return DENY
        return Decision(True, basis)
