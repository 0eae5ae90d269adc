"""A small Bình Dương report for the dashboard: 2023 and 2024 dossiers of four named agencies in three
communes and the province, six procedures of four sectors (names from the catalog), the province's
catalog at the end of 2024, and 2024 closed, with a resolution that arrived after the closing."""

from __future__ import annotations

from datetime import UTC, datetime

from onceonly.common.events import new_envelope
from onceonly.events.v1 import events_pb2 as ev
from tests.tracker.builders import (
    COUNTER,
    DIGITIZED,
    ONLINE,
    PAPER,
    POSTAL,
    REUSED_COMPONENT,
    REUSED_RESULT,
    at,
    received,
    resolved,
    reused,
)

# code → (name, province of the day, commune)
AGENCIES = {
    "SOTP-BD": ("Sở Tư pháp tỉnh Bình Dương", ""),
    "CA-BD": ("Công an tỉnh Bình Dương", ""),
    "UBND-TDM": ("UBND phường Phú Cường, Thủ Dầu Một", "Thủ Dầu Một"),
    "UBND-DIAN": ("UBND phường Dĩ An", "Dĩ An"),
    "UBND-TA": ("UBND phường Lái Thiêu, Thuận An", "Thuận An"),
}
# code → (name, English name, sector, service level)
PROCEDURES = {
    "1.001193": ("Đăng ký khai sinh", "Birth registration", "civil_status", ev.SERVICE_LEVEL_FULL_ONLINE),
    "1.000894": ("Đăng ký kết hôn", "Marriage registration", "civil_status", ev.SERVICE_LEVEL_PARTIAL_ONLINE),
    "1.004194": (
        "Đăng ký thường trú", "Permanent residence registration", "residence", ev.SERVICE_LEVEL_FULL_ONLINE,
    ),
    "2.000488": (
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Judicial record certificate",
        "judicial_records", ev.SERVICE_LEVEL_FULL_ONLINE,
    ),
    "1.003003": (
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "First land-use right certificate", "land",
        ev.SERVICE_LEVEL_PARTIAL_ONLINE,
    ),
    "2.000720": (
        "Đăng ký thành lập hộ kinh doanh", "Business household registration", "business",
        ev.SERVICE_LEVEL_OFFLINE,
    ),
}  # fmt: skip
# Which agency serves which procedures.
SERVES = {
    "SOTP-BD": ("2.000488", "1.000894"),
    "CA-BD": ("1.004194",),
    "UBND-TDM": ("1.001193", "1.000894", "2.000720"),
    "UBND-DIAN": ("1.001193", "1.003003"),
    "UBND-TA": ("1.001193", "2.000720", "1.003003"),
}
COMPONENTS = (
    [REUSED_RESULT, DIGITIZED],
    [DIGITIZED],
    [REUSED_COMPONENT, DIGITIZED],
    [PAPER, DIGITIZED],
    [DIGITIZED, DIGITIZED],
    [REUSED_RESULT],
    [PAPER],
)
CHANNELS = (ONLINE, ONLINE, COUNTER, ONLINE, POSTAL, ONLINE, COUNTER)
# A share of 2024's dossiers that arrive after 2024 was closed.
LATE_RESOLVED = "BD-2024-0007"


def _named(envelope: ev.Envelope, agency: str, procedure: str) -> ev.Envelope:
    r = envelope.dossier_received
    r.agency_name = AGENCIES[agency][0]
    r.procedure_name, r.procedure_name_en = PROCEDURES[procedure][:2]
    return envelope


def _year(year: int, count: int, reuse_every: int) -> list[ev.Envelope]:
    events: list[ev.Envelope] = []
    agencies = list(SERVES)
    for i in range(count):
        d = f"BD-{year}-{i:04d}"
        agency = agencies[i % len(agencies)]
        procedure = SERVES[agency][i // len(agencies) % len(SERVES[agency])]
        month = i % 12 + 1
        when = f"{year}-{month:02d}-{i % 25 + 2:02d} 09:00"
        components = (
            COMPONENTS[(i // reuse_every) % len(COMPONENTS)] if i % reuse_every else [PAPER, DIGITIZED]
        )
        if year == 2024 and i % 3 == 0:
            components = COMPONENTS[i % 3]
        envelope = received(
            d,
            when,
            agency=agency,
            procedure=procedure,
            province="Hồ Chí Minh",
            province_then="Bình Dương",
            commune=AGENCIES[agency][1],
            sector=PROCEDURES[procedure][2],
            channel=CHANNELS[i % len(CHANNELS)],
            components=components,
            fee=20_000 if i % 4 == 0 else 0,
            paid_online=i % 8 == 0,
            non_jurisdictional=i % 9 == 0,
            service_level=PROCEDURES[procedure][3],
            due=f"{year}-{month:02d}-{i % 25 + 2:02d} 17:00"
            if i % 11 == 0
            else f"{year}-{month:02d}-27 17:00",
        )
        events.append(_named(envelope, agency, procedure))
        if i % 2 == 0:
            events.append(reused(d, when.replace("09:00", "08:30"), agency=agency, procedure=procedure))
        if d != LATE_RESOLVED and i % 10 != 9:
            events.append(resolved(d, f"{year}-{month:02d}-{i % 25 + 3:02d} 10:00", electronic=i % 5 != 0))
    return events


def catalog() -> ev.Envelope:
    snapshot = ev.CatalogSnapshot(
        province="Bình Dương",
        entries=[
            ev.CatalogEntry(procedure_code=code, service_level=level)
            for code, (_, _, _, level) in PROCEDURES.items()
        ],
    )
    snapshot.as_of.FromDatetime(datetime(2024, 12, 31, tzinfo=UTC))
    return new_envelope(snapshot, producer="test", occurred_at=at("2024-12-31 12:00"))


def report_events() -> list[ev.Envelope]:
    """Before the closing: 2023 (for the year-on-year figures) and 2024, and the catalog."""
    return [*_year(2023, 180, 3), *_year(2024, 240, 2), catalog()]


def after_closing() -> list[ev.Envelope]:
    """Arrives after 2024 was closed: a resolution, which moves 2024's live figures."""
    return [resolved(LATE_RESOLVED, "2024-12-20 10:00")]
