"""The one parser of Vietnamese personal identification numbers (số định danh cá nhân).

Twelve ASCII digits, ``PPP G YY RRRRRR``:

- ``PPP`` the code of the (pre-2025) province where the birth was registered, one of 63;
- ``G`` century and sex: 0/1 born in the 1900s male/female, 2/3 in the 2000s, 4/5 in the 2100s;
- ``YY`` the last two digits of the birth year;
- ``RRRRRR`` six random digits.

``parse_personal_id`` raises ``InvalidPersonalId`` whose ``part`` names the first wrong part
("length", "digits", "province", "century_sex", "birth_year") and whose message says what is wrong
without repeating the id, so it is safe to return to a caller or to log.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from onceonly.common.provinces import Province, by_code, codes
from onceonly.common.working_days import VIETNAM

__all__ = [
    "InvalidPersonalId",
    "PersonalId",
    "PersonalIdPart",
    "Sex",
    "make_personal_id",
    "parse_personal_id",
]

PersonalIdPart = Literal["length", "digits", "province", "century_sex", "birth_year"]

_LENGTH = 12
_FIRST_CENTURY = 1900
_CENTURIES = 3  # 1900s, 2000s, 2100s: digits 0..5


class Sex(enum.Enum):
    MALE = "male"
    FEMALE = "female"


class InvalidPersonalId(ValueError):
    """A malformed personal id; ``part`` says which part is wrong."""

    def __init__(self, part: PersonalIdPart, message: str) -> None:
        super().__init__(message)
        self.part: PersonalIdPart = part
        self.message = message


@dataclass(frozen=True, slots=True)
class PersonalId:
    province_code: str
    century_sex_digit: int
    birth_year_2digits: int
    serial: str
    sex: Sex
    century: int

    @property
    def birth_year(self) -> int:
        return self.century + self.birth_year_2digits

    @property
    def province(self) -> Province:
        return by_code(self.province_code)

    @property
    def value(self) -> str:
        return f"{self.province_code}{self.century_sex_digit}{self.birth_year_2digits:02d}{self.serial}"

    def __str__(self) -> str:
        return self.value


def _century_digit(year: int, sex: Sex) -> int:
    index = year // 100 - _FIRST_CENTURY // 100
    if not 0 <= index < _CENTURIES:
        raise ValueError(f"birth year {year} is outside 1900-2199")
    return 2 * index + (1 if sex is Sex.FEMALE else 0)


def parse_personal_id(
    value: str,
    *,
    date_of_birth: date | None = None,
    sex: Sex | None = None,
    today: date | None = None,
) -> PersonalId:
    """Parse and check a personal id; with ``date_of_birth`` / ``sex``, check it agrees with them."""
    if len(value) != _LENGTH:
        raise InvalidPersonalId(
            "length", f"a personal id has 12 digits, this one has {len(value)} characters"
        )
    # str.isdigit() accepts Arabic-Indic, fullwidth and other Unicode digits: only ASCII counts.
    if not (value.isascii() and value.isdigit()):
        raise InvalidPersonalId("digits", "a personal id holds only the digits 0-9")
    province_code = value[:3]
    if province_code not in codes():
        raise InvalidPersonalId(
            "province", f"province code {province_code} is not a Vietnamese province code"
        )
    digit = int(value[3])
    if digit >= 2 * _CENTURIES:
        raise InvalidPersonalId(
            "century_sex", f"century-and-sex digit {digit} is not one of 0-5 (1900s to 2100s)"
        )
    century = _FIRST_CENTURY + 100 * (digit // 2)
    parsed = PersonalId(
        province_code=province_code,
        century_sex_digit=digit,
        birth_year_2digits=int(value[4:6]),
        serial=value[6:],
        sex=Sex.FEMALE if digit % 2 else Sex.MALE,
        century=century,
    )
    current_year = (today or datetime.now(VIETNAM).date()).year
    if parsed.birth_year > current_year:
        raise InvalidPersonalId("birth_year", f"birth year {parsed.birth_year} is in the future")
    if date_of_birth is not None:
        if date_of_birth.year // 100 * 100 != century:
            raise InvalidPersonalId(
                "century_sex",
                f"century-and-sex digit {digit} means born in the {century}s, "
                f"but the date of birth is in the {date_of_birth.year // 100 * 100}s",
            )
        if date_of_birth.year % 100 != parsed.birth_year_2digits:
            raise InvalidPersonalId(
                "birth_year",
                f"birth year digits {parsed.birth_year_2digits:02d} do not match "
                f"the date of birth's year {date_of_birth.year}",
            )
    if sex is not None and sex is not parsed.sex:
        raise InvalidPersonalId(
            "century_sex", f"century-and-sex digit {digit} means {parsed.sex.value}, not {sex.value}"
        )
    return parsed


def make_personal_id(province_code: str, date_of_birth: date, sex: Sex, serial: int) -> str:
    """The personal id of someone born on ``date_of_birth``, registered in ``province_code``."""
    by_code(province_code)
    if not 0 <= serial < 1_000_000:
        raise ValueError(f"serial {serial} is not six digits")
    year = date_of_birth.year
    return f"{province_code}{_century_digit(year, sex)}{year % 100:02d}{serial:06d}"
