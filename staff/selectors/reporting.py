"""The yearly training report, the training part of the administrative-reform (CCHC) report.

Every number comes from GROUP BY queries (a handful, whatever the number of enrollments): by content
group × programme type (with the valid certificates by type), by unit, plan lines, exchange sessions and compliance,
exchanges and adoptions (``build_exchange_section``).
Python only folds the aggregated rows (units merged in 2025 into today's units, when asked) and adds
totals.

Definitions (what HR asked the report to show):
- the year is the year of completion (``Enrollment.completed_on``), as in "My training" and the yearly rule;
- participants are completed enrollments ("lượt người"): one person in two classes counts twice;
- classes are the distinct sessions with at least one such participant from the scope;
- periods are the periods earned, summed over participants;
- certificates are the valid certificates of those enrollments, by credential type;
- ethnic minority: ``ethnicity`` not "Kinh" (compared folded; empty counts as not recorded, not minority);
  leaders: a non-empty ``leadership_position``;
- the share meeting the yearly requirement counts today's active officials of the scope
  (``officials_with_compliance``): it is about people now, so it does not change with the mapping.

Which enrollments a report counts (``ReportUnits``): "as it was" counts an enrollment under the unit the
official belonged to when they enrolled (``Enrollment.unit``); "mapped" first folds units that no longer
exist today into the unit that inherited their records (``successor_map``), so a ward merged on 1 July
2025 counts under the new ward. A report of a unit counts the enrollments whose (mapped or unmapped) unit
lies in the unit's subtree. (This is not access scope, which ``staff.access`` decides before a report is
asked for.)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, Count, FilteredRelation, Q, QuerySet, Sum
from django.utils import timezone

from courses.models import ContentGroup, CredentialType, ProgrammeType
from courses.text import fold
from staff.models import (
    MAJORITY_ETHNICITY,
    AdoptionEvent,
    AdoptionStatus,
    Category,
    CertificateStatus,
    Enrollment,
    EnrollmentStatus,
    Gender,
    Official,
    OfficialStatus,
    TrainingPlan,
    Unit,
)
from staff.selectors.compliance import officials_below_requirement
from staff.selectors.organisation import map_unit, successor_map, unit_subtree


@dataclass(frozen=True)
class ReportUnits:
    """The units whose enrollments count, and how to fold a stored unit id into the reported one."""

    unit: Unit | None
    mapped: bool
    mapping: dict[int, int] = field(default_factory=dict)
    # None: the whole city, no filter at all.
    unit_ids: frozenset[int] | None = None

    def report_unit(self, unit_id: int) -> int:
        return self.mapping.get(unit_id, unit_id) if self.mapped else unit_id

    def filter_enrollments(self, queryset, prefix: str = ""):
        if self.unit_ids is None:
            return queryset
        return queryset.filter(**{f"{prefix}unit_id__in": sorted(self.unit_ids)})


def report_units(unit: Unit | None, *, mapped: bool = False, on: dt.date | None = None,
               using: str = "default") -> ReportUnits:
    """Two or three small queries over units and succession links, never over enrollments."""
    mapping = successor_map(on=on or timezone.localdate(), using=using) if mapped else {}
    if unit is None:
        return ReportUnits(unit=None, mapped=mapped, mapping=mapping)
    subtree = set(unit_subtree(unit, using=using).values_list("pk", flat=True))
    if mapped:
        # Every unit whose records land in the subtree: the subtree's own units that still exist,
        # and the former units whose successor chain ends inside it.
        ids = {pk for pk in subtree if pk not in mapping} | {old for old, new in mapping.items() if new in subtree}
    else:
        ids = subtree
    return ReportUnits(unit=unit, mapped=mapped, mapping=mapping, unit_ids=frozenset(ids))


def completed_periods_by_unit(
    *, year: int, mapped_to: dt.date | None = None, units: Iterable[int] | None = None, using: str = "default"
) -> dict[int, int]:
    """Periods of training completed in ``year``, per unit, in one aggregate query.

    By default the training counts "as it was", under the unit the official belonged to when they
    enrolled. With ``mapped_to`` set, units that no longer existed on that day are folded into
    their successors ("mapped onto today's units").
    """
    rows = (
        Enrollment.objects.using(using)
        .filter(status=EnrollmentStatus.COMPLETED, completed_on__year=year)
        .values("unit_id")
        .annotate(periods=Sum("periods_earned"))
        .order_by()
    )
    totals: dict[int, int] = defaultdict(int)
    mapping = successor_map(on=mapped_to, using=using) if mapped_to else {}
    for row in rows:
        totals[map_unit(row["unit_id"], mapping)] += row["periods"] or 0
    if units is not None:
        wanted = set(units)
        return {unit_id: periods for unit_id, periods in totals.items() if unit_id in wanted}
    return dict(totals)


COUNT_FIELDS = ("participants", "female", "minority", "leaders", "periods")


CATEGORIES = tuple(Category.values)


CREDENTIALS = tuple(CredentialType.values)


PROGRAMME_ORDER = {value: index for index, value in enumerate(ProgrammeType.values)}


@dataclass
class ExchangeSection:
    sessions: list[dict] = field(default_factory=list)
    adoptions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AdoptionStatus.values, 0))

    @property
    def participants(self) -> int:
        return sum(row["participants"] for row in self.sessions)

    @property
    def adoptions_total(self) -> int:
        return sum(self.adoptions.values())


def build_exchange_section(scope: ReportUnits, base, *, year: int, using: str = "default") -> ExchangeSection:
    """Two GROUP BY queries: ``base`` is the report's completed enrollments of the year in the scope."""
    sessions = list(
        base.filter(session__course__exchangepage__isnull=False)
        .values("session_id", "session__code", "session__course__title",
                "session__course__exchangepage__host_unit__name", "session__start_date", "session__end_date")
        .annotate(participants=Count("pk")).order_by("session__start_date", "session_id")
    )
    events = AdoptionEvent.objects.using(using).filter(on__year=year)
    if scope.unit_ids is not None:
        events = events.filter(adoption__unit_id__in=sorted(scope.unit_ids))
    section = ExchangeSection(sessions=sessions)
    for row in events.values("status").annotate(n=Count("adoption", distinct=True)).order_by():
        section.adoptions[row["status"]] = row["n"]
    return section


@dataclass
class Counts:
    classes: int = 0
    participants: int = 0
    female: int = 0
    minority: int = 0
    leaders: int = 0
    periods: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    certificates: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CREDENTIALS, 0))

    def add(self, other: Counts) -> None:
        self.classes += other.classes
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, value in other.by_category.items():
            self.by_category[key] = self.by_category.get(key, 0) + value
        for key, value in other.certificates.items():
            self.certificates[key] = self.certificates.get(key, 0) + value


@dataclass
class Line(Counts):
    """One row of the summary: a content group and a programme type."""

    group: str = ""
    programme_type: str = ""
    planned_classes: int | None = None
    planned_participants: int | None = None


@dataclass
class UnitLine(Counts):
    unit_id: int = 0
    code: str = ""
    name: str = ""
    officials: int = 0
    meeting: int = 0

    @property
    def share(self) -> float | None:
        return self.meeting / self.officials if self.officials else None


@dataclass
class ReformReport:
    year: int
    unit: Unit | None
    mapped: bool
    generated_on: dt.date
    lines: list[Line]
    total: Counts
    units: list[UnitLine]
    officials: int
    meeting: int
    exchanges: list[Mapping[str, Any]]
    has_plan: bool
    # Exchange pages held and adoptions recorded in the year (build_exchange_section).
    replication: ExchangeSection = field(default_factory=ExchangeSection)

    @property
    def share(self) -> float | None:
        return self.meeting / self.officials if self.officials else None

    @property
    def exchange_sessions(self) -> int:
        return len(self.exchanges)

    def periods_by_group(self) -> list[tuple[str, int]]:
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.group] = totals.get(line.group, 0) + line.periods
        return list(totals.items())


def _majority_spellings(using: str) -> list[str]:
    # The few distinct spellings on record ("Kinh", "kinh", "KINH "): one small query, folded here,
    # so the counts themselves stay one SQL aggregate.
    target = fold(MAJORITY_ETHNICITY)
    spellings = Official.objects.using(using).order_by().values_list("ethnicity", flat=True).distinct()
    return ["", *(value for value in spellings if value and fold(value) == target)]


def _aggregates(using: str) -> dict[str, Aggregate]:
    minority = ~Q(official__ethnicity__in=_majority_spellings(using))
    return {
        "participants": Count("pk"),
        "female": Count("pk", filter=Q(official__gender=Gender.FEMALE)),
        "minority": Count("pk", filter=minority),
        "leaders": Count("pk", filter=~Q(official__leadership_position="")),
        "periods": Sum("periods_earned"),
        **{f"cat_{code}": Count("pk", filter=Q(official__category=code)) for code in CATEGORIES},
    }


def _fill(target: Counts, row: Mapping[str, Any]) -> None:
    for name in COUNT_FIELDS:
        setattr(target, name, getattr(target, name) + (row[name] or 0))
    for code in CATEGORIES:
        target.by_category[code] += row[f"cat_{code}"]


def scoped_enrollments(scope: ReportUnits, *, year: int, using: str = "default") -> QuerySet[Enrollment]:
    rows = Enrollment.objects.using(using).filter(status=EnrollmentStatus.COMPLETED, completed_on__year=year)
    return scope.filter_enrollments(rows)


def build_reform_report(*, year: int, unit: Unit | None = None, mapped: bool = False, today: dt.date | None = None,
                        using: str = "default") -> ReformReport:
    today = today or timezone.localdate()
    scope = report_units(unit, mapped=mapped, on=today, using=using)
    base = scoped_enrollments(scope, year=year, using=using)
    aggregates = _aggregates(using)
    lines = _Lines(groups={group.pk: group for group in ContentGroup.objects.using(using).all()})
    _count_lines(lines, base, aggregates)
    has_plan = _add_plans(lines, year=year, unit=unit, using=using)
    ordered = lines.ordered()
    total = Counts()
    for value in ordered:
        total.add(value)
    units, officials, meeting = _by_unit(scope, base, aggregates, year=year, unit=unit, using=using)
    return ReformReport(year=year, unit=unit, mapped=mapped, generated_on=today, lines=ordered, total=total,
                        units=units, officials=officials, meeting=meeting, exchanges=_exchange_sessions(base),
                        has_plan=has_plan, replication=build_exchange_section(scope, base, year=year, using=using))


@dataclass
class _Lines:
    """The summary's lines by (content group id, programme type), made on first use."""

    groups: dict[int, ContentGroup]
    by_key: dict[tuple[int | None, str], Line] = field(default_factory=dict)

    def line(self, group_id: int | None, programme: str) -> Line:
        if (group_id, programme) not in self.by_key:
            group = self.groups.get(group_id) if group_id is not None else None
            self.by_key[(group_id, programme)] = Line(group=group.name if group else "", programme_type=programme)
        return self.by_key[(group_id, programme)]

    def ordered(self) -> list[Line]:
        """Content groups in their order (lines without one last), then programme types in theirs."""

        def order(item: tuple[tuple[int | None, str], Line]) -> tuple[bool, int, str, int]:
            (group_id, programme), line = item
            group = self.groups.get(group_id) if group_id is not None else None
            return (group is None, group.sort_order if group else 0, line.group, PROGRAMME_ORDER.get(programme, 99))

        return [value for _key, value in sorted(self.by_key.items(), key=order)]


def _count_lines(lines: _Lines, base: QuerySet[Enrollment], aggregates: dict[str, Aggregate]) -> None:
    """Classes, participants' counts and valid certificates by credential type, per content group and
    programme type: one GROUP BY.

    The valid certificate is joined as a filtered relation: an enrollment has at most one (the unique
    constraint ``one_valid_certificate_per_enrollment``), so the join adds no row and every other count is
    still a count of enrollments. (A second GROUP BY over certificates with ``enrollment IN (base)`` read the
    year's enrollments twice.)"""
    group_key = ("session__course__content_group_id", "session__course__programme_type")
    certificates = {f"cert_{code}": Count("valid_certificate", filter=Q(valid_certificate__credential_type=code))
                    for code in CREDENTIALS}
    rows = (base.annotate(valid_certificate=FilteredRelation(
                "certificates", condition=Q(certificates__status=CertificateStatus.VALID)))
            .values(*group_key).annotate(classes=Count("session", distinct=True), **aggregates, **certificates)
            .order_by())
    for row in rows:
        target = lines.line(row[group_key[0]], row[group_key[1]])
        target.classes = row["classes"]
        _fill(target, row)
        for code in CREDENTIALS:
            target.certificates[code] = target.certificates.get(code, 0) + row[f"cert_{code}"]


def _add_plans(lines: _Lines, *, year: int, unit: Unit | None, using: str) -> bool:
    """The year's planned classes and participants, per line; whether any plan was entered."""
    plans = TrainingPlan.objects.using(using).filter(year=year)
    if unit is not None:
        plans = plans.filter(unit__path__startswith=unit.path)
    plan_rows = list(plans.values("content_group_id", "programme_type")
                     .annotate(classes=Sum("classes"), participants=Sum("participants")).order_by())
    for row in plan_rows:
        target = lines.line(row["content_group_id"], row["programme_type"])
        target.planned_classes = (target.planned_classes or 0) + row["classes"]
        target.planned_participants = (target.planned_participants or 0) + row["participants"]
    return bool(plan_rows)


def _exchange_sessions(base: QuerySet[Enrollment]) -> list[Mapping[str, Any]]:
    """The sessions of best-practice sharing (programme type "exchange") with their participants: one GROUP BY."""
    return list(
        base.filter(session__course__programme_type=ProgrammeType.EXCHANGE)
        .values("session_id", "session__code", "session__course__title", "session__course__organizer__name",
                "session__start_date", "session__end_date")
        .annotate(participants=Count("pk")).order_by("session__start_date", "session_id")
    )


def _by_unit(scope: ReportUnits, base: QuerySet[Enrollment], aggregates: dict[str, Aggregate], *, year: int,
             unit: Unit | None, using: str) -> tuple[list[UnitLine], int, int]:
    """Per reported unit: the enrollments' counts (folded through the mapping) and today's compliance."""
    by_unit: dict[int, UnitLine] = defaultdict(UnitLine)
    for row in base.values("unit_id").annotate(**aggregates).order_by():
        target = by_unit[scope.report_unit(row["unit_id"])]
        _fill(target, row)

    people = Official.objects.using(using).filter(status=OfficialStatus.ACTIVE, unit__isnull=False)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    # Who met the rule: the grouped aggregate of ``officials_below_requirement`` (the same rule as
    # ``officials_with_compliance``), read as a set, instead of a correlated SUM per official of the city.
    met = officials_below_requirement(people, year=year, below=False).values("pk")
    compliance = people.values("unit_id").annotate(n=Count("pk"), ok=Count("pk", filter=Q(pk__in=met))).order_by()
    officials = meeting = 0
    for row in compliance:
        target = by_unit[row["unit_id"]]
        target.officials, target.meeting = row["n"], row["ok"] or 0
        officials += row["n"]
        meeting += row["ok"] or 0

    names = {pk: (code, name, path) for pk, code, name, path in
             Unit.objects.using(using).filter(pk__in=list(by_unit)).values_list("pk", "code", "name", "path")}
    lines = []
    for unit_id, value in by_unit.items():
        value.unit_id = unit_id
        value.code, value.name, _path = names.get(unit_id, ("", "", ""))
        lines.append(value)
    lines.sort(key=lambda value: names.get(value.unit_id, ("", "", ""))[2])
    return lines, officials, meeting
