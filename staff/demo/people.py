"""Demo ranks and officials: invented names, each official with the unit history the 2025 merger gave them."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User

from staff.demo.organisation import MERGER_DAY
from staff.models import Category, Gender, Official, Rank, Unit
from staff.services.accounts import accounts_ensure
from staff.services.people import official_assign_unit

RANKS = [
    ("01.001", "Chuyên viên cao cấp", 1, Category.CIVIL_SERVANT),
    ("01.002", "Chuyên viên chính", 2, Category.CIVIL_SERVANT),
    ("01.003", "Chuyên viên", 3, Category.CIVIL_SERVANT),
    ("01.004", "Cán sự", 4, Category.CIVIL_SERVANT),
    ("01.005", "Nhân viên", 5, Category.CIVIL_SERVANT),
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Thùy"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Công", "Xuân"]
GIVEN_F = ["An", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Phương", "Thảo", "Trang", "Yến",
           "Ánh", "Hằng", "Ngân"]
GIVEN_M = ["Bình", "Cường", "Dũng", "Hải", "Hùng", "Long", "Nam", "Quân", "Sơn", "Tuấn", "Đạt", "Đông", "Khánh",
           "Thắng", "Việt", "Phúc"]
MINORITIES = ["Tày", "Mường", "Thái", "Nùng", "Dao"]
JOB_POSITIONS = ["Tư pháp – hộ tịch", "Địa chính – xây dựng", "Văn phòng – thống kê", "Văn hóa – xã hội",
                 "Tài chính – kế toán", "Một cửa", "Chuyển đổi số"]
HOME_UNITS = ["P-KHUONGDINH", "P-KHUONGDINH.VP", "P-KHUONGDINH.VHXH", "P-THANHXUAN", "P-HOANKIEM", "P-CAUGIAY",
              "X-ANKHANH", "X-ANKHANH.KT", "X-SONDONG", "STP", "SNNMT", "SKHCN", "SNV"]
# Where officials of today's units worked before the merger.
LEGACY_HOME = {"P-KHUONGDINH": "Q-THANHXUAN.KHUONGMAI", "P-KHUONGDINH.VP": "Q-THANHXUAN.KHUONGTRUNG",
               "P-THANHXUAN": "Q-THANHXUAN.THANHXUANTRUNG", "X-ANKHANH": "H-HOAIDUC.SONGPHUONG",
               "X-SONDONG": "H-HOAIDUC.SONDONG"}
# The official behind the login "canbo" (Nguyễn Thị Hồng Hải of Khương Đình).
DEMO_OFFICIAL_CODE = "CB000001"


def seed_ranks() -> dict[str, Rank]:
    return {code: Rank.objects.get_or_create(code=code, defaults={"name": name, "tier": tier, "category": cat})[0]
            for code, name, tier, cat in RANKS}


def seed_officials(units: dict[str, Unit], ranks: dict[str, Rank], count: int) -> list[Official]:
    rng = random.Random(2025)  # fixed seed: the same people on every machine
    rank_list = list(ranks.values())
    existing = set(Official.objects.values_list("employee_code", flat=True))
    for index in range(1, count + 1):
        code = f"CB{index:06d}"
        female = rng.random() < 0.55
        if index == 1:
            name, female = "Nguyễn Thị Hồng Hải", True
        else:
            name = " ".join([rng.choice(SURNAMES), rng.choice(MIDDLE_F if female else MIDDLE_M),
                             rng.choice(GIVEN_F if female else GIVEN_M)])
        home = "P-KHUONGDINH" if index == 1 else rng.choice(HOME_UNITS)
        ethnicity = rng.choice(MINORITIES) if rng.random() < 0.08 else "Kinh"
        birth = dt.date(1965 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29))
        leader = rng.random() < 0.12
        category = rng.choices([Category.CIVIL_SERVANT, Category.PUBLIC_EMPLOYEE, Category.CADRE,
                                Category.COMMUNE_PART_TIME], weights=[6, 2, 1, 1])[0]
        rank = rng.choice(rank_list)
        job = rng.choice(JOB_POSITIONS)
        # Existing officials still draw their numbers above, so the people after them stay the same.
        if code in existing:
            continue
        official = Official.objects.create(
            employee_code=code, full_name=name, date_of_birth=birth,
            gender=Gender.FEMALE if female else Gender.MALE, ethnicity=ethnicity, category=category, rank=rank,
            job_position=job, leadership_position="Trưởng phòng" if leader else "",
            email=f"cb{index:06d}@example.invalid",
        )
        legacy = LEGACY_HOME.get(home)
        if legacy:
            official_assign_unit(official=official, unit=units[legacy], start=dt.date(2018, 1, 1))
        official_assign_unit(official=official, unit=units[home],
                             start=MERGER_DAY if legacy else dt.date(2019, 1, 1))
    # The demo's officials with their assignment history, which seed_enrollments reads for each session.
    return list(Official.objects.order_by("employee_code").prefetch_related("assignments")[:count])


def link_demo_official_login() -> None:
    """The login "canbo" is the demo official, so "My training" has someone to show; everyone else has an
    account waiting for an invitation, as after a roster import."""
    official = Official.objects.get(employee_code=DEMO_OFFICIAL_CODE)
    if official.user_id is None:
        official.user = User.objects.get(username="canbo")
        official.save(update_fields=["user"])
    accounts_ensure(officials=list(Official.objects.filter(user__isnull=True)))
