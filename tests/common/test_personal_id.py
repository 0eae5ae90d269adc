"""The personal-id parser: every id the generator makes parses; every broken part is named."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from onceonly.common.personal_id import InvalidPersonalId, Sex, make_personal_id, parse_personal_id
from onceonly.common.provinces import codes

TODAY = date(2025, 10, 1)
province_codes = st.sampled_from(sorted(codes()))
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sexes = st.sampled_from(list(Sex))
serials = st.integers(min_value=0, max_value=999_999)


@given(province_codes, births, sexes, serials)
def test_every_generated_id_parses_back(code: str, born: date, sex: Sex, serial: int) -> None:
    value = make_personal_id(code, born, sex, serial)
    parsed = parse_personal_id(value, date_of_birth=born, sex=sex, today=TODAY)
    assert (parsed.province_code, parsed.sex, parsed.birth_year, int(parsed.serial)) == (
        code,
        sex,
        born.year,
        serial,
    )
    assert str(parsed) == value


@given(province_codes, births, sexes, serials, st.integers(min_value=0, max_value=11), st.data())
def test_a_dropped_or_added_character_is_a_length_error(
    code: str, born: date, sex: Sex, serial: int, position: int, data: st.DataObject
) -> None:
    value = make_personal_id(code, born, sex, serial)
    mutated = data.draw(st.sampled_from([value[:position] + value[position + 1 :], value + "0"]))
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(mutated, today=TODAY)
    assert error.value.part == "length"


@given(
    province_codes,
    births,
    sexes,
    serials,
    st.integers(min_value=0, max_value=11),
    st.characters(exclude_categories=["Cs"]).filter(lambda c: not ("0" <= c <= "9")),
)
def test_a_non_ascii_digit_is_a_digits_error(
    code: str, born: date, sex: Sex, serial: int, position: int, char: str
) -> None:
    value = make_personal_id(code, born, sex, serial)
    mutated = value[:position] + char + value[position + 1 :]
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(mutated, today=TODAY)
    assert error.value.part == "digits"


@pytest.mark.parametrize(
    "digits", ["٠٧٩١٩٠٠٠١٢٣٤", "０７９１９０００１２３４", " 79190001234", "07919000123\n"]
)
def test_unicode_digits_and_whitespace_are_refused(digits: str) -> None:
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(digits)
    assert error.value.part == "digits"


@given(st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}"), births, sexes, serials)
def test_an_unknown_province_code_is_named(code: str, born: date, sex: Sex, serial: int) -> None:
    assume(code not in codes())
    value = code + make_personal_id("001", born, sex, serial)[3:]
    with pytest.raises(InvalidPersonalId, match=f"province code {code} is not a Vietnamese province code"):
        parse_personal_id(value, today=TODAY)


@given(province_codes, births, sexes, serials)
def test_a_century_digit_disagreeing_with_the_birth_date_or_sex_is_refused(
    code: str, born: date, sex: Sex, serial: int
) -> None:
    value = make_personal_id(code, born, sex, serial)
    flipped_sex = value[:3] + str(int(value[3]) ^ 1) + value[4:]
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(flipped_sex, sex=sex, today=TODAY)
    assert error.value.part == "century_sex"
    other_century = value[:3] + str((int(value[3]) + 2) % 4) + value[4:]
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(other_century, date_of_birth=born, today=date(2199, 1, 1))
    assert error.value.part == "century_sex"


@given(province_codes, births, sexes, serials, st.integers(min_value=1, max_value=99))
def test_birth_year_digits_disagreeing_with_the_birth_date_are_refused(
    code: str, born: date, sex: Sex, serial: int, shift: int
) -> None:
    value = make_personal_id(code, born, sex, serial)
    year_digits = (born.year + shift) % 100
    mutated = f"{value[:4]}{year_digits:02d}{value[6:]}"
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(mutated, date_of_birth=born, today=date(2199, 1, 1))
    assert error.value.part == "birth_year"


def test_a_century_digit_beyond_the_2100s_is_refused() -> None:
    with pytest.raises(InvalidPersonalId, match="century-and-sex digit 7") as error:
        parse_personal_id("079790001234")
    assert error.value.part == "century_sex"


def test_a_birth_year_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidPersonalId, match="birth year 2090 is in the future") as error:
        parse_personal_id("079290001234", today=TODAY)
    assert error.value.part == "birth_year"


def test_messages_never_repeat_the_id() -> None:
    for bad in ("999190001234", "079790001234", "079290001234"):
        with pytest.raises(InvalidPersonalId) as error:
            parse_personal_id(bad, today=TODAY)
        assert bad not in str(error.value)
