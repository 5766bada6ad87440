"""Synthetic Vietnamese names (NFC, with diacritics): people and places. Invented, no real data."""

from __future__ import annotations

import unicodedata

from staff.demo.people import GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, SURNAMES


def _nfc(words: list[str]) -> list[str]:
    return [unicodedata.normalize("NFC", word) for word in words]


# Family names weighted roughly as they are common: Nguyễn first by far.
FAMILY = _nfc(SURNAMES + ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + ["Tạ", "Mai", "Đinh", "Trịnh"])
MIDDLE_FEMALE = _nfc(MIDDLE_F + ["Diệu", "Bích", "Kim", "Mỹ"])
MIDDLE_MALE = _nfc(MIDDLE_M + ["Tiến", "Mạnh", "Trọng", "Bá"])
GIVEN_FEMALE = _nfc(GIVEN_F + ["Thư", "Vy", "Nhung", "Quỳnh", "Huyền", "Loan", "Tâm", "Diệp"])
GIVEN_MALE = _nfc(GIVEN_M + ["Hiếu", "Trung", "Nghĩa", "Lộc", "Tùng", "Khoa", "Huy", "Thịnh"])
PLACE_FIRST = _nfc(["An", "Bình", "Hòa", "Phú", "Tân", "Thạnh", "Long", "Phúc", "Thượng", "Đông", "Tây", "Kim",
                    "Ngọc", "Hồng", "Văn", "Đại", "Minh", "Quang", "Yên", "Xuân"])
PLACE_SECOND = _nfc(["Lạc", "Thịnh", "Sơn", "Hà", "Lâm", "Hưng", "Khê", "Mỹ", "Điền", "Đình", "Thành", "Liên",
                     "Phong", "Trung", "Hải", "Lộc", "Thủy", "Vinh", "Nghĩa", "Châu"])
MINORITIES = _nfc(["Tày", "Mường", "Thái", "Nùng", "Dao", "H'Mông"])
JOBS = _nfc(["Tư pháp – hộ tịch", "Địa chính – xây dựng", "Văn phòng – thống kê", "Văn hóa – xã hội",
             "Tài chính – kế toán", "Một cửa", "Chuyển đổi số", "Giáo viên", "Bác sĩ", "Chuyên viên"])
LEADERS = _nfc(["Trưởng phòng", "Phó Trưởng phòng", "Chủ tịch UBND", "Phó Chủ tịch UBND", "Giám đốc",
                "Phó Giám đốc"])
