"""Province codes and the 1 July 2025 merger into 34 provinces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.common.provinces import (
    PROVINCES_2025,
    UnknownProvince,
    by_code,
    codes,
    province_2025,
    provinces,
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
