"""The city's units beyond the demo's: departments, the wards and communes made on 1 July 2025, the districts
and old wards and communes they replaced (with their lineage), divisions; and the three bench accounts."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from .names import PLACE_FIRST, PLACE_SECOND

DEPARTMENTS = ["Sở Tài chính", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Văn hóa và Thể thao",
               "Sở Công Thương", "Sở Du lịch", "Sở Dân tộc và Tôn giáo", "Thanh tra thành phố",
               "Văn phòng Ủy ban nhân dân thành phố", "Sở Ngoại vụ", "Sở Quy hoạch – Kiến trúc",
               "Sở Giao thông công chính", "Sở Lao động và Việc làm"]
DIVISIONS = ["Văn phòng HĐND và UBND", "Phòng Kinh tế", "Phòng Văn hóa – Xã hội"]


@dataclass
class City:
    """What later steps need of the units: ids only, so nothing holds model instances."""

    root: int
    ward: int  # the bench ward HR officer's unit
    ward_units: list[int]  # the ward and its divisions: where its ~600 officials work
    current: list[int]  # units officials work in today
    organizers: list[int]  # units that run courses
    # unit id → pre-merger units its officials worked in before 1 July 2025
    legacy: dict[int, list[int]] = field(default_factory=dict)
    created: int = 0


def _place_names(rng: random.Random, count: int) -> list[str]:
    pairs = [f"{a} {b}" for a in PLACE_FIRST for b in PLACE_SECOND]
    rng.shuffle(pairs)
    return pairs[:count]


def build_units(scale: float, rng: random.Random) -> City:
    from staff.demo.organisation import MERGER_BASIS, MERGER_DAY, SUCCESSIONS
    from staff.models import Unit, UnitKind
    from staff.services.organisation import unit_succession_record

    root = Unit.objects.get(kind=UnitKind.CITY, parent__isnull=True)
    created: list[Unit] = []

    def make(code: str, name: str, kind: str, parent: Unit, valid_from: dt.date | None = None) -> Unit:
        unit = Unit(code=code, name=name, kind=kind, parent=parent, valid_from=valid_from)
        unit.save()  # save() writes the path from the parent's
        created.append(unit)
        return unit

    departments = [make(f"S-{i:02d}", DEPARTMENTS[i % len(DEPARTMENTS)] + ("" if i < len(DEPARTMENTS) else f" {i}"),
                        UnitKind.DEPARTMENT, root) for i in range(max(2, round(14 * scale)))]
    n_new, n_districts, n_old = max(3, round(45 * scale)), max(1, round(10 * scale)), max(2, round(60 * scale))
    names = _place_names(rng, n_new + n_districts + n_old)
    wards = []
    for i in range(n_new):
        commune = i % 5 in (1, 3)
        wards.append(make(f"{'X' if commune else 'P'}-N{i:03d}", f"{'Xã' if commune else 'Phường'} {names[i]}",
                          UnitKind.COMMUNE if commune else UnitKind.WARD, root, MERGER_DAY))
    districts = [make(f"Q-O{i:02d}", f"{'Huyện' if i % 3 == 2 else 'Quận'} {names[n_new + i]} (cũ)",
                      UnitKind.DISTRICT, root) for i in range(n_districts)]
    legacy: dict[int, list[int]] = {}
    for i in range(n_old):
        district = districts[i % n_districts]
        commune = district.name.startswith("Huyện")
        old = make(f"{district.code}.{i:03d}", f"{'Xã' if commune else 'Phường'} {names[n_new + n_districts + i]} (cũ)",
                   UnitKind.COMMUNE if commune else UnitKind.WARD, district)
        target = wards[i % n_new]
        if i % 6 == 5 and n_new > 1:  # split between two new wards, most of it to the first
            other = wards[(i + 1) % n_new]
            unit_succession_record(predecessor=old, successor=target, effective_date=MERGER_DAY,
                                   legal_basis=MERGER_BASIS, kind="split", share=70)
            unit_succession_record(predecessor=old, successor=other, effective_date=MERGER_DAY,
                                   legal_basis=MERGER_BASIS, kind="split", share=30)
        else:
            unit_succession_record(predecessor=old, successor=target, effective_date=MERGER_DAY,
                                   legal_basis=MERGER_BASIS)
        legacy.setdefault(target.pk, []).append(old.pk)
    for i, district in enumerate(districts):  # an abolished district: split among the new wards it held
        heirs = sorted({wards[j % n_new].pk for j in range(i, n_old, n_districts)}) or [wards[i % n_new].pk]
        shares = _shares(len(heirs))
        for heir, share in zip(heirs, shares, strict=True):
            unit_succession_record(predecessor=district, successor=Unit.objects.get(pk=heir),
                                   effective_date=MERGER_DAY, legal_basis=MERGER_BASIS,
                                   kind="split" if len(heirs) > 1 else "merged", share=share)
    divisions = []
    for i in range(max(1, round(18 * scale))):
        ward = wards[i % n_new]
        divisions.append(make(f"{ward.code}.D{i // n_new}", f"{DIVISIONS[i % len(DIVISIONS)]} {ward.name.lower()}",
                              UnitKind.DIVISION, ward, MERGER_DAY))
        legacy.setdefault(divisions[-1].pk, legacy.get(ward.pk, []))
    # The demo's own lineage: its wards' officials worked in the old wards merged into them.
    by_code = dict(Unit.objects.values_list("code", "pk"))
    for predecessor, successor, _kind, _share in SUCCESSIONS:
        if not predecessor.startswith(("Q-THANHXUAN.", "H-HOAIDUC.")):
            continue
        legacy.setdefault(by_code[successor], []).append(by_code[predecessor])
    ward_root = Unit.objects.get(code="P-KHUONGDINH")
    ward_units = list(Unit.objects.filter(path__startswith=ward_root.path).values_list("pk", flat=True))
    for pk in ward_units:
        legacy.setdefault(pk, legacy.get(ward_root.pk, []))
    current = list(Unit.objects.filter(valid_to__isnull=True).exclude(kind=UnitKind.DISTRICT)
                   .exclude(pk__in=ward_units).values_list("pk", flat=True).order_by("pk"))
    organizers = [by_code[code] for code in ("TTBD", "SNV", "STP", "SNNMT", "SKHCN")]
    organizers += [u.pk for u in departments[:6]] + [u.pk for u in wards[:4]]
    return City(root=root.pk, ward=ward_root.pk, ward_units=ward_units, current=current, organizers=organizers,
                legacy=legacy, created=len(created))


def _shares(n: int) -> list[int]:
    base = 100 // n
    return [base + (100 - base * n if i == 0 else 0) for i in range(n)]


def bench_accounts(password: str, copies: dict[str, str]) -> dict[str, int]:
    """The three bench logins: each copies the groups, roles and units of one demo login, with a confirmed
    TOTP device holding the demo's public key (staff/demo/two_factor.py)."""
    from django.contrib.auth.models import User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff.demo.two_factor import DEMO_DEVICE_NAME, DEMO_TOTP_KEY
    from staff.models import RoleAssignment

    ids = {}
    for username, demo_name in copies.items():
        demo = User.objects.get(username=demo_name)
        user = User(username=username, first_name=demo.first_name, last_name=demo.last_name,
                    email=f"{username}@example.invalid", is_staff=True)
        user.set_password(password)
        user.save()
        user.groups.set(demo.groups.all())
        for role in RoleAssignment.objects.filter(user=demo):
            RoleAssignment.objects.create(user=user, role=role.role, unit=role.unit)
        TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, key=DEMO_TOTP_KEY.hex(), confirmed=True)
        ids[username] = user.pk
    return ids
