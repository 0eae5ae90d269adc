"""Reference data the seeder draws a plausible Vietnamese population from.

Weights are rough national shares (family names from surname surveys, ethnicities and religions from
the 2019 census); they only need to look right to an official, not to be statistics.
"""

from __future__ import annotations

# (family name, weight in ‰). Nguyễn far ahead, then Trần, Lê, Phạm …
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 21),
    ("Phan", 45), ("Vũ", 22), ("Võ", 17), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đinh", 6), ("Đoàn", 5), ("Trịnh", 5), ("Trương", 5),
    ("Mai", 4), ("Lâm", 4), ("Cao", 3), ("Lương", 3), ("Tạ", 2), ("Hà", 3), ("Lưu", 2), ("Tô", 2),
    ("Chu", 2), ("Quách", 1), ("Kiều", 1), ("Thái", 1), ("La", 1), ("Châu", 1), ("Triệu", 1),
)  # fmt: skip

# Middle names by sex: older generations mostly Văn / Thị, younger ones more varied.
MIDDLE_NAMES_MALE_TRADITIONAL: tuple[tuple[str, float], ...] = (
    ("Văn", 70), ("Hữu", 6), ("Đức", 6), ("Quang", 4), ("Công", 4), ("Xuân", 3), ("Minh", 3),
    ("Ngọc", 2), ("Thanh", 2),
)  # fmt: skip
MIDDLE_NAMES_MALE_MODERN: tuple[tuple[str, float], ...] = (
    ("Văn", 20), ("Minh", 14), ("Đức", 10), ("Quang", 8), ("Hoàng", 8), ("Gia", 8), ("Anh", 6),
    ("Thành", 6), ("Hữu", 5), ("Tuấn", 5), ("Bảo", 5), ("Đăng", 3), ("Nhật", 2),
)  # fmt: skip
MIDDLE_NAMES_FEMALE_TRADITIONAL: tuple[tuple[str, float], ...] = (
    ("Thị", 80), ("Ngọc", 5), ("Thu", 4), ("Thanh", 4), ("Kim", 3), ("Bích", 2), ("Xuân", 2),
)  # fmt: skip
MIDDLE_NAMES_FEMALE_MODERN: tuple[tuple[str, float], ...] = (
    ("Thị", 25), ("Ngọc", 12), ("Thu", 8), ("Thanh", 8), ("Phương", 7), ("Minh", 7), ("Khánh", 6),
    ("Bảo", 6), ("Mỹ", 5), ("Hoài", 4), ("Kim", 4), ("Gia", 4), ("Diệu", 4),
)  # fmt: skip

GIVEN_NAMES_MALE: tuple[str, ...] = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khang", "Khoa", "Long", "Minh",
    "Nam", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Bảo",
    "Duy", "Hiếu", "Hoàng", "Kiên", "Lâm", "Lộc", "Nghĩa", "Tài", "Tâm", "Thịnh", "Toàn", "Trí",
    "Tùng", "Hưng", "Đức", "Quang", "Hòa", "Khải", "Lợi", "Tiến", "Thông", "Nhân",
)  # fmt: skip
GIVEN_NAMES_FEMALE: tuple[str, ...] = (
    "Anh", "Châu", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hương", "Huyền",
    "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên",
    "Quỳnh", "Tâm", "Thảo", "Thu", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Yến",
    "Hồng", "Liên", "Nhi", "Diệp", "Hậu", "Lệ",
)  # fmt: skip

ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("Kinh", 853), ("Tày", 19), ("Thái", 19), ("Mường", 15), ("Hmông", 15), ("Khmer", 14),
    ("Nùng", 11), ("Dao", 9), ("Hoa", 8), ("Gia Rai", 5), ("Ê Đê", 4), ("Ba Na", 3), ("Chăm", 2),
    ("Sán Chay", 2), ("Xơ Đăng", 2),
)  # fmt: skip

RELIGIONS: tuple[tuple[str, float], ...] = (
    ("Không", 860), ("Công giáo", 61), ("Phật giáo", 48), ("Tin lành", 10), ("Phật giáo Hòa Hảo", 10),
    ("Cao Đài", 6), ("Hồi giáo", 1),
)  # fmt: skip

# Wards and communes (the lowest level since 1 July 2025) of each 2025 province.
WARDS: dict[str, tuple[str, ...]] = {
    "Hà Nội": ("Phường Hoàn Kiếm", "Phường Ba Đình", "Phường Cầu Giấy", "Phường Đống Đa",
               "Phường Hai Bà Trưng", "Phường Long Biên", "Phường Hà Đông", "Xã Sóc Sơn", "Xã Đông Anh"),
    "Hồ Chí Minh": ("Phường Sài Gòn", "Phường Bến Thành", "Phường Tân Định", "Phường Bình Thạnh",
                    "Phường Thủ Đức", "Phường Thủ Dầu Một", "Phường Dĩ An", "Phường Vũng Tàu",
                    "Phường Bà Rịa", "Xã Củ Chi", "Xã Bình Chánh"),
    "Hải Phòng": ("Phường Hồng Bàng", "Phường Lê Chân", "Phường Ngô Quyền", "Phường Hải Dương",
                  "Phường Chí Linh", "Xã Tiên Lãng"),
    "Đà Nẵng": ("Phường Hải Châu", "Phường Thanh Khê", "Phường Sơn Trà", "Phường Tam Kỳ",
                "Phường Hội An", "Xã Hòa Vang"),
    "Cần Thơ": ("Phường Ninh Kiều", "Phường Cái Răng", "Phường Vị Thanh", "Phường Sóc Trăng",
                "Xã Phong Điền"),
    "Huế": ("Phường Thuận Hóa", "Phường Phú Xuân", "Phường Hương Thủy", "Xã Phú Vang"),
    "Tuyên Quang": ("Phường Minh Xuân", "Phường Hà Giang 1", "Xã Yên Sơn", "Xã Chiêm Hóa"),
    "Cao Bằng": ("Phường Thục Phán", "Phường Tân Giang", "Xã Hòa An", "Xã Trùng Khánh"),
    "Lai Châu": ("Phường Tân Phong", "Phường Đoàn Kết", "Xã Tam Đường", "Xã Sìn Hồ"),
    "Lào Cai": ("Phường Lào Cai", "Phường Cam Đường", "Phường Yên Bái", "Xã Bảo Thắng", "Xã Sa Pa"),
    "Thái Nguyên": ("Phường Phan Đình Phùng", "Phường Gia Sàng", "Phường Đức Xuân", "Xã Đại Từ"),
    "Điện Biên": ("Phường Điện Biên Phủ", "Phường Mường Thanh", "Xã Mường Ảng", "Xã Tuần Giáo"),
    "Lạng Sơn": ("Phường Tam Thanh", "Phường Lương Văn Tri", "Xã Cao Lộc", "Xã Hữu Lũng"),
    "Sơn La": ("Phường Tô Hiệu", "Phường Chiềng An", "Xã Mai Sơn", "Xã Mộc Châu"),
    "Phú Thọ": ("Phường Việt Trì", "Phường Phú Thọ", "Phường Vĩnh Yên", "Phường Hòa Bình",
                "Xã Tam Nông"),
    "Bắc Ninh": ("Phường Kinh Bắc", "Phường Từ Sơn", "Phường Bắc Giang", "Xã Lạng Giang"),
    "Quảng Ninh": ("Phường Hạ Long", "Phường Cẩm Phả", "Phường Móng Cái", "Phường Uông Bí",
                   "Xã Vân Đồn"),
    "Hưng Yên": ("Phường Phố Hiến", "Phường Thái Bình", "Phường Mỹ Hào", "Xã Tiên Lữ"),
    "Ninh Bình": ("Phường Hoa Lư", "Phường Nam Định", "Phường Phủ Lý", "Xã Kim Sơn", "Xã Hải Hậu"),
    "Quảng Trị": ("Phường Đông Hà", "Phường Đồng Hới", "Phường Quảng Trị", "Xã Bố Trạch"),
    "Quảng Ngãi": ("Phường Cẩm Thành", "Phường Nghĩa Lộ", "Phường Kon Tum", "Xã Bình Sơn"),
    "Gia Lai": ("Phường Pleiku", "Phường Quy Nhơn", "Phường An Nhơn", "Xã Chư Sê", "Xã Phù Cát"),
    "Khánh Hòa": ("Phường Nha Trang", "Phường Cam Ranh", "Phường Phan Rang", "Xã Diên Khánh"),
    "Lâm Đồng": ("Phường Xuân Hương - Đà Lạt", "Phường Bảo Lộc", "Phường Phan Thiết",
                 "Phường Gia Nghĩa", "Xã Đức Trọng"),
    "Đắk Lắk": ("Phường Buôn Ma Thuột", "Phường Tuy Hòa", "Phường Ea Kao", "Xã Cư M'gar"),
    "Đồng Nai": ("Phường Biên Hòa", "Phường Trấn Biên", "Phường Đồng Xoài", "Phường Long Khánh",
                 "Xã Nhơn Trạch"),
    "Tây Ninh": ("Phường Tân Ninh", "Phường Long An", "Phường Kiến Tường", "Xã Đức Hòa", "Xã Gò Dầu"),
    "Vĩnh Long": ("Phường Thanh Đức", "Phường Bến Tre", "Phường Trà Vinh", "Xã Mỏ Cày"),
    "Đồng Tháp": ("Phường Cao Lãnh", "Phường Mỹ Tho", "Phường Sa Đéc", "Xã Cái Bè"),
    "An Giang": ("Phường Long Xuyên", "Phường Châu Đốc", "Phường Rạch Giá", "Phường Phú Quốc",
                 "Xã Tri Tôn"),
    "Cà Mau": ("Phường An Xuyên", "Phường Tân Thành", "Phường Bạc Liêu", "Xã Năm Căn"),
    "Nghệ An": ("Phường Trường Vinh", "Phường Thành Vinh", "Phường Cửa Lò", "Xã Diễn Châu",
                "Xã Yên Thành"),
    "Hà Tĩnh": ("Phường Thành Sen", "Phường Trần Phú", "Phường Hồng Lĩnh", "Xã Cẩm Xuyên"),
    "Thanh Hóa": ("Phường Hạc Thành", "Phường Sầm Sơn", "Phường Bỉm Sơn", "Xã Thọ Xuân",
                  "Xã Hoằng Hóa"),
}  # fmt: skip

STREETS: tuple[str, ...] = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
    "Hùng Vương", "Nguyễn Trãi", "Lê Duẩn", "Điện Biên Phủ", "Phan Đình Phùng", "Võ Thị Sáu",
    "Nguyễn Văn Cừ", "Trần Phú", "Lê Thánh Tông", "Bà Triệu", "Nguyễn Du", "Phạm Ngũ Lão",
    "Ngô Quyền", "Lạc Long Quân", "Nguyễn Thị Minh Khai", "Cách Mạng Tháng Tám", "Võ Nguyên Giáp",
)  # fmt: skip

# Communes more often have hamlets than numbered streets.
HAMLETS: tuple[str, ...] = (
    "Thôn 1", "Thôn 2", "Thôn 3", "Thôn Đông", "Thôn Trung", "Xóm Bắc", "Ấp Bình Hòa", "Ấp Tân Phú",
    "Bản Nà Phặc", "Khu phố 4",
)  # fmt: skip

# Rough population weights of the 63 pre-2025 provinces, by code; unlisted codes weigh 1.
PROVINCE_WEIGHTS: dict[str, float] = {
    "001": 8.4, "079": 9.3, "074": 2.6, "075": 3.2, "038": 3.7, "040": 3.4, "031": 2.1, "036": 1.9,
    "030": 1.9, "034": 1.9, "048": 1.2, "092": 1.2, "089": 1.9, "091": 1.7, "066": 1.9, "064": 1.5,
    "080": 1.7, "082": 1.8, "027": 1.4, "024": 1.9, "022": 1.3, "052": 1.5,
}  # fmt: skip

# Where people who live outside their birth province tend to move to (2025 provinces).
MIGRATION_DESTINATIONS: tuple[tuple[str, float], ...] = (
    ("Hồ Chí Minh", 45), ("Hà Nội", 25), ("Đồng Nai", 8), ("Bắc Ninh", 6), ("Đà Nẵng", 5),
    ("Hải Phòng", 4), ("Cần Thơ", 3), ("Tây Ninh", 2), ("Khánh Hòa", 2),
)  # fmt: skip
