"""Names for what the tracker shows as codes: indicators, breakdown dimensions and their fixed values,
in Vietnamese (the reports' own words) and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Label:
    vi: str
    en: str

    def both(self) -> str:
        return self.vi if self.vi == self.en else f"{self.vi} ({self.en})"


INDICATOR_LABELS: dict[str, Label] = {
    "reuse_rate": Label("Tỷ lệ tái sử dụng dữ liệu số hóa", "Reuse of digitized data"),
    "population_data_use_rate": Label("Tỷ lệ hồ sơ sử dụng dữ liệu dân cư", "Dossiers using population data"),
    "input_digitization_rate": Label("Tỷ lệ số hóa hồ sơ đầu vào", "Input digitization"),
    "output_digitization_rate": Label("Tỷ lệ số hóa kết quả đầu ra", "Output digitization"),
    "online_dossier_rate": Label("Tỷ lệ hồ sơ trực tuyến", "Online dossiers"),
    "online_payment_rate": Label("Tỷ lệ thanh toán trực tuyến", "Online payment"),
    "on_time_rate": Label("Tỷ lệ giải quyết đúng hạn và trước hạn", "Resolved on time or early"),
    "non_jurisdictional_share": Label("Tỷ lệ hồ sơ phi địa giới hành chính", "Non-jurisdictional dossiers"),
    "full_online_share": Label("Tỷ lệ hồ sơ trực tuyến toàn trình", "Full-process online dossiers"),
    "early_rate": Label("Tỷ lệ giải quyết trước hạn", "Resolved early"),
    "late_rate": Label("Tỷ lệ giải quyết trễ hạn", "Resolved late"),
    "paper_dossier_reduction": Label(
        "Tỷ lệ giảm hồ sơ giấy so với cùng kỳ", "Cut in paper dossiers, year on year"
    ),
    "backlog_digitization_rate": Label(
        "Tỷ lệ số hóa hồ sơ tồn đọng (2021, 2022)", "Backlog digitized (2021, 2022)"
    ),
    "population_procedure_share": Label(
        "Tỷ lệ thủ tục có sử dụng dữ liệu dân cư", "Procedures using population data"
    ),
    "online_procedure_share": Label(
        "Tỷ lệ thủ tục cung cấp dịch vụ công trực tuyến", "Procedures offered online"
    ),
    "full_online_procedure_share": Label(
        "Tỷ lệ thủ tục dịch vụ công trực tuyến toàn trình", "Procedures offered full-process online"
    ),
    "partial_online_procedure_share": Label(
        "Tỷ lệ thủ tục dịch vụ công trực tuyến một phần", "Procedures offered partly online"
    ),
}

DIMENSION_LABELS: dict[str, Label] = {
    "agency": Label("Cơ quan", "Agency"),
    "procedure": Label("Thủ tục", "Procedure"),
    "province": Label("Tỉnh, thành phố (tại thời điểm tiếp nhận)", "Province (at receipt)"),
    "province_2025": Label("Tỉnh, thành phố (từ 01/07/2025)", "Province (2025 map)"),
    "commune": Label("Xã, phường", "Commune"),
    "sector": Label("Lĩnh vực (bộ, ngành quản lý)", "Sector (owning ministry)"),
    "channel": Label("Kênh nộp", "Channel"),
    "jurisdiction": Label("Địa giới", "Jurisdiction"),
    "origin": Label("Nguồn hồ sơ", "Origin"),
    "month": Label("Tháng", "Month"),
    "quarter": Label("Quý", "Quarter"),
    "year": Label("Năm", "Year"),
}

VALUE_LABELS: dict[str, dict[str, Label]] = {
    "channel": {
        "online": Label("Trực tuyến", "Online"),
        "counter": Label("Trực tiếp", "At the counter"),
        "postal": Label("Bưu chính", "By post"),
        "unspecified": Label("Không rõ", "Unspecified"),
    },
    "jurisdiction": {
        "local": Label("Theo địa giới", "Local"),
        "non_jurisdictional": Label("Phi địa giới hành chính", "Non-jurisdictional"),
    },
    "origin": {
        "live": Label("Tiếp nhận trực tiếp", "Live"),
        "imported": Label("Chuyển từ hệ thống cũ", "Imported"),
    },
    # The catalog's areas and the ministries that own their procedures.
    "sector": {
        "civil_status": Label("Hộ tịch (Bộ Tư pháp)", "Civil status (Ministry of Justice)"),
        "judicial_records": Label("Lý lịch tư pháp (Bộ Tư pháp)", "Judicial records (Ministry of Justice)"),
        "residence": Label("Cư trú (Bộ Công an)", "Residence (Ministry of Public Security)"),
        "land": Label(
            "Đất đai (Bộ Nông nghiệp và Môi trường)", "Land (Ministry of Agriculture and Environment)"
        ),
        "business": Label(
            "Thành lập doanh nghiệp (Bộ Tài chính)", "Business registration (Ministry of Finance)"
        ),
        "construction": Label("Xây dựng (Bộ Xây dựng)", "Construction (Ministry of Construction)"),
        "labour": Label("Lao động (Bộ Nội vụ)", "Labour (Ministry of Home Affairs)"),
        "": Label("Không rõ", "Unspecified"),
    },
    "commune": {"": Label("Cấp tỉnh (không thuộc xã, phường)", "Provincial body (no commune)")},
}


def indicator_label(name: str) -> Label:
    return INDICATOR_LABELS.get(name, Label(name, name))


def dimension_label(by: str) -> Label:
    return DIMENSION_LABELS.get(by, Label(by, by))


def value_label(by: str, key: str) -> Label | None:
    return VALUE_LABELS.get(by, {}).get(key)
