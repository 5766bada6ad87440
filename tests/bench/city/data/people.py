"""Officials, their sign-in accounts and their unit history, COPYed in (100,200 at scale 1).

Derived fields are what the app computes: ``search_name`` with ``courses.text.fold``, ``phone_key`` with
``staff.models.people.phone_key``; an account made from the roster is named by the employee code, has an
unusable password ("!…", as ``make_password(None)``) and stays inactive until the official activates it.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from array import array
from dataclasses import dataclass

from . import names
from .db import copy_rows, next_id, sync_sequence
from .units import City

UNUSABLE_ALPHABET = string.ascii_letters + string.digits


@dataclass
class People:
    """Compact columns (no model instances): index i is one official."""

    ids: array
    unit_now: array
    unit_old: array  # 0: no pre-merger unit
    user: array  # 0: no account
    active: bytearray  # 1: still in service
    name: list[str]  # full names: the audit line of a certificate names its holder

    def __len__(self) -> int:
        return len(self.ids)


def _personal_id(rng: random.Random, index: int, female: bool, birth: dt.date) -> str:
    from staff.personal_id import PROVINCE_CODES

    province = sorted(PROVINCE_CODES)[index % len(PROVINCE_CODES)]
    century = (0 if birth.year < 2000 else 2) + (1 if female else 0)
    # The last six digits come from the index: unique across the city without a lookup.
    return f"{province}{century}{birth.year % 100:02d}{index:06d}"[:12]


def build_people(total: int, city: City, rng: random.Random, now: dt.datetime) -> People:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from courses.text import fold
    from staff.demo.organisation import MERGER_DAY
    from staff.models import Official, OfficialStatus, Rank, UnitAssignment
    from staff.models.people import phone_key

    existing = list(Official.objects.values_list("pk", "unit_id", "user_id", "status", "full_name").order_by("pk"))
    people = People(array("q"), array("q"), array("q"), array("q"), bytearray(), [])
    for pk, unit, user, status, full_name in existing:
        people.name.append(full_name)
        people.ids.append(pk)
        people.unit_now.append(unit or city.root)
        people.unit_old.append(0)
        people.user.append(user or 0)
        people.active.append(status == OfficialStatus.ACTIVE)
    ranks = list(Rank.objects.values_list("pk", flat=True))
    ward_target = max(1, round(total * 600 / 100_200)) - Official.objects.filter(unit_id__in=city.ward_units).count()
    start_code = len(existing) + 1
    activated_hash = make_password("bench-official-2026")  # one hash for every activated account: seconds saved
    official_id, user_id = next_id(Official), next_id(User)
    users: list[tuple] = []
    officials: list[tuple] = []
    assignments: list[tuple] = []
    for n in range(total - len(existing)):
        index = start_code + n
        code = f"CB{index:06d}"
        female = rng.random() < 0.55
        full = " ".join((rng.choice(names.FAMILY), rng.choice(names.MIDDLE_FEMALE if female else names.MIDDLE_MALE),
                         rng.choice(names.GIVEN_FEMALE if female else names.GIVEN_MALE)))
        unit = rng.choice(city.ward_units) if n < ward_target else rng.choice(city.current)
        old_units = city.legacy.get(unit)
        old = rng.choice(old_units) if old_units else 0
        birth = dt.date(1965 + rng.randrange(36), rng.randrange(1, 13), rng.randrange(1, 29))
        roll = rng.random()
        status = (OfficialStatus.RETIRED if roll < 0.02 else OfficialStatus.TRANSFERRED if roll < 0.04
                  else OfficialStatus.ACTIVE)
        phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.7 else ""
        email = f"{code.lower()}@example.invalid"
        uid = 0
        if rng.random() < 0.8:
            uid = user_id
            user_id += 1
            activated = rng.random() < 0.75
            password = activated_hash if activated else "!" + "".join(rng.choices(UNUSABLE_ALPHABET, k=40))
            users.append((uid, password, now if activated else None, False, code, full[:150], "", email, False,
                          activated and status == OfficialStatus.ACTIVE, now))
        category = rng.choices(("cong_chuc", "vien_chuc", "can_bo", "khong_chuyen_trach"), weights=(6, 2, 1, 1))[0]
        officials.append((
            official_id, code, _personal_id(rng, index, female, birth) if rng.random() < 0.7 else None, full,
            fold(full), birth, "female" if female else "male",
            rng.choice(names.MINORITIES) if rng.random() < 0.06 else "Kinh", category, rng.choice(ranks),
            rng.choice(names.JOBS), rng.choice(names.LEADERS) if rng.random() < 0.1 else "", unit, status, email,
            phone, phone_key(phone), uid or None, "vi", now, now))
        if old:
            assignments.append((official_id, old, dt.date(2012 + rng.randrange(9), 1 + rng.randrange(12), 1),
                                MERGER_DAY - dt.timedelta(days=1)))
            assignments.append((official_id, unit, MERGER_DAY, None))
        else:
            assignments.append((official_id, unit, dt.date(2008 + rng.randrange(13), 1 + rng.randrange(12), 1), None))
        people.ids.append(official_id)
        people.unit_now.append(unit)
        people.unit_old.append(old)
        people.user.append(uid)
        people.active.append(status == OfficialStatus.ACTIVE)
        people.name.append(full)
        official_id += 1
    copy_rows(User, ("id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                     "is_staff", "is_active", "date_joined"), users)
    copy_rows(Official, ("id", "employee_code", "personal_id", "full_name", "search_name", "date_of_birth", "gender",
                         "ethnicity", "category", "rank", "job_position", "leadership_position", "unit", "status",
                         "email", "phone", "phone_key", "user", "preferred_language", "created_at", "updated_at"),
              officials)
    copy_rows(UnitAssignment, ("official", "unit", "start", "end"), assignments)
    for model in (User, Official):
        sync_sequence(model)
    return people
