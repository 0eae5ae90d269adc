"""The procedure catalog: twenty real administrative procedures the demo population files for.

Codes are those of the National Database on Administrative Procedures (Cơ sở dữ liệu quốc gia về thủ
tục hành chính) as the seeder's authors knew them; names, fees and processing times follow the
published procedures in simplified form. Each procedure names the population fields it may read
(data minimization happens at the gateway) and, per dossier component, the digitized result types
that satisfy it by reuse.
"""

from __future__ import annotations

from onceonly.catalog.v1.catalog_pb2 import Component, Procedure, ServiceLevel

FULL = ServiceLevel.SERVICE_LEVEL_FULL_ONLINE
PARTIAL = ServiceLevel.SERVICE_LEVEL_PARTIAL_ONLINE
OFFLINE = ServiceLevel.SERVICE_LEVEL_OFFLINE

# Result types the seeder issues and procedures accept.
BIRTH_CERTIFICATE = "birth_certificate"
MARRIAGE_CERTIFICATE = "marriage_certificate"
MARITAL_STATUS_CONFIRMATION = "marital_status_confirmation"
JUDICIAL_RECORD_CERTIFICATE = "judicial_record_certificate"
RESIDENCE_CONFIRMATION = "residence_confirmation"
LAND_USE_RIGHT_CERTIFICATE = "land_use_right_certificate"
BUSINESS_HOUSEHOLD_REGISTRATION = "business_household_registration"
RESULT_TYPES: tuple[str, ...] = (
    BIRTH_CERTIFICATE,
    MARRIAGE_CERTIFICATE,
    MARITAL_STATUS_CONFIRMATION,
    JUDICIAL_RECORD_CERTIFICATE,
    RESIDENCE_CONFIRMATION,
    LAND_USE_RIGHT_CERTIFICATE,
    BUSINESS_HOUSEHOLD_REGISTRATION,
)

IDENTITY = ["full_name", "date_of_birth", "sex", "nationality"]
IDENTITY_FULL = [*IDENTITY, "ethnicity", "religion", "hometown", "birth_registration_place"]
RESIDENCE = ["permanent_address", "current_address"]
HOUSEHOLD = ["household_id", "household_head", "relationship_to_head"]


def _c(code: str, name: str, *accepted: str, required: bool = True) -> Component:
    return Component(code=code, name=name, accepted_result_types=list(accepted), required=required)


def _p(
    code: str,
    name: str,
    name_en: str,
    domain: str,
    level: ServiceLevel.ValueType,
    days: int,
    fee: int,
    components: list[Component],
    fields: list[str],
    *,
    non_jurisdictional: bool,
    issues: str = "",
) -> Procedure:
    return Procedure(
        code=code,
        name=name,
        name_en=name_en,
        domain=domain,
        service_level=level,
        processing_days=days,
        fee=fee,
        components=components,
        population_fields=fields,
        allows_non_jurisdictional=non_jurisdictional,
        issues_result_type=issues,
    )


_DECLARATION = _c("to_khai", "Tờ khai theo mẫu")
_ID_CARD = _c("cccd", "Căn cước công dân (đối chiếu qua CSDL quốc gia về dân cư)", required=False)

PROCEDURES: tuple[Procedure, ...] = (
    # Civil status (hộ tịch).
    _p("1.001193", "Đăng ký khai sinh", "Birth registration", "civil_status", FULL, 1, 0,
       [_DECLARATION, _c("giay_chung_sinh", "Giấy chứng sinh"),
        _c("giay_ket_hon_cha_me", "Giấy chứng nhận kết hôn của cha mẹ", MARRIAGE_CERTIFICATE,
           required=False)],
       [*IDENTITY, *RESIDENCE, "marital_status", "spouse", *HOUSEHOLD],
       non_jurisdictional=False, issues=BIRTH_CERTIFICATE),
    _p("1.000894", "Đăng ký kết hôn", "Marriage registration", "civil_status", PARTIAL, 5, 0,
       [_DECLARATION, _c("xac_nhan_hon_nhan", "Giấy xác nhận tình trạng hôn nhân",
                         MARITAL_STATUS_CONFIRMATION, required=False)],
       [*IDENTITY_FULL, *RESIDENCE, "marital_status"],
       non_jurisdictional=False, issues=MARRIAGE_CERTIFICATE),
    _p("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "Marital status confirmation",
       "civil_status", FULL, 3, 0,
       [_DECLARATION, _c("ban_an_ly_hon", "Bản án hoặc quyết định ly hôn (nếu có)", required=False)],
       [*IDENTITY, *RESIDENCE, "marital_status", "spouse"],
       non_jurisdictional=True, issues=MARITAL_STATUS_CONFIRMATION),
    _p("1.000656", "Đăng ký khai tử", "Death registration", "civil_status", FULL, 1, 0,
       [_DECLARATION, _c("giay_bao_tu", "Giấy báo tử")],
       [*IDENTITY, *RESIDENCE, "spouse", *HOUSEHOLD], non_jurisdictional=False),
    _p("2.000635", "Cấp bản sao trích lục hộ tịch", "Copy of a civil status extract",
       "civil_status", FULL, 1, 8000,
       [_DECLARATION, _c("giay_khai_sinh", "Giấy khai sinh", BIRTH_CERTIFICATE, required=False)],
       [*IDENTITY, "father", "mother"], non_jurisdictional=True, issues=BIRTH_CERTIFICATE),
    # Residence (cư trú).
    _p("1.004194", "Đăng ký thường trú", "Permanent residence registration", "residence", FULL, 7, 20000,
       [_DECLARATION, _c("giay_to_cho_o", "Giấy tờ chứng minh chỗ ở hợp pháp", LAND_USE_RIGHT_CERTIFICATE),
        _c("giay_to_quan_he", "Giấy tờ chứng minh quan hệ nhân thân", BIRTH_CERTIFICATE,
           MARRIAGE_CERTIFICATE, required=False)],
       [*IDENTITY_FULL, *RESIDENCE, "father", "mother", "spouse", *HOUSEHOLD],
       non_jurisdictional=False),
    _p("1.004222", "Đăng ký tạm trú", "Temporary residence registration", "residence", FULL, 3, 15000,
       [_DECLARATION, _c("giay_to_cho_o", "Giấy tờ chứng minh chỗ ở hợp pháp", LAND_USE_RIGHT_CERTIFICATE)],
       [*IDENTITY, *RESIDENCE, *HOUSEHOLD], non_jurisdictional=False),
    _p("1.004227", "Xác nhận thông tin về cư trú", "Residence information confirmation", "residence",
       FULL, 1, 0, [_DECLARATION],
       [*IDENTITY, *RESIDENCE, *HOUSEHOLD], non_jurisdictional=True, issues=RESIDENCE_CONFIRMATION),
    # Judicial records (lý lịch tư pháp).
    _p("2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
       "Judicial record certificate for a Vietnamese citizen", "judicial_records", FULL, 10, 200000,
       [_DECLARATION, _ID_CARD,
        _c("xac_nhan_cu_tru", "Giấy tờ chứng minh nơi cư trú", RESIDENCE_CONFIRMATION, required=False)],
       [*IDENTITY_FULL, *RESIDENCE, "father", "mother", "spouse"],
       non_jurisdictional=True, issues=JUDICIAL_RECORD_CERTIFICATE),
    _p("2.000505", "Cấp Phiếu lý lịch tư pháp số 2 theo yêu cầu của cá nhân",
       "Judicial record certificate no. 2 on personal request", "judicial_records", PARTIAL, 10, 200000,
       [_DECLARATION, _ID_CARD],
       [*IDENTITY_FULL, *RESIDENCE, "father", "mother", "spouse"],
       non_jurisdictional=True, issues=JUDICIAL_RECORD_CERTIFICATE),
    # Land (đất đai).
    _p("1.003003", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
       "First registration and land-use right certificate", "land", PARTIAL, 20, 100000,
       [_DECLARATION, _c("giay_to_nguon_goc", "Giấy tờ về nguồn gốc sử dụng đất"),
        _c("xac_nhan_cu_tru", "Xác nhận thông tin về cư trú", RESIDENCE_CONFIRMATION, required=False)],
       [*IDENTITY, *RESIDENCE, "marital_status", "spouse", *HOUSEHOLD],
       non_jurisdictional=True, issues=LAND_USE_RIGHT_CERTIFICATE),
    _p("1.003010", "Đăng ký biến động quyền sử dụng đất do chuyển nhượng",
       "Registration of a land-use right transfer", "land", PARTIAL, 10, 50000,
       [_DECLARATION, _c("hop_dong", "Hợp đồng chuyển nhượng đã công chứng"),
        _c("gcn_qsdd", "Giấy chứng nhận quyền sử dụng đất", LAND_USE_RIGHT_CERTIFICATE),
        _c("giay_ket_hon", "Giấy chứng nhận kết hôn hoặc xác nhận tình trạng hôn nhân",
           MARRIAGE_CERTIFICATE, MARITAL_STATUS_CONFIRMATION, required=False)],
       [*IDENTITY, *RESIDENCE, "marital_status", "spouse"],
       non_jurisdictional=True, issues=LAND_USE_RIGHT_CERTIFICATE),
    _p("2.000889", "Cấp đổi Giấy chứng nhận quyền sử dụng đất", "Replacement of a land-use right certificate",
       "land", PARTIAL, 7, 50000,
       [_DECLARATION, _c("gcn_qsdd", "Giấy chứng nhận đã cấp", LAND_USE_RIGHT_CERTIFICATE)],
       [*IDENTITY, *RESIDENCE], non_jurisdictional=True, issues=LAND_USE_RIGHT_CERTIFICATE),
    # Business (hộ kinh doanh).
    _p("2.000720", "Đăng ký thành lập hộ kinh doanh", "Business household registration", "business",
       FULL, 3, 100000,
       [_DECLARATION, _c("hop_dong_thue", "Giấy tờ chứng minh địa điểm kinh doanh",
                         LAND_USE_RIGHT_CERTIFICATE, required=False)],
       [*IDENTITY_FULL, *RESIDENCE], non_jurisdictional=False, issues=BUSINESS_HOUSEHOLD_REGISTRATION),
    _p("2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
       "Change of a business household registration", "business", FULL, 3, 100000,
       [_DECLARATION,
        _c("gcn_hkd", "Giấy chứng nhận đăng ký hộ kinh doanh", BUSINESS_HOUSEHOLD_REGISTRATION)],
       [*IDENTITY, *RESIDENCE], non_jurisdictional=False, issues=BUSINESS_HOUSEHOLD_REGISTRATION),
    _p("2.000440", "Tạm ngừng kinh doanh, chấm dứt hoạt động hộ kinh doanh",
       "Suspension or closure of a business household", "business", FULL, 3, 0,
       [_DECLARATION,
        _c("gcn_hkd", "Giấy chứng nhận đăng ký hộ kinh doanh", BUSINESS_HOUSEHOLD_REGISTRATION)],
       [*IDENTITY, *RESIDENCE], non_jurisdictional=False),
    # Construction (xây dựng).
    _p("1.009972", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
       "Building permit for a detached house", "construction", PARTIAL, 15, 75000,
       [_DECLARATION, _c("gcn_qsdd", "Giấy chứng nhận quyền sử dụng đất", LAND_USE_RIGHT_CERTIFICATE),
        _c("ban_ve", "Bản vẽ thiết kế xây dựng")],
       [*IDENTITY, *RESIDENCE], non_jurisdictional=False),
    _p("1.009974", "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ",
       "Permit to repair or renovate a detached house", "construction", PARTIAL, 15, 75000,
       [_DECLARATION, _c("gcn_qsdd", "Giấy chứng nhận quyền sử dụng đất", LAND_USE_RIGHT_CERTIFICATE),
        _c("anh_hien_trang", "Ảnh chụp hiện trạng công trình")],
       [*IDENTITY, *RESIDENCE], non_jurisdictional=False),
    # Labour (lao động).
    _p("1.001978", "Giải quyết hưởng trợ cấp thất nghiệp", "Unemployment benefit", "labour",
       PARTIAL, 20, 0,
       [_DECLARATION, _c("quyet_dinh_nghi_viec", "Quyết định thôi việc hoặc chấm dứt hợp đồng lao động"),
        _c("so_bhxh", "Sổ bảo hiểm xã hội")],
       [*IDENTITY, *RESIDENCE, "marital_status"], non_jurisdictional=True),
    _p("1.005134", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
       "Work permit for a foreign worker (employer's representative)", "labour", PARTIAL, 10, 600000,
       [_DECLARATION, _c("ly_lich_tu_phap", "Phiếu lý lịch tư pháp", JUDICIAL_RECORD_CERTIFICATE),
        _c("giay_kham_suc_khoe", "Giấy chứng nhận sức khỏe")],
       [*IDENTITY, *RESIDENCE], non_jurisdictional=False),
)  # fmt: skip


# -- the province's catalog over time ----------------------------------------------------------------
#
# A province's catalog lists every procedure it offers and the service level of each, which changes as
# procedures move online. The seed holds Bình Dương's 2024 catalog as the province reported it at the
# year's end — 1,507 procedures offered online, 828 full-process and 679 partly, of 1,882 (1,507 of
# 1,882 is 80.07%; the report's 80.06% comes from no whole catalogue size) — with the moves during the
# year that brought it there. Beside the twenty procedures above (their levels all year as above), the
# province's other procedures are listed by a code of the seed's own ("BD.0001"...): lookup holds no
# detail of them, and no dossier here is filed for them.

LevelRow = tuple[str, str, str, int]  # province, procedure code, effective from (YYYY-MM-DD), level

BINH_DUONG = "Bình Dương"
_CATALOG_START = "2024-01-01"
_MID_YEAR = "2024-07-01"
# The province's other procedures on 1 January 2024, and how many moved up a level from 1 July 2024.
_OTHER_FULL, _OTHER_PARTIAL, _OTHER_OFFLINE = 717, 720, 425
_PARTIAL_TO_FULL, _OFFLINE_TO_PARTIAL = 100, 50


def catalog_history() -> list[LevelRow]:
    """Every row of the seeded history of service levels (``procedure_level``)."""
    rows: list[LevelRow] = [(BINH_DUONG, p.code, _CATALOG_START, int(p.service_level)) for p in PROCEDURES]
    start = [FULL] * _OTHER_FULL + [PARTIAL] * _OTHER_PARTIAL + [OFFLINE] * _OTHER_OFFLINE
    for number, level in enumerate(start, start=1):
        code = f"BD.{number:04d}"
        rows.append((BINH_DUONG, code, _CATALOG_START, int(level)))
        rank = number - _OTHER_FULL  # the first partial procedures move to full, the first offline to partial
        if level == PARTIAL and rank <= _PARTIAL_TO_FULL:
            rows.append((BINH_DUONG, code, _MID_YEAR, int(FULL)))
        elif level == OFFLINE and rank - _OTHER_PARTIAL <= _OFFLINE_TO_PARTIAL:
            rows.append((BINH_DUONG, code, _MID_YEAR, int(PARTIAL)))
    return rows
