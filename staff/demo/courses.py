"""The demo catalog: reference lists (laws, content groups, fields, skills, trainers), the home and catalog
pages, the courses and workshops and their sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from wagtail.models import Page, Site

from courses.models import (
    CatalogPage,
    ContentGroup,
    CoursePage,
    CourseSession,
    CredentialType,
    FieldOfWork,
    HomePage,
    LegalDocument,
    ProgrammeType,
    SessionMode,
    Skill,
    Trainer,
    TrainingPage,
    WorkshopKind,
    WorkshopPage,
)
from courses.services import site_root_ensure
from staff.models import Rank, Unit

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


@dataclass(frozen=True)
class CatalogReference:
    """The reference rows the courses point at, by their natural keys."""

    laws: dict[str, LegalDocument]
    groups: dict[str, ContentGroup]
    fields: dict[str, FieldOfWork]
    skills: dict[str, Skill]
    trainers: list[Trainer]


def seed_reference() -> CatalogReference:
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
    return CatalogReference(laws=laws, groups=groups, fields=fields, skills=skills, trainers=trainers)


def seed_catalog_pages() -> CatalogPage:
    """The home page (the default site's root) and the course catalog under it."""
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


def seed_courses(catalog: CatalogPage, units: dict[str, Unit], ranks: dict[str, Rank], reference: CatalogReference,
                 today: dt.date) -> None:
    for number, spec in enumerate(COURSES):
        page = TrainingPage.objects.filter(slug=spec.slug).first()
        if page is None:
            page = _publish_course(catalog, number, spec, units, ranks, reference)
        _seed_sessions(page, number, spec, reference, today)


def _publish_course(catalog: CatalogPage, number: int, spec: DemoCourse, units: dict[str, Unit],
                    ranks: dict[str, Rank], reference: CatalogReference) -> TrainingPage:
    page_class = WorkshopPage if spec.workshop else CoursePage
    extra = {"workshop_kind": spec.workshop} if spec.workshop else {}
    page = page_class(
        title=spec.title, slug=spec.slug, summary=spec.summary,
        content_group=reference.groups[spec.group], programme_type=spec.programme,
        field_of_work=reference.fields.get(spec.field) if spec.field else None,
        legal_basis=reference.laws["171/2025/NĐ-CP"], credential_type=spec.credential,
        periods=spec.periods, organizer=units[spec.organizer], certificate_validity_months=spec.validity_months,
        target_categories=["cong_chuc", "vien_chuc"] if number % 3 else ["can_bo", "cong_chuc"],
        body=[("heading", "Nội dung chương trình"),
              ("module", {"title": f"Chuyên đề 1: {spec.title}", "periods": max(1, spec.periods // 2),
                          "description": f"<p>{spec.summary}</p>"})],
        **extra,
    )
    catalog.add_child(instance=page)
    page.skills.set([reference.skills[name] for name in spec.skills])
    page.target_ranks.set([ranks["01.003"], ranks["01.004"]])
    page.save_revision().publish()
    return page


def _seed_sessions(page: TrainingPage, number: int, spec: DemoCourse, reference: CatalogReference,
                   today: dt.date) -> None:
    trainers = reference.trainers
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
