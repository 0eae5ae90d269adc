"""Province codes and the 1 July 2025 merger into 34 provinces."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.common.provinces import (
    MERGER_DATE,
    PROVINCES_2025,
    UnknownProvince,
    by_code,
    codes,
    covered_names,
    folded_name,
    parse_place,
    province_2025,
    province_at,
    provinces,
    recorded_name,
    same_province,
)


def test_63_codes_merge_into_34_provinces() -> None:
    assert len(provinces()) == 63
    assert len(codes()) == 63
    assert len(PROVINCES_2025) == 34


@pytest.mark.parametrize(
    ("given_value", "expected"),
    [
        ("074", "Hồ Chí Minh"),
        ("Bình Dương", "Hồ Chí Minh"),
        ("bình  dương ", "Hồ Chí Minh"),
        ("Thừa Thiên Huế", "Huế"),
        ("Huế", "Huế"),
        ("Hà Giang", "Tuyên Quang"),
        ("Tuyên Quang", "Tuyên Quang"),
        ("001", "Hà Nội"),
    ],
)
def test_codes_old_and_new_names_normalize_to_the_2025_province(given_value: str, expected: str) -> None:
    assert province_2025(given_value) == expected


@given(st.sampled_from(sorted(codes())))
def test_every_code_and_its_old_name_agree(code: str) -> None:
    province = by_code(code)
    assert province_2025(code) == province_2025(province.name) == province.province_2025
    assert province.province_2025 in PROVINCES_2025


def test_same_province_across_the_merger() -> None:
    assert same_province("Bình Dương", "079")
    assert not same_province("Hà Nội", "Hồ Chí Minh")


@pytest.mark.parametrize("value", ["999", "Atlantis", "", "07"])
def test_unknown_provinces_are_refused_clearly(value: str) -> None:
    with pytest.raises(UnknownProvince, match="province"):
        province_2025(value)


@pytest.mark.parametrize(
    ("spelling", "name", "since_2025"),
    [
        ("Bình Dương", "Bình Dương", False),
        ("binh duong", "Bình Dương", False),
        ("Tỉnh Bình Dương", "Bình Dương", False),
        ("TỈNH BÌNH DƯƠNG", "Bình Dương", False),
        ("tinh binh duong", "Bình Dương", False),
        ("74", "Bình Dương", False),
        ("074", "Bình Dương", False),
        ("Thành phố Hồ Chí Minh", "Hồ Chí Minh", True),
        ("thanh pho ho chi minh", "Hồ Chí Minh", True),
        ("TP. Hồ Chí Minh", "Hồ Chí Minh", True),
        ("TP HCM", "Hồ Chí Minh", True),
        ("Hồ Chí Minh", "Hồ Chí Minh", True),
        ("79", "Hồ Chí Minh", False),
        ("Hồ Chí Minh (trước 01/07/2025)", "Hồ Chí Minh", False),
        ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu", False),
        ("ba ria - vung tau", "Bà Rịa - Vũng Tàu", False),
        ("Thừa Thiên Huế", "Thừa Thiên Huế", False),
        ("Thành phố Huế", "Huế", True),
        ("Đắk Lắk", "Đắk Lắk", True),
        ("dak lak", "Đắk Lắk", True),
        ("1", "Hà Nội", False),
        ("Thủ đô Hà Nội".removeprefix("Thủ đô "), "Hà Nội", True),
    ],
)
def test_a_place_is_named_by_code_old_or_new_name_any_spelling(
    spelling: str, name: str, since_2025: bool
) -> None:
    place = parse_place(spelling)
    assert (place.name, place.since_2025) == (name, since_2025)
    assert parse_place(place.key) == place


def test_todays_province_covers_the_provinces_merged_into_it() -> None:
    assert covered_names("Hồ Chí Minh") == ("Bà Rịa - Vũng Tàu", "Bình Dương", "Hồ Chí Minh")
    assert covered_names("Bình Dương") == ("Bình Dương",)
    assert covered_names("Hồ Chí Minh (trước 01/07/2025)") == ("Hồ Chí Minh",)
    assert parse_place("79").key == "Hồ Chí Minh (trước 01/07/2025)"
    assert parse_place("Bình Dương").key == "Bình Dương"
    assert parse_place("Bình Dương").province_2025 == "Hồ Chí Minh"


def test_the_province_of_a_day_changes_on_the_merger() -> None:
    assert province_at("074", date(2024, 12, 31)) == "Bình Dương"
    assert province_at("Bình Dương", date(2025, 6, 30)) == "Bình Dương"
    assert province_at("Bình Dương", MERGER_DATE) == "Hồ Chí Minh"
    assert province_at("Hồ Chí Minh", date(2024, 1, 1)) == "Hồ Chí Minh"


def test_folded_names_never_collide() -> None:
    old = {folded_name(p.name) for p in provinces()}
    assert len(old) == 63
    assert len({folded_name(n) for n in PROVINCES_2025}) == 34
    assert recorded_name("thanh pho ho chi minh") == "Hồ Chí Minh"
    assert recorded_name("Atlantis") == "Atlantis"


@pytest.mark.parametrize("value", ["999", "Atlantis", "", "0", "Tỉnh", "Hồ Chí Minh (trước 01/07/2025) x"])
def test_an_unknown_place_is_refused(value: str) -> None:
    with pytest.raises(UnknownProvince):
        parse_place(value)
