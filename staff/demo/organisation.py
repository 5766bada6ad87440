"""Demo units with their 2025 lineage, the role groups and the demo logins."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission, User
from wagtail.models import GroupPagePermission, Page

from courses.models import CatalogPage
from staff.models import Role, RoleAssignment, Unit, UnitKind
from staff.services.organisation import unit_succession_record

MERGER_DAY = dt.date(2025, 7, 1)
MERGER_BASIS = "Nghị quyết 1656/NQ-UBTVQH15 (minh họa)"
DEMO_PASSWORD = "demo-2026"

# code, name, kind, parent code, valid_from, valid_to
UNITS = [
    ("HN", "Thành phố Hà Nội", UnitKind.CITY, None, None, None),
    ("SNV", "Sở Nội vụ", UnitKind.DEPARTMENT, "HN", None, None),
    ("STP", "Sở Tư pháp", UnitKind.DEPARTMENT, "HN", None, None),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", UnitKind.DEPARTMENT, "HN", None, None),
    ("SKHCN", "Sở Khoa học và Công nghệ", UnitKind.DEPARTMENT, "HN", None, None),
    ("TTBD", "Trung tâm Bồi dưỡng cán bộ, công chức", UnitKind.TRAINING_CENTRE, "SNV", None, None),
    ("P-KHUONGDINH", "Phường Khương Đình", UnitKind.WARD, "HN", MERGER_DAY, None),
    ("P-KHUONGDINH.VP", "Văn phòng HĐND và UBND phường Khương Đình", UnitKind.DIVISION, "P-KHUONGDINH",
     MERGER_DAY, None),
    ("P-KHUONGDINH.VHXH", "Phòng Văn hóa – Xã hội phường Khương Đình", UnitKind.DIVISION, "P-KHUONGDINH",
     MERGER_DAY, None),
    ("P-THANHXUAN", "Phường Thanh Xuân", UnitKind.WARD, "HN", MERGER_DAY, None),
    ("P-HOANKIEM", "Phường Hoàn Kiếm", UnitKind.WARD, "HN", MERGER_DAY, None),
    ("P-CAUGIAY", "Phường Cầu Giấy", UnitKind.WARD, "HN", MERGER_DAY, None),
    ("X-ANKHANH", "Xã An Khánh", UnitKind.COMMUNE, "HN", MERGER_DAY, None),
    ("X-ANKHANH.KT", "Phòng Kinh tế xã An Khánh", UnitKind.DIVISION, "X-ANKHANH", MERGER_DAY, None),
    ("X-SONDONG", "Xã Sơn Đồng", UnitKind.COMMUNE, "HN", MERGER_DAY, None),
    # Before 1 July 2025: districts and the wards and communes under them.
    ("Q-THANHXUAN", "Quận Thanh Xuân (cũ)", UnitKind.DISTRICT, "HN", None, None),
    ("Q-THANHXUAN.KHUONGMAI", "Phường Khương Mai (cũ)", UnitKind.WARD, "Q-THANHXUAN", None, None),
    ("Q-THANHXUAN.KHUONGTRUNG", "Phường Khương Trung (cũ)", UnitKind.WARD, "Q-THANHXUAN", None, None),
    ("Q-THANHXUAN.THANHXUANTRUNG", "Phường Thanh Xuân Trung (cũ)", UnitKind.WARD, "Q-THANHXUAN", None, None),
    ("H-HOAIDUC", "Huyện Hoài Đức (cũ)", UnitKind.DISTRICT, "HN", None, None),
    ("H-HOAIDUC.SONGPHUONG", "Xã Song Phương (cũ)", UnitKind.COMMUNE, "H-HOAIDUC", None, None),
    ("H-HOAIDUC.ANKHANH", "Xã An Khánh (cũ)", UnitKind.COMMUNE, "H-HOAIDUC", None, None),
    ("H-HOAIDUC.SONDONG", "Xã Sơn Đồng (cũ)", UnitKind.COMMUNE, "H-HOAIDUC", None, None),
]

# predecessor, successor, kind, share (%)
SUCCESSIONS = [
    ("Q-THANHXUAN.KHUONGMAI", "P-KHUONGDINH", "merged", 100),
    ("Q-THANHXUAN.KHUONGTRUNG", "P-KHUONGDINH", "split", 70),
    ("Q-THANHXUAN.KHUONGTRUNG", "P-THANHXUAN", "split", 30),
    ("Q-THANHXUAN.THANHXUANTRUNG", "P-THANHXUAN", "merged", 100),
    ("Q-THANHXUAN", "P-THANHXUAN", "split", 60),
    ("Q-THANHXUAN", "P-KHUONGDINH", "split", 40),
    ("H-HOAIDUC.SONGPHUONG", "X-ANKHANH", "merged", 100),
    ("H-HOAIDUC.ANKHANH", "X-ANKHANH", "merged", 100),
    ("H-HOAIDUC.SONDONG", "X-SONDONG", "merged", 100),
    ("H-HOAIDUC", "X-ANKHANH", "split", 50),
    ("H-HOAIDUC", "X-SONDONG", "split", 50),
]

# username, first name, last name, role, unit code, superuser
LOGINS = [
    ("admin", "Quản trị", "hệ thống", None, None, True),
    ("hr.thanhpho", "Nhân sự", "Sở Nội vụ", Role.CITY_HR, "HN", False),
    ("hr.khuongdinh", "Nhân sự", "phường Khương Đình", Role.UNIT_HR, "P-KHUONGDINH", False),
    ("hr.ankhanh", "Nhân sự", "xã An Khánh", Role.UNIT_HR, "X-ANKHANH", False),
    ("tochuc", "Tổ chức", "Trung tâm Bồi dưỡng", Role.ORGANIZER, "TTBD", False),
    ("canbo", "Hồng Hải", "Nguyễn Thị", None, None, False),
]

GROUP_PERMISSIONS = {
    Role.CITY_HR: ["wagtailadmin.access_admin", "staff.add_official", "staff.change_official",
                   "staff.view_official", "staff.add_unit", "staff.change_unit", "staff.view_unit",
                   "staff.add_unitsuccession", "staff.change_unitsuccession", "staff.view_unitsuccession",
                   "staff.view_rank", "staff.add_rank", "staff.change_rank", "courses.view_coursesession",
                   "courses.add_contentgroup", "courses.change_contentgroup", "courses.view_contentgroup",
                   "staff.view_enrollment", "staff.add_trainingrequirement", "staff.change_trainingrequirement",
                   "staff.view_trainingrequirement", "staff.add_trainingplan", "staff.change_trainingplan",
                   "staff.view_trainingplan", "staff.add_roleassignment", "staff.change_roleassignment",
                   "staff.delete_roleassignment", "staff.view_roleassignment", "staff.view_auditentry"],
    Role.UNIT_HR: ["wagtailadmin.access_admin", "staff.add_official", "staff.change_official",
                   "staff.view_official", "staff.view_unit", "courses.view_coursesession", "staff.view_enrollment"],
    Role.ORGANIZER: ["wagtailadmin.access_admin", "courses.add_coursesession", "courses.change_coursesession",
                     "courses.view_coursesession", "courses.add_trainer", "courses.change_trainer",
                     "courses.view_trainer", "staff.view_enrollment"],
}
GROUP_NAMES = {Role.CITY_HR: "Nhân sự thành phố", Role.UNIT_HR: "Nhân sự đơn vị", Role.ORGANIZER: "Tổ chức đào tạo"}


def seed_units() -> dict[str, Unit]:
    """The units and their succession links, by code."""
    units: dict[str, Unit] = {}
    for code, name, kind, parent, valid_from, valid_to in UNITS:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent) if parent else None,
                                 "valid_from": valid_from, "valid_to": valid_to}
        )
    for old, new, succession_kind, share in SUCCESSIONS:
        unit_succession_record(predecessor=units[old], successor=units[new], effective_date=MERGER_DAY,
                               legal_basis=MERGER_BASIS, kind=succession_kind, share=share)
    # The children of an abolished district ended with it.
    for unit in Unit.objects.filter(kind=UnitKind.DISTRICT, valid_to__isnull=False):
        Unit.objects.filter(path__startswith=unit.path, valid_to__isnull=True).update(valid_to=unit.valid_to)
    return {unit.code: unit for unit in Unit.objects.all()}


def permission_named(dotted: str) -> Permission:
    """The permission written "app_label.codename"."""
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def organizers_may_publish(page: Page) -> None:
    """Let the organizers' group write and publish pages under ``page`` (the catalog, the practice index)."""
    organizers = Group.objects.get(name=GROUP_NAMES[Role.ORGANIZER])
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=organizers, page=page,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename))


def seed_logins(units: dict[str, Unit]) -> None:
    """The role groups and one login per persona, each HR and organizer login holding its role in its unit."""
    groups = _seed_groups()
    for username, first, last, role, unit_code, superuser in LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.invalid",
                        is_staff=superuser or role is not None, is_superuser=superuser)
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role is not None and unit_code is not None:  # every role in LOGINS is held in a unit
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=units[unit_code])
            user.groups.add(groups[role])


def _seed_groups() -> dict[Role, Group]:
    groups: dict[Role, Group] = {}
    for role, dotted_names in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        for dotted in dotted_names:
            group.permissions.add(permission_named(dotted))
        groups[role] = group
    organizers_may_publish(CatalogPage.objects.first())
    return groups
