"""Factories for states the tests need: a municipality with its
organizations and a staff member in every role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from tsunagu.accounts.models import Membership, Staff
from tsunagu.accounts.roles import Role
from tsunagu.core import tenancy
from tsunagu.core.models import Municipality
from tsunagu.directory.models import Business, District, Organization, SubBusiness

PASSWORD = "correct-horse-battery-staple"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{130000 + n:06d}")
    name = factory.Sequence(lambda n: f"テスト市{n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    username = factory.Sequence(lambda n: f"staff{n}")
    full_name = factory.Sequence(lambda n: f"職員 {n}号")
    full_name_kana = "しょくいん"

    @classmethod
    def _create(cls, model_class: type[Staff], *args: Any, **kwargs: Any) -> Staff:
        staff = model_class(*args, **kwargs)
        staff.set_password(PASSWORD)
        with tenancy.tenant_context(staff.municipality):
            staff.save()
        return staff


@dataclass
class Ward:
    """A municipality as the tests use it: its organizations and one staff member per role."""

    municipality: Municipality
    districts: list[District]
    coordinating: Organization
    center: Organization
    other_center: Organization
    department: Organization
    staff: dict[str, Staff] = field(default_factory=dict)
    #: A 外部の関係機関 (a police station), whose staff come to meetings as guests.
    external: Organization | None = None

    def member(self, role: str) -> Staff:
        return self.staff[role]


def add_member(staff: Staff, organization: Organization, role: str) -> Membership:
    with tenancy.tenant_context(staff.municipality):
        return Membership.objects.create(staff=staff, organization=organization, role=role)


def ward_with_staff(municipality: Municipality, prefix: str = "") -> Ward:
    with tenancy.tenant_context(municipality):
        districts = [
            District.objects.create(name=n, sort_order=i) for i, n in enumerate(["北", "南"])
        ]
        business = Business.objects.create(number=1, name="包括的相談支援事業")
        sub = SubBusiness.objects.create(business=business, name="地域包括支援センター")
        coordinating = Organization.objects.create(
            name="福祉政策課", kind=Organization.Kind.DEPARTMENT, is_coordinating=True
        )
        center = Organization.objects.create(
            name="地域包括支援センター北", kind=Organization.Kind.CENTER,
            management=Organization.Management.CONTRACTED, operator="社会福祉法人テスト会",
        )  # fmt: skip
        center.districts.add(districts[0])
        center.sub_businesses.add(sub)
        other_center = Organization.objects.create(
            name="地域包括支援センター南", kind=Organization.Kind.CENTER
        )
        department = Organization.objects.create(name="総務課", kind=Organization.Kind.DEPARTMENT)
        external = Organization.objects.create(name="テスト警察署", kind=Organization.Kind.EXTERNAL)
    ward = Ward(municipality, districts, coordinating, center, other_center, department)
    ward.external = external
    placement = {
        Role.COUNSELOR: center,
        Role.ORG_MANAGER: center,
        Role.COORDINATOR: coordinating,
        Role.MANAGER: coordinating,
        Role.SYSADMIN: department,
        Role.AUDITOR: department,
        Role.GUEST: external,
    }
    for role, organization in placement.items():
        guest = role == Role.GUEST
        staff = StaffFactory(
            municipality=municipality,
            username=f"{prefix}{role.value}",
            is_guest=guest,
            expires_at=timezone.now() + timedelta(days=1) if guest else None,
        )
        add_member(staff, organization, role)
        ward.staff[role] = staff
    return ward
