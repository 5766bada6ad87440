"""Synthetic demo data for a Hanoi-like city: units with their 2025 lineage, officials, courses, logins.

Every name, code and number here is invented (no real personal data). The lineage of units is
illustrative of the 1 July 2025 reorganisation, not an authoritative copy of it.
Idempotent: everything is found by a natural key before it is created, so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from modelsearch.index import remove_object
from wagtail.models import GroupPagePermission, Page, Site

from courses.models import (
    ApprovalPolicy,
    BestPracticePage,
    CatalogPage,
    ContentGroup,
    CoursePage,
    CourseSession,
    CredentialType,
    ExchangePage,
    FieldOfWork,
    HomePage,
    LegalDocument,
    PracticeIndexPage,
    PracticeIndicator,
    ProgrammeType,
    SessionMode,
    Skill,
    Trainer,
    TrainingPage,
    WorkshopKind,
    WorkshopPage,
)
from courses.services import site_root_ensure
from staff.models import (
    Adoption,
    AdoptionEvent,
    AdoptionResult,
    AdoptionStatus,
    Attendance,
    Category,
    Certificate,
    CertificateStatus,
    Enrollment,
    EnrollmentEvent,
    EnrollmentStatus,
    Feedback,
    Gender,
    Official,
    Rank,
    Role,
    RoleAssignment,
    TrainingPlan,
    TrainingRequirement,
    Unit,
    UnitAssignment,
    UnitKind,
)
from staff.services.certificates import certificate_issue
from staff.services.enrollment import reservation_set, session_recount_seats
from staff.services.organisation import unit_succession_record
from staff.services.people import official_assign_unit
from staff.services.replication import exchange_reserve_seats

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

RANKS = [
    ("01.001", "Chuyên viên cao cấp", 1, Category.CIVIL_SERVANT),
    ("01.002", "Chuyên viên chính", 2, Category.CIVIL_SERVANT),
    ("01.003", "Chuyên viên", 3, Category.CIVIL_SERVANT),
    ("01.004", "Cán sự", 4, Category.CIVIL_SERVANT),
    ("01.005", "Nhân viên", 5, Category.CIVIL_SERVANT),
]

LEGAL_DOCUMENTS = [
    ("171/2025/NĐ-CP", "Nghị định về đào tạo, bồi dưỡng công chức", dt.date(2025, 7, 1), None),
    ("80/2025/QH15", "Luật Cán bộ, công chức", dt.date(2025, 7, 1), None),
    ("101/2017/NĐ-CP", "Nghị định về đào tạo, bồi dưỡng cán bộ, công chức, viên chức", dt.date(2017, 9, 1), None),
    ("89/2021/NĐ-CP", "Nghị định sửa đổi, bổ sung Nghị định 101/2017/NĐ-CP", dt.date(2021, 11, 30), None),
]

CONTENT_GROUPS = [
    ("ly-luan-chinh-tri", "Lý luận chính trị"),
    ("quoc-phong-an-ninh", "Kiến thức quốc phòng và an ninh"),
    ("quan-ly-nha-nuoc", "Kiến thức, kỹ năng quản lý nhà nước"),
    ("vi-tri-viec-lam", "Kiến thức, kỹ năng theo yêu cầu vị trí việc làm"),
    ("khcn-so", "Khoa học, công nghệ, đổi mới sáng tạo và kỹ năng số"),
]

FIELDS = [
    ("tu-phap-ho-tich", "Tư pháp – hộ tịch"),
    ("dat-dai", "Đất đai"),
    ("dang-ky-kinh-doanh", "Đăng ký kinh doanh"),
    ("mot-cua", "Một cửa – dịch vụ công"),
    ("chuyen-doi-so", "Chuyển đổi số"),
    ("van-thu-luu-tru", "Văn thư – lưu trữ"),
]

SKILLS = ["Kỹ năng số", "Kỹ năng giao tiếp", "Soạn thảo văn bản", "Quản lý hồ sơ", "Lãnh đạo, quản lý"]

TRAINERS = [
    ("Trần Minh Đức", "Giảng viên chính", "Trung tâm Bồi dưỡng cán bộ, công chức"),
    ("Lê Thu Hằng", "Chuyên gia chuyển đổi số", "Sở Khoa học và Công nghệ"),
    ("Phạm Quốc Khánh", "Phó Giám đốc", "Sở Tư pháp"),
    ("Đỗ Thị Ngọc Ánh", "Chuyên viên chính", "Sở Nông nghiệp và Môi trường"),
]


@dataclass(frozen=True)
class DemoCourse:
    slug: str
    title: str
    summary: str
    group: str
    programme: str
    field: str | None
    credential: str
    periods: int
    organizer: str
    skills: tuple[str, ...] = ()
    validity_months: int | None = None
    workshop: str | None = None
    # (code, start: a fixed date or days from the seed day, length in days, mode, capacity).
    # Fixed dates before 1 July 2025 give the demo training recorded under units that no longer exist.
    sessions: tuple[tuple[str, int | dt.date, int, str, int], ...] = ()


IN, ON, HY = SessionMode.IN_PERSON, SessionMode.ONLINE, SessionMode.HYBRID
COURSES = [
    DemoCourse("ky-nang-so-cap-xa", "Kỹ năng số cho cán bộ, công chức cấp xã",
               "Sử dụng dịch vụ công trực tuyến, chữ ký số và bảo đảm an toàn thông tin.", "khcn-so",
               ProgrammeType.JOB_POSITION, "chuyen-doi-so", CredentialType.GIAY_CHUNG_NHAN, 16, "TTBD",
               ("Kỹ năng số",), 24, sessions=(("KNS-01", dt.date(2025, 4, 14), 2, IN, 40), ("KNS-02", -20, 2, IN, 40),
                                             ("KNS-03", 21, 2, HY, 60))),
    DemoCourse("boi-duong-ngach-chuyen-vien", "Bồi dưỡng ngạch chuyên viên",
               "Chương trình bồi dưỡng theo tiêu chuẩn ngạch chuyên viên.", "quan-ly-nha-nuoc",
               ProgrammeType.RANK_STANDARD, None, CredentialType.CHUNG_CHI, 240, "TTBD",
               ("Soạn thảo văn bản",),
               sessions=(("CV-2025-1", dt.date(2025, 3, 3), 30, IN, 80), ("CV-2026-1", 45, 30, IN, 80))),
    DemoCourse("boi-duong-ngach-chuyen-vien-chinh", "Bồi dưỡng ngạch chuyên viên chính",
               "Chương trình bồi dưỡng theo tiêu chuẩn ngạch chuyên viên chính.", "quan-ly-nha-nuoc",
               ProgrammeType.RANK_STANDARD, None, CredentialType.CHUNG_CHI, 320, "TTBD",
               ("Lãnh đạo, quản lý",), sessions=(("CVC-2026-1", 60, 40, IN, 60),)),
    DemoCourse("nghiep-vu-ho-tich", "Nghiệp vụ đăng ký và quản lý hộ tịch",
               "Đăng ký khai sinh, kết hôn, khai tử; liên thông thủ tục hành chính.", "vi-tri-viec-lam",
               ProgrammeType.JOB_POSITION, "tu-phap-ho-tich", CredentialType.GIAY_CHUNG_NHAN, 24, "STP",
               ("Quản lý hồ sơ",), 36, sessions=(("HT-01", dt.date(2025, 5, 19), 3, IN, 30), ("HT-02", 14, 3, IN, 30))),
    DemoCourse("quan-ly-dat-dai-cap-xa", "Quản lý nhà nước về đất đai ở cấp xã",
               "Luật Đất đai 2024, đăng ký biến động, giải quyết tranh chấp ở cơ sở.", "vi-tri-viec-lam",
               ProgrammeType.JOB_POSITION, "dat-dai", CredentialType.GIAY_CHUNG_NHAN, 24, "SNNMT",
               sessions=(("DD-01", -60, 3, IN, 50), ("DD-02", 35, 3, ON, 100))),
    DemoCourse("quoc-phong-an-ninh-doi-tuong-4", "Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4",
               "Kiến thức quốc phòng và an ninh cho cán bộ, công chức cấp xã.", "quoc-phong-an-ninh",
               ProgrammeType.RANK_STANDARD, None, CredentialType.CHUNG_CHI, 32, "SNV",
               sessions=(("QPAN-01", 28, 4, IN, 120),)),
    DemoCourse("cap-nhat-ly-luan-chinh-tri", "Cập nhật kiến thức lý luận chính trị",
               "Chuyên đề cập nhật về nghị quyết, chủ trương mới.", "ly-luan-chinh-tri",
               ProgrammeType.UPDATE, None, CredentialType.GIAY_CHUNG_NHAN, 16, "SNV",
               sessions=(("LLCT-01", -90, 2, IN, 150), ("LLCT-02", 70, 2, HY, 150))),
    DemoCourse("giao-tiep-mot-cua", "Kỹ năng giao tiếp, ứng xử tại bộ phận một cửa",
               "Tiếp nhận hồ sơ, hướng dẫn người dân, xử lý tình huống khó.", "vi-tri-viec-lam",
               ProgrammeType.JOB_POSITION, "mot-cua", CredentialType.GIAY_CHUNG_NHAN, 16, "TTBD",
               # Valid 3 months: the certificates of MC-01 expire within 90 days, so reminders have work.
               ("Kỹ năng giao tiếp",), 3, sessions=(("MC-01", -40, 2, IN, 35), ("MC-02", 10, 2, IN, 35))),
    DemoCourse("lanh-dao-cap-phong", "Bồi dưỡng lãnh đạo, quản lý cấp phòng",
               "Chương trình theo vị trí lãnh đạo, quản lý cấp phòng.", "quan-ly-nha-nuoc",
               ProgrammeType.LEADERSHIP, None, CredentialType.CHUNG_CHI, 160, "TTBD",
               ("Lãnh đạo, quản lý",), sessions=(("LD-2026-1", 90, 20, IN, 50),)),
    DemoCourse("tri-tue-nhan-tao-van-ban", "Ứng dụng trí tuệ nhân tạo trong xử lý văn bản hành chính",
               "Dùng công cụ AI an toàn để soạn thảo, tóm tắt và tra cứu văn bản.", "khcn-so",
               ProgrammeType.UPDATE, "chuyen-doi-so", CredentialType.GIAY_CHUNG_NHAN, 8, "SKHCN",
               ("Kỹ năng số", "Soạn thảo văn bản"), sessions=(("AI-01", 7, 1, ON, 200),)),
    DemoCourse("dang-ky-kinh-doanh", "Đăng ký doanh nghiệp và hộ kinh doanh",
               "Quy trình đăng ký, thay đổi, tạm ngừng kinh doanh trên hệ thống quốc gia.", "vi-tri-viec-lam",
               ProgrammeType.JOB_POSITION, "dang-ky-kinh-doanh", CredentialType.GIAY_CHUNG_NHAN, 16, "SKHCN",
               sessions=(("DKKD-01", -120, 2, IN, 40), ("DKKD-02", 50, 2, IN, 40))),
    DemoCourse("hoi-thao-chinh-quyen-so", "Hội thảo: Chính quyền số gần dân",
               "Các phường, xã trình bày mô hình chính quyền số phục vụ người dân.", "khcn-so",
               ProgrammeType.EXCHANGE, "chuyen-doi-so", CredentialType.ATTENDANCE, 4, "SNV",
               workshop=WorkshopKind.WORKSHOP, sessions=(("HTCQS-01", 18, 1, HY, 120),)),
    DemoCourse("chia-se-tra-ket-qua-tai-nha", "Chia sẻ kinh nghiệm: trả kết quả thủ tục hành chính tại nhà",
               "Mô hình trả kết quả tận nhà, miễn phí, cho 7 lĩnh vực tư pháp.", "vi-tri-viec-lam",
               ProgrammeType.EXCHANGE, "mot-cua", CredentialType.ATTENDANCE, 4, "P-KHUONGDINH",
               workshop=WorkshopKind.SHARING, sessions=(("CS-01", -30, 1, IN, 60), ("CS-02", 40, 1, IN, 60))),
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

# username, first name, last name, role, unit code, superuser
LOGINS = [
    ("admin", "Quản trị", "hệ thống", None, None, True),
    ("hr.thanhpho", "Nhân sự", "Sở Nội vụ", Role.CITY_HR, "HN", False),
    ("hr.khuongdinh", "Nhân sự", "phường Khương Đình", Role.UNIT_HR, "P-KHUONGDINH", False),
    ("hr.ankhanh", "Nhân sự", "xã An Khánh", Role.UNIT_HR, "X-ANKHANH", False),
    ("tochuc", "Tổ chức", "Trung tâm Bồi dưỡng", Role.ORGANIZER, "TTBD", False),
    ("canbo", "Hồng Hải", "Nguyễn Thị", None, None, False),
]
DEMO_OFFICIAL_CODE = "CB000001"


def seed_demo(*, officials: int = 200, today: dt.date | None = None) -> dict[str, int]:
    """Create the demo data if it is missing; return the row counts afterwards."""
    today = today or timezone.localdate()
    with transaction.atomic():
        units = _seed_units()
        ranks = {code: Rank.objects.get_or_create(code=code, defaults={"name": name, "tier": tier,
                                                                        "category": cat})[0]
                 for code, name, tier, cat in RANKS}
        reference = _seed_reference()
        catalog = _seed_pages()
        _seed_courses(catalog, units, ranks, reference, today)
        people = _seed_officials(units, ranks, officials)
        _seed_enrollments(people, today)
        _seed_lifecycle(units)
        _seed_hr_rules(units, today)
        _seed_logins(units)
        _seed_certificates()
        _seed_practices(units, today)
    return demo_counts()


def demo_counts() -> dict[str, int]:
    models = [Unit, Official, UnitAssignment, Rank, ContentGroup, FieldOfWork, Skill, LegalDocument, Trainer,
              TrainingPage, CourseSession, Enrollment, Certificate, User, Group, RoleAssignment, Page]
    return {model._meta.label: model.objects.count() for model in models}


def _seed_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, kind, parent, valid_from, valid_to in UNITS:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent) if parent else None,
                                 "valid_from": valid_from, "valid_to": valid_to}
        )
    for old, new, kind, share in SUCCESSIONS:
        unit_succession_record(predecessor=units[old], successor=units[new], effective_date=MERGER_DAY,
                               legal_basis=MERGER_BASIS, kind=kind, share=share)
    # The children of an abolished district ended with it.
    for unit in Unit.objects.filter(kind=UnitKind.DISTRICT, valid_to__isnull=False):
        Unit.objects.filter(path__startswith=unit.path, valid_to__isnull=True).update(valid_to=unit.valid_to)
    return {unit.code: unit for unit in Unit.objects.all()}


def _seed_reference() -> dict[str, dict]:
    laws = {number: LegalDocument.objects.get_or_create(
        number=number, defaults={"title": title, "effective_from": start, "effective_to": end})[0]
        for number, title, start, end in LEGAL_DOCUMENTS}
    groups = {code: ContentGroup.objects.get_or_create(
        code=code, defaults={"name": name, "sort_order": order, "legal_basis": laws["171/2025/NĐ-CP"]})[0]
        for order, (code, name) in enumerate(CONTENT_GROUPS, start=1)}
    fields = {code: FieldOfWork.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in FIELDS}
    skills = {name: Skill.objects.get_or_create(name=name)[0] for name in SKILLS}
    trainers = [Trainer.objects.get_or_create(name=name, defaults={"title": title, "organisation": org})[0]
                for name, title, org in TRAINERS]
    return {"laws": laws, "groups": groups, "fields": fields, "skills": skills, "trainers": trainers}


def _seed_pages() -> CatalogPage:
    home = HomePage.objects.first()
    if home is None:
        root = site_root_ensure()
        home = root.add_child(instance=HomePage(
            title="Bồi dưỡng cán bộ, công chức", slug="trang-chu",
            intro="<p>Khóa học, hội thảo và buổi chia sẻ kinh nghiệm giữa các phường, xã.</p>"))
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site:
            site.root_page = home
            site.site_name = "Bồi dưỡng CBCC"
            site.save()
        else:
            Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                                site_name="Bồi dưỡng CBCC")
        if old_root is not None and old_root.specific_class is Page:
            old_root.delete()  # Wagtail's "Welcome" placeholder
    catalog = CatalogPage.objects.first()
    if catalog is None:
        catalog = home.add_child(instance=CatalogPage(
            title="Danh mục khóa học", slug="khoa-hoc",
            intro="<p>Tìm khóa học theo nhóm nội dung, lĩnh vực, đơn vị tổ chức, hình thức và tháng.</p>"))
    return catalog


def _seed_courses(catalog, units, ranks, reference, today: dt.date) -> None:
    trainers = reference["trainers"]
    for number, spec in enumerate(COURSES):
        page = TrainingPage.objects.filter(slug=spec.slug).first()
        if page is None:
            page_class = WorkshopPage if spec.workshop else CoursePage
            extra = {"workshop_kind": spec.workshop} if spec.workshop else {}
            page = page_class(
                title=spec.title, slug=spec.slug, summary=spec.summary,
                content_group=reference["groups"][spec.group], programme_type=spec.programme,
                field_of_work=reference["fields"].get(spec.field) if spec.field else None,
                legal_basis=reference["laws"]["171/2025/NĐ-CP"], credential_type=spec.credential,
                periods=spec.periods, organizer=units[spec.organizer], certificate_validity_months=spec.validity_months,
                target_categories=["cong_chuc", "vien_chuc"] if number % 3 else ["can_bo", "cong_chuc"],
                body=[("heading", "Nội dung chương trình"),
                      ("module", {"title": f"Chuyên đề 1: {spec.title}", "periods": max(1, spec.periods // 2),
                                  "description": f"<p>{spec.summary}</p>"})],
                **extra,
            )
            catalog.add_child(instance=page)
            page.skills.set([reference["skills"][name] for name in spec.skills])
            page.target_ranks.set([ranks["01.003"], ranks["01.004"]])
            page.save_revision().publish()
        for code, offset, length, mode, capacity in spec.sessions:
            start = offset if isinstance(offset, dt.date) else today + dt.timedelta(days=offset)
            session, created = CourseSession.objects.get_or_create(
                course=page, code=code,
                defaults={"start_date": start, "end_date": start + dt.timedelta(days=length - 1), "mode": mode,
                          "capacity": capacity, "venue": "Hội trường Trung tâm Bồi dưỡng, 45 Lê Duẩn" if mode != ON
                          else "", "online_url": "https://hop.example.invalid/lop" if mode != IN else "",
                          "enrollment_closes": timezone.make_aware(dt.datetime.combine(
                              start - dt.timedelta(days=2), dt.time(17, 0)))},
            )
            if created:
                session.trainers.set([trainers[number % len(trainers)]])


def _seed_officials(units, ranks, count: int) -> list[Official]:
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
    # The demo's officials with their assignment history, which _seed_enrollments reads for each session.
    return list(Official.objects.order_by("employee_code").prefetch_related("assignments")[:count])


def _unit_on(official: Official, day: dt.date) -> int:
    for assignment in official.assignments.all():
        if assignment.start <= day and (assignment.end is None or day <= assignment.end):
            return assignment.unit_id
    return official.unit_id


def _seed_enrollments(people: list[Official], today: dt.date) -> None:
    """Past sessions get completed enrollments; upcoming ones a few confirmed seats."""
    rng = random.Random(71)
    done = set(Enrollment.objects.values_list("official_id", "session_id"))
    rows = []
    for session in CourseSession.objects.select_related("course").order_by("pk"):
        past = session.end_date < today
        size = min(session.capacity, 24 if past else 8, len(people))
        for official in rng.sample(people, size):
            if (official.pk, session.pk) in done:
                continue
            rows.append(Enrollment(
                official=official, session=session, unit_id=_unit_on(official, session.start_date),
                status=EnrollmentStatus.COMPLETED if past else EnrollmentStatus.CONFIRMED,
                periods_earned=session.course.periods if past else None,
                completed_on=session.end_date if past else None,
            ))
    created = Enrollment.objects.bulk_create(rows)
    # Every status has its history, also in the demo: one event per new row.
    EnrollmentEvent.objects.bulk_create(
        EnrollmentEvent(enrollment=row, from_status="", to_status=row.status, reason="Dữ liệu minh họa")
        for row in created
    )
    session_recount_seats()


# Enrollment rules shown off by the demo: approvals (one and two steps), offered seats, self check-in,
# seats reserved for two invited wards.
DEMO_RULES = {
    "quan-ly-dat-dai-cap-xa": {"approval_policy": ApprovalPolicy.UNIT_HR},
    "boi-duong-ngach-chuyen-vien": {"approval_policy": ApprovalPolicy.UNIT_HR_THEN_ORGANIZER},
    "giao-tiep-mot-cua": {"offer_hours": 48},
    "nghiep-vu-ho-tich": {"requires_result": True},
}
DEMO_RESERVATIONS = {"HTCQS-01": {"P-KHUONGDINH": 5, "X-ANKHANH": 5}}
DEMO_PENDING = ("DD-02", "P-KHUONGDINH", 3)  # session code, ward, how many awaiting its HR's approval


def _seed_hr_rules(units: dict[str, Unit], today: dt.date) -> None:
    """This year's training rule per category and a plan for one ward, so the report has plan versus
    actual. Illustrative numbers: the 2025 decree leaves the yearly requirement to the city."""


    for category in Category.values:
        TrainingRequirement.objects.get_or_create(year=today.year, category=category,
                                                  defaults={"required_periods": 40})
    group = ContentGroup.objects.order_by("sort_order", "pk").first()
    for programme_type, classes, participants in ((ProgrammeType.JOB_POSITION, 4, 60), (ProgrammeType.UPDATE, 2, 40)):
        TrainingPlan.objects.get_or_create(year=today.year, unit=units["P-KHUONGDINH"], content_group=group,
                                           programme_type=programme_type,
                                           defaults={"classes": classes, "participants": participants})


def _seed_lifecycle(units: dict[str, Unit]) -> None:
    """Approval rules, reserved seats and a few enrollments awaiting approval. Idempotent."""
    for slug, fields in DEMO_RULES.items():
        TrainingPage.objects.filter(slug=slug).update(**fields)
    CourseSession.objects.filter(code="HT-02").update(self_checkin=True)
    for code, reserved in DEMO_RESERVATIONS.items():
        session = CourseSession.objects.get(code=code)
        for unit_code, seats in reserved.items():
            reservation_set(session=session, unit=units[unit_code], seats=seats)
    # The demo official (login "canbo") has finished one class, so "My training" shows a certificate.
    finished = CourseSession.objects.get(code="KNS-02")
    me = Official.objects.get(employee_code=DEMO_OFFICIAL_CODE)
    if not Enrollment.objects.filter(official=me, session=finished).exists():
        row = Enrollment.objects.create(official=me, session=finished, unit_id=me.unit_id,
                                        status=EnrollmentStatus.COMPLETED, periods_earned=finished.course.periods,
                                        completed_on=finished.end_date)
        EnrollmentEvent.objects.create(enrollment=row, from_status="", to_status=row.status,
                                       reason="Dữ liệu minh họa")
        session_recount_seats(sessions=CourseSession.objects.filter(pk=finished.pk))
    code, ward, count = DEMO_PENDING
    session = CourseSession.objects.get(code=code)
    waiting = Enrollment.objects.filter(session=session, status=EnrollmentStatus.PENDING).count()
    candidates = (Official.objects.filter(unit__path__startswith=units[ward].path)
                  .exclude(enrollments__session=session).exclude(employee_code=DEMO_OFFICIAL_CODE)
                  .order_by("employee_code")[:max(count - waiting, 0)])
    for official in candidates:
        row = Enrollment.objects.create(official=official, session=session, unit_id=official.unit_id,
                                        status=EnrollmentStatus.PENDING)
        EnrollmentEvent.objects.create(enrollment=row, from_status="", to_status=row.status,
                                       reason="Dữ liệu minh họa")
    session_recount_seats(sessions=CourseSession.objects.filter(pk=session.pk))


def _seed_logins(units) -> None:
    groups = _seed_groups()
    for username, first, last, role, unit_code, superuser in LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.invalid",
                        is_staff=superuser or role is not None, is_superuser=superuser)
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role:
            RoleAssignment.objects.get_or_create(user=user, role=role, unit=units[unit_code])
            user.groups.add(groups[role])
    official = Official.objects.get(employee_code=DEMO_OFFICIAL_CODE)
    if official.user_id is None:
        official.user = User.objects.get(username="canbo")
        official.save(update_fields=["user"])


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


def _seed_groups() -> dict[str, Group]:
    groups = {}
    for role, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        groups[role] = group
    catalog = CatalogPage.objects.first()
    for permission in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=groups[Role.ORGANIZER], page=catalog,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=permission))
    return groups


# The role groups also see certificates; organizers and the city's HR may revoke and reissue them.
CERTIFICATE_PERMISSIONS = {
    Role.CITY_HR: ["staff.view_certificate", "staff.change_certificate"],
    Role.UNIT_HR: ["staff.view_certificate"],
    Role.ORGANIZER: ["staff.view_certificate", "staff.change_certificate"],
}


def _seed_certificates() -> None:
    """Certificates for the completed enrollments, issued on the last day of their class, and the
    permissions to see them. ``certificate_issue`` returns an existing valid certificate, so a second
    run adds nothing; nobody is mailed for this back-filled history."""

    for role, codenames in CERTIFICATE_PERMISSIONS.items():
        group = Group.objects.get(name=GROUP_NAMES[role])
        group.permissions.add(*(Permission.objects.get(content_type__app_label=dotted.split(".")[0],
                                                       codename=dotted.split(".")[1]) for dotted in codenames))
    pending = (
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .exclude(session__course__credential_type=CredentialType.ATTENDANCE)
        .exclude(pk__in=Certificate.objects.filter(status=CertificateStatus.VALID).values("enrollment"))
        .select_related("session").order_by("session__end_date", "pk")
    )
    for enrollment in pending:
        issued_on = enrollment.completed_on or enrollment.session.end_date
        certificate_issue(enrollment=enrollment, by=None, issued_on=issued_on, send_notification=False)


def _seed_practices(units: dict[str, Unit], today: dt.date) -> None:
    """Best practices (Khương Mai, Song Phương), the exchange where Khương Đình shows the first to three
    wards (a past session with attendance and feedback, an upcoming one with seats reserved per invited
    unit) and the wards replicating it. Illustrative content only. Idempotent: natural keys throughout.

    The exchange is the demo's sharing workshop "chia-se-tra-ket-qua-tai-nha" turned into an exchange in
    place: its sessions hold enrollments (PROTECTed), and a new page's sessions would get random officials
    from ``_seed_enrollments`` on the next run."""



    index = PracticeIndexPage.objects.first() or HomePage.objects.first().add_child(instance=PracticeIndexPage(
        title="Mô hình hay, cách làm hiệu quả", slug="mo-hinh-hay",
        intro="<p>Cách làm của các phường, xã đã giúp người dân; nội dung minh họa.</p>"))
    # Organizers write and publish practices as they do courses.
    organizers = Group.objects.get(name=GROUP_NAMES[Role.ORGANIZER])
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=organizers, page=index,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename))
    fields = {field.code: field for field in FieldOfWork.objects.all()}
    specs = [
        ("tra-ket-qua-tai-nha-khuong-mai", "Trả kết quả thủ tục hành chính tại nhà – mô hình Khương Mai",
         "P-KHUONGDINH", "tu-phap-ho-tich", dt.date(2023, 3, 1),
         "Phường Khương Mai (nay thuộc phường Khương Đình) trả kết quả giải quyết thủ tục hành chính tại nhà "
         "cho 7 lĩnh vực tư pháp, miễn phí.",
         "<p>Người dân phải quay lại bộ phận một cửa để nhận kết quả, nhiều người cao tuổi đi lại khó khăn.</p>",
         [("step", {"title": "Tiếp nhận và hỏi nhu cầu", "description": "<p>Khi nhận hồ sơ, công chức hỏi người "
                    "dân có muốn nhận kết quả tại nhà không và ghi địa chỉ.</p>"}),
          ("step", {"title": "Lập lịch trả kết quả", "description": "<p>Mỗi chiều, văn phòng lập danh sách kết "
                    "quả cần trả và phân công theo tổ dân phố.</p>"}),
          ("step", {"title": "Trả tận nhà, ký nhận", "description": "<p>Công chức mang kết quả đến nhà, người dân "
                    "ký nhận; không thu phí.</p>"}),
          ("contact", {"name": "Văn phòng HĐND và UBND phường Khương Đình (minh họa)", "role": "Bộ phận một cửa",
                       "phone": "024 0000 0000", "email": "motcua.khuongdinh@example.invalid"})],
         [("Hồ sơ trả đúng hạn", "%", 91, 99.5), ("Lượt đi lại tiết kiệm mỗi tháng", "lượt", 0, 320),
          ("Mức độ hài lòng của người dân", "%", 85, 98)], ["trả kết quả tại nhà", "tư pháp", "miễn phí"]),
        ("chinh-quyen-gan-dan-song-phuong", "Chính quyền gần dân – mô hình Song Phương", "X-ANKHANH", "mot-cua",
         dt.date(2024, 5, 1),
         "Xã Song Phương (nay thuộc xã An Khánh) đưa cán bộ về thôn tiếp dân định kỳ và hướng dẫn dịch vụ công "
         "trực tuyến (nội dung minh họa).",
         "<p>Người dân ở thôn xa ít dùng dịch vụ công trực tuyến và ngại lên trụ sở xã.</p>",
         [("step", {"title": "Lịch tiếp dân tại thôn", "description": "<p>Mỗi thứ Bảy, một tổ công tác ngồi tại "
                    "nhà văn hóa thôn.</p>"}),
          ("step", {"title": "Hướng dẫn nộp hồ sơ trực tuyến", "description": "<p>Đoàn viên thanh niên hướng "
                    "dẫn người dân nộp hồ sơ ngay trên điện thoại.</p>"})],
         [("Hồ sơ nộp trực tuyến", "%", 35, 72), ("Mức độ hài lòng của người dân", "%", 80, 93)],
         ["chính quyền gần dân", "dịch vụ công trực tuyến"]),
    ]
    practices = {}
    for slug, title, unit_code, field, since, summary, problem, body, indicators, tags in specs:
        page = BestPracticePage.objects.filter(slug=slug).first()
        if page is None:
            page = BestPracticePage(title=title, slug=slug, summary=summary, problem=problem, body=body,
                                    originating_unit=units[unit_code], field_of_work=fields[field], started_on=since)
            page.indicators = [PracticeIndicator(name=name, unit_of_measure=measure, before=before, after=after)
                               for name, measure, before, after in indicators]
            page.tags.add(*tags)
            index.add_child(instance=page)
            page.save_revision().publish()
        practices[slug] = page
    khuong_mai = practices["tra-ket-qua-tai-nha-khuong-mai"]

    training = TrainingPage.objects.get(slug="chia-se-tra-ket-qua-tai-nha")
    if not isinstance(training.specific, ExchangePage):
        # Change the page's type in place: add the exchange row, drop the workshop row (only that table),
        # point the page at its new type. The workshop's search entry goes first: it is filed by type.
        remove_object(training.specific)
        ExchangePage(trainingpage_ptr_id=training.pk).save_base(raw=True)
        WorkshopPage.objects.filter(pk=training.pk)._raw_delete(WorkshopPage.objects.db)
        Page.objects.filter(pk=training.pk).update(content_type=ContentType.objects.get_for_model(ExchangePage))
        exchange = ExchangePage.objects.get(pk=training.pk)
        exchange.title = "Chia sẻ mô hình trả kết quả tại nhà của Khương Mai"
        exchange.host_unit = units["P-KHUONGDINH"]
        exchange.seats_per_invited_unit = 5
        exchange.field_visit = "Tham quan bộ phận một cửa và đi cùng tổ trả kết quả tại nhà (buổi chiều)."
        exchange.practices = [khuong_mai]
        exchange.invited_units = [units[code] for code in ("P-THANHXUAN", "P-CAUGIAY", "X-ANKHANH")]
        exchange.save_revision().publish()
    exchange = ExchangePage.objects.get(pk=training.pk)
    invited = list(exchange.invited_units.order_by("code"))

    past = exchange.sessions.filter(end_date__lt=today).order_by("start_date").first()
    if past is not None:
        for unit in invited:  # three officials of each invited unit took part
            present = Enrollment.objects.filter(session=past, official__unit__path__startswith=unit.path).count()
            for official in (Official.objects.filter(unit__path__startswith=unit.path)
                             .exclude(enrollments__session=past).order_by("employee_code")[:max(3 - present, 0)]):
                row = Enrollment.objects.create(official=official, session=past, unit_id=official.unit_id,
                                                status=EnrollmentStatus.COMPLETED, completed_on=past.end_date,
                                                periods_earned=exchange.periods)
                EnrollmentEvent.objects.create(enrollment=row, from_status="", to_status=row.status,
                                               reason="Dữ liệu minh họa")
        session_recount_seats(sessions=CourseSession.objects.filter(pk=past.pk))
        completed = list(Enrollment.objects.filter(session=past, status=EnrollmentStatus.COMPLETED).order_by("pk"))
        marked = set(Attendance.objects.filter(enrollment__session=past).values_list("enrollment_id", "day"))
        Attendance.objects.bulk_create(Attendance(enrollment=row, day=day) for row in completed
                                       for day in past.day_list if (row.pk, day) not in marked)
        ratings = [(5, 5, 4, 5), (4, 5, 4, 4), (5, 4, 5, 5), (3, 4, 3, 4), (4, 4, 4, 5), (5, 5, 5, 5)]
        comments = ["Cách làm rất thiết thực, phường tôi muốn áp dụng ngay.", "Cần thêm mẫu biểu để tham khảo.",
                    "Buổi đi thực tế rất bổ ích.", "Thời gian hơi ngắn.", "", "Báo cáo viên nhiệt tình, dễ hiểu."]
        answered = set(Feedback.objects.filter(enrollment__session=past).values_list("enrollment_id", flat=True))
        Feedback.objects.bulk_create(
            Feedback(enrollment=row, content=ratings[n % 6][0], trainer=ratings[n % 6][1],
                     organisation=ratings[n % 6][2], usefulness=ratings[n % 6][3], comment=comments[n % 6])
            for n, row in enumerate(completed[:12]) if row.pk not in answered)
    exchange_reserve_seats(page=exchange)  # the upcoming session keeps 5 seats per invited ward

    held = past.end_date if past else today
    # ward, where it stands, days after the exchange of each step so far (planned, pilot, adopted)
    for code, status, steps in (("P-THANHXUAN", AdoptionStatus.ADOPTED, (7, 20, 45)),
                                ("P-CAUGIAY", AdoptionStatus.PILOT, (10, 25)),
                                ("X-ANKHANH", AdoptionStatus.PLANNED, (14,))):
        history = zip((AdoptionStatus.PLANNED, AdoptionStatus.PILOT, AdoptionStatus.ADOPTED)[:len(steps)], steps,
                      strict=True)
        adoption, _ = Adoption.objects.get_or_create(
            practice=khuong_mai, unit=units[code],
            defaults={"status": status, "since": min(held + dt.timedelta(days=steps[-1]), today),
                      "via_exchange": exchange, "changes": "Áp dụng cho 4 lĩnh vực tư pháp trước (minh họa)."})
        for step_status, days in history:
            AdoptionEvent.objects.get_or_create(adoption=adoption, status=step_status,
                                                defaults={"on": min(held + dt.timedelta(days=days), today)})
        if status == AdoptionStatus.ADOPTED:
            for indicator, before, after in (("Hồ sơ trả đúng hạn", 88, 97), ("Mức độ hài lòng của người dân", 82, 95)):
                AdoptionResult.objects.get_or_create(adoption=adoption, indicator=indicator,
                                                     defaults={"before": before, "after": after, "measured_on": today})
