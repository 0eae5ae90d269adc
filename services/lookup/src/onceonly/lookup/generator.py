"""A deterministic synthetic population a Vietnamese official would find plausible.

The population is built household by household, in chunks of consecutive citizens; chunk ``i`` draws
from its own ``random.Random`` seeded with ``(seed, i)``, so chunks can be generated in parallel and
the same seed always gives the same bytes, whatever the number of processes. Nothing depends on
today's date: ages and issue dates are relative to ``REFERENCE_DATE``.

Personal ids stay unique. Up to ``BIJECTIVE_CITIZENS`` their six serial digits are a permutation of the
citizen's index. A larger population (a benchmark's registry, up to ``MAX_CITIZENS``) gives each chunk
its own range of serials and counts within it per id prefix (province, century and sex, birth year), as
the real registry numbers each prefix on its own.

This runs about 1,000,000 times per seed, so the hot path avoids what costs in pure Python: dates are
day ordinals (ISO strings from a table), draws are ``random()`` scaled by hand rather than ``randint``
or ``choice``, and the ``Citizen`` and ``Result`` records are encoded straight to protobuf wire bytes
from pre-encoded pieces (names, places, agencies, a person's ``RelativeRef``, a household's
``Address``) instead of building nested messages. The encoding is the one
``SerializeToString(deterministic=True)`` gives: fields in number order, defaults left out, map
entries sorted by key (``tests/lookup/test_generator.py`` checks it).
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from bisect import bisect
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate

from onceonly.common.personal_id import Sex, make_personal_id
from onceonly.common.provinces import by_code, codes
from onceonly.common.provinces import province_2025 as _province_2025
from onceonly.lookup import catalog, vietnam
from onceonly.population.v1.population_pb2 import MaritalStatus
from onceonly.population.v1.population_pb2 import Sex as SexPb

REFERENCE_DATE = date(2025, 10, 1)
BIJECTIVE_CITIZENS = 1_000_000
MAX_CITIZENS = 20_000_000
CHUNK_SIZE = 20_000

# serial = (index * _SERIAL_STEP + _SERIAL_OFFSET) mod 10**6 is a bijection: the step is coprime to 10**6.
_SERIAL_STEP = 387_361
_SERIAL_OFFSET = 104_729

SINGLE = MaritalStatus.MARITAL_STATUS_SINGLE
MARRIED = MaritalStatus.MARITAL_STATUS_MARRIED
DIVORCED = MaritalStatus.MARITAL_STATUS_DIVORCED
WIDOWED = MaritalStatus.MARITAL_STATUS_WIDOWED

CitizenRow = tuple[str, str, bytes]
"""(personal_id, household_id, serialized Citizen)"""
ResultRow = tuple[str, str, str, str, str | None, str, int | None, str | None, bytes]
"""(result_id, owner, result_type, issued_on, valid_until, sha256, revoked_at_us, reason, Result)"""


@dataclass(slots=True)
class Chunk:
    citizens: list[CitizenRow]
    results: list[ResultRow]


# -- dates as day ordinals -------------------------------------------------------------------------

_REFERENCE = REFERENCE_DATE.toordinal()
_LAST_DAY = _REFERENCE - 1  # nothing is dated on or after the reference date
_EPOCH = date(1970, 1, 1).toordinal()
_US_PER_DAY = 86_400 * 1_000_000


class _IsoDates(dict[int, str]):
    """Day ordinal → "YYYY-MM-DD"; the few tens of thousands of days used are computed once."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


class _NewYears(dict[int, int]):
    """Year → the ordinal of its 1 January."""

    def __missing__(self, year: int) -> int:
        ordinal = self[year] = date(year, 1, 1).toordinal()
        return ordinal


_ISO = _IsoDates()
_NEW_YEAR = _NewYears()


# -- protobuf wire format --------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_VARINTS = [_varint(n) for n in range(1 << 14)]


def _size(length: int) -> bytes:
    """The varint of a length; every string and message written here is shorter than 16 KiB."""
    return _VARINTS[length]


def _key(number: int) -> bytes:
    """The key of length-delimited field ``number``."""
    return _varint(number << 3 | 2)


def _text(key: bytes, text: str) -> bytes:
    data = text.encode()
    return key + _VARINTS[len(data)] + data


class _Encoded(dict[str, bytes]):
    """A string field, encoded, by value: pooled values (names, places, agencies) repeat."""

    def __init__(self, number: int) -> None:
        super().__init__()
        self.key = _key(number)

    def __missing__(self, text: str) -> bytes:
        encoded = self[text] = _text(self.key, text)
        return encoded


# Citizen (onceonly.population.v1): field numbers in the order they are written.
_C_PERSONAL_ID, _C_FULL_NAME = _key(1), _key(2)
_C_FAMILY, _C_MIDDLE, _C_GIVEN, _C_BIRTH = _Encoded(3), _Encoded(4), _Encoded(5), _Encoded(6)
_C_SEX = {
    Sex.MALE: _varint(7 << 3) + _varint(SexPb.SEX_MALE),
    Sex.FEMALE: _varint(7 << 3) + _varint(SexPb.SEX_FEMALE),
}
_C_ETHNICITY, _C_RELIGION = _Encoded(8), _Encoded(9)
_C_NATIONALITY = _text(_key(10), "Việt Nam")
_C_MARITAL = {status: _varint(11 << 3) + _varint(status) for status in (SINGLE, MARRIED, DIVORCED, WIDOWED)}
_C_HOMETOWN, _C_BIRTH_PLACE = _Encoded(12), _Encoded(13)
_C_PERMANENT, _C_CURRENT = _key(14), _key(15)
_C_FATHER, _C_MOTHER, _C_SPOUSE = _key(16), _key(17), _key(18)
_C_HOUSEHOLD_ID, _C_HEAD, _C_RELATIONSHIP = _key(19), _key(20), _Encoded(21)
# RelativeRef and Address.
_R_PERSONAL_ID, _R_FULL_NAME, _R_BIRTH_YEAR = _key(1), _key(2), _varint(3 << 3)
_A_STREET, _A_WARD, _A_PROVINCE = _key(1), _Encoded(2), _Encoded(3)
# Result (onceonly.results.v1), without status and revocation (columns of the result table).
_R_ID, _R_TYPE, _R_OWNER, _R_TITLE = _key(1), _Encoded(2), _key(3), _Encoded(4)
_R_AGENCY, _R_NUMBER, _R_ISSUED, _R_VALID_UNTIL = _Encoded(5), _key(6), _Encoded(7), _Encoded(8)
_R_SHA256, _R_ATTRIBUTE = _key(9), _key(13)
_MAP_KEY, _MAP_VALUE = _Encoded(1), _key(2)


def _attribute(name: str, value: str) -> bytes:
    """One ``attributes`` map entry of a Result, encoded."""
    entry = _MAP_KEY[name] + _text(_MAP_VALUE, value)
    return _R_ATTRIBUTE + _VARINTS[len(entry)] + entry


class _PooledAttributes(dict[tuple[str, str], bytes]):
    """Entries whose values come from a small pool (agency names, places, purposes), encoded once."""

    def __missing__(self, item: tuple[str, str]) -> bytes:
        encoded = self[item] = _attribute(*item)
        return encoded


_ATTRIBUTE = _PooledAttributes()


# -- reference data --------------------------------------------------------------------------------


@cache
def ascii_slug(text: str) -> str:
    """ "Phường Bến Thành" → "PHUONG-BEN-THANH", for agency codes."""
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.upper().replace("-", " ").split())


class _Weighted:
    """A weighted table, drawn from with one ``random()`` and a bisection."""

    __slots__ = ("cumulative", "last", "total", "values")

    def __init__(self, table: tuple[tuple[str, float], ...]) -> None:
        self.values = [value for value, _ in table]
        self.cumulative = list(accumulate(weight for _, weight in table))
        self.total = self.cumulative[-1]
        self.last = len(self.values) - 1

    def pick(self, rng: random.Random) -> str:
        return self.values[bisect(self.cumulative, rng.random() * self.total, 0, self.last)]

    def picks(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.values, cum_weights=self.cumulative, k=count)


_FAMILY_NAMES = _Weighted(vietnam.FAMILY_NAMES)
_MIDDLE_NAMES = {
    (Sex.MALE, True): _Weighted(vietnam.MIDDLE_NAMES_MALE_MODERN),
    (Sex.MALE, False): _Weighted(vietnam.MIDDLE_NAMES_MALE_TRADITIONAL),
    (Sex.FEMALE, True): _Weighted(vietnam.MIDDLE_NAMES_FEMALE_MODERN),
    (Sex.FEMALE, False): _Weighted(vietnam.MIDDLE_NAMES_FEMALE_TRADITIONAL),
}
_GIVEN_NAMES = {Sex.MALE: vietnam.GIVEN_NAMES_MALE, Sex.FEMALE: vietnam.GIVEN_NAMES_FEMALE}
_ETHNICITIES = _Weighted(vietnam.ETHNICITIES)
_RELIGIONS = _Weighted(vietnam.RELIGIONS)
_DESTINATIONS = _Weighted(vietnam.MIGRATION_DESTINATIONS)
_CHILDREN_WANTED = _Weighted((("0", 10), ("1", 30), ("2", 42), ("3", 14), ("4", 4)))
_WIFE_AGE_GAP = (-2, -1, 0, 1, 1, 2, 2, 3, 4, 5, 6)
_BUSINESS_LINES = (
    "Bán lẻ tạp hóa", "Dịch vụ ăn uống", "Sửa chữa xe máy", "Cắt tóc, gội đầu", "Bán lẻ điện thoại",
    "Tiệm may", "Bán lẻ vật liệu xây dựng",
)  # fmt: skip


@cache
def province_2025(code_or_name: str) -> str:
    return _province_2025(code_or_name)


@cache
def _province_table() -> _Weighted:
    return _Weighted(tuple((code, vietnam.PROVINCE_WEIGHTS.get(code, 1.0)) for code in sorted(codes())))


@cache
def _birth_place(code: str) -> str:
    return by_code(code).name


@cache
def _id_prefix(code: str, year: int, sex: Sex) -> str:
    """Province, century-and-sex and year digits of a personal id: all but the serial."""
    return make_personal_id(code, date(year, 1, 1), sex, 0)[:6]


@dataclass(frozen=True, slots=True)
class _Agency:
    """A ward's people's committee and its police, with their names as encoded result attributes."""

    code: str
    name_attribute: bytes
    police_code: str
    police_name_attribute: bytes


@cache
def _ward_agencies(province: str) -> tuple[_Agency, ...]:
    agencies = []
    for ward in vietnam.WARDS[province]:
        place = f"{ascii_slug(ward)}.{ascii_slug(province)}"
        agencies.append(
            _Agency(
                code=f"UBND.{place}",
                name_attribute=_attribute("issuing_agency_name", f"Ủy ban nhân dân {ward}, {province}"),
                police_code=f"CA.{place}",
                police_name_attribute=_attribute("issuing_agency_name", f"Công an {ward}, {province}"),
            )
        )
    return tuple(agencies)


class _Person:
    __slots__ = (
        "address", "birth_code", "current", "dob", "family", "father", "full_name", "given", "head",
        "hometown", "household_id", "marital", "middle", "mother", "personal_id", "ref", "relationship",
        "sex", "spouse", "year",
    )  # fmt: skip

    def __init__(
        self, personal_id: str, family: str, middle: str, given: str, dob: int, year: int, sex: Sex, code: str
    ) -> None:
        self.personal_id = personal_id
        self.family = family
        self.middle = middle
        self.given = given
        self.full_name = f"{family} {middle} {given}"
        self.dob = dob
        self.year = year
        self.sex = sex
        self.birth_code = code
        self.hometown = province_2025(code)
        self.marital: MaritalStatus.ValueType = SINGLE
        self.relationship = "Chủ hộ"
        self.father: _Person | None = None
        self.mother: _Person | None = None
        self.spouse: _Person | None = None
        self.head: _Person = self
        self.household_id = ""
        # Encoded Address payloads: the household's, and where the person actually lives if elsewhere.
        self.address: _Address
        self.current: bytes | None = None
        # The length-delimited RelativeRef pointing at this person, made on first use.
        self.ref: bytes | None = None

    def reference(self) -> bytes:
        if self.ref is None:
            payload = (
                _text(_R_PERSONAL_ID, self.personal_id)
                + _text(_R_FULL_NAME, self.full_name)
                + _R_BIRTH_YEAR
                + _varint(self.year)
            )
            self.ref = _size(len(payload)) + payload
        return self.ref


@dataclass(slots=True)
class _Address:
    street: str
    ward: str
    province: str
    encoded: bytes  # length-delimited Address payload

    @property
    def line(self) -> str:
        return f"{self.street}, {self.ward}, {self.province}"


class _ChunkBuilder:
    """Builds one chunk: households of consecutive citizens and their digitized results."""

    def __init__(
        self, seed: int, chunk_index: int, start: int, count: int, serial_range: tuple[int, int] | None
    ) -> None:
        self.seed = seed
        self.chunk = chunk_index
        self.rng = random.Random(f"{seed}:{chunk_index}")
        self.random = self.rng.random
        self.next_index = start
        self.end = start + count
        # Serials of a population too large for the bijection: this chunk's range, counted per prefix.
        self.serial_range = serial_range
        self.serials_used: dict[str, int] = {}
        self.households = 0
        self.results = 0
        self.people: list[_Person] = []
        self.result_rows: list[ResultRow] = []

    # -- draws ---------------------------------------------------------------------------------

    def _between(self, low: int, high: int) -> int:
        """Like ``randint``: ``low`` to ``high`` inclusive."""
        return low + int(self.random() * (high - low + 1))

    def _day_in_year(self, year: int) -> int:
        return min(_NEW_YEAR[year] + int(self.random() * 365), _LAST_DAY)

    def _recent(self, years: float) -> int:
        return _REFERENCE - 1 - int(self.random() * (int(365 * years) - 1))

    # -- people --------------------------------------------------------------------------------

    def _person(self, sex: Sex, year: int, family: str, birth_code: str) -> _Person | None:
        if self.next_index >= self.end:
            return None
        index = self.next_index
        self.next_index += 1
        middle = _MIDDLE_NAMES[sex, year >= 1985].pick(self.rng)
        names = _GIVEN_NAMES[sex]
        given = names[int(self.random() * len(names))]
        dob = self._day_in_year(year)
        prefix = _id_prefix(birth_code, year, sex)
        personal_id = f"{prefix}{self._serial(index, prefix):06d}"
        person = _Person(personal_id, family, middle, given, dob, year, sex, birth_code)
        self.people.append(person)
        return person

    def _serial(self, index: int, prefix: str) -> int:
        if self.serial_range is None:
            return (index * _SERIAL_STEP + _SERIAL_OFFSET) % 1_000_000
        first, size = self.serial_range
        used = self.serials_used.get(prefix, 0)
        if used == size:
            raise ValueError(f"chunk {self.chunk} has more than {size} citizens with id prefix {prefix}")
        self.serials_used[prefix] = used + 1
        return first + used

    def _birth_code(self, home: str, stay: float) -> str:
        return home if self.random() < stay else _province_table().pick(self.rng)

    def _family(self) -> str:
        return _FAMILY_NAMES.pick(self.rng)

    def _children(self, father: _Person | None, mother: _Person, home: str, family: str) -> list[_Person]:
        kids: list[_Person] = []
        wanted = int(_CHILDREN_WANTED.pick(self.rng))
        year = mother.year + self._between(20, 27)
        if father is not None:
            year = max(year, father.year + 21)
        for _ in range(wanted):
            if year > REFERENCE_DATE.year:
                break
            sex = Sex.MALE if self.random() < 0.512 else Sex.FEMALE
            kid = self._person(sex, year, family, self._birth_code(home, 0.92))
            if kid is None:
                break
            kid.relationship = "Con"
            kid.father, kid.mother = father, mother
            kid.hometown = father.hometown if father else mother.hometown
            kids.append(kid)
            year += self._between(2, 6)
        return kids

    def _couple(self, home: str, husband_year: int) -> tuple[_Person, _Person] | None:
        family = self._family()
        husband = self._person(Sex.MALE, husband_year, family, self._birth_code(home, 0.8))
        if husband is None:
            return None
        wife_year = husband_year + _WIFE_AGE_GAP[int(self.random() * len(_WIFE_AGE_GAP))]
        wife = self._person(Sex.FEMALE, wife_year, self._family(), self._birth_code(home, 0.6))
        if wife is None:
            self.people.pop()
            self.next_index -= 1
            return None
        husband.marital = wife.marital = MARRIED
        husband.spouse, wife.spouse = wife, husband
        wife.relationship = "Vợ"
        self._marriage(husband, wife)
        return husband, wife

    def household(self) -> None:  # noqa: PLR0912 - one branch per kind of household
        """Adds one household (fewer members when the chunk runs out)."""
        between = self._between
        home = _province_table().pick(self.rng)
        first = len(self.people)
        kind = self.random()
        if kind < 0.55:  # couple and their children
            couple = self._couple(home, between(1950, 2000))
            if couple is not None:
                husband, wife = couple
                self._children(husband, wife, home, husband.family)
        elif kind < 0.70:  # three generations
            self._three_generations(home)
        elif kind < 0.85:  # one person
            sex = Sex.MALE if self.random() < 0.5 else Sex.FEMALE
            person = self._person(sex, between(1960, 2006), self._family(), self._birth_code(home, 0.7))
            if person is not None and person.year < 1995 and self.random() < 0.25:
                person.marital = DIVORCED
        elif kind < 0.95:  # single mother and her children
            mother = self._person(
                Sex.FEMALE, between(1965, 1998), self._family(), self._birth_code(home, 0.75)
            )
            if mother is not None:
                mother.marital = DIVORCED if self.random() < 0.6 else WIDOWED
                family = mother.family if self.random() < 0.3 else self._family()
                self._children(None, mother, home, family)
        else:  # an elderly widow(er) alone
            sex = Sex.FEMALE if self.random() < 0.7 else Sex.MALE
            person = self._person(sex, between(1930, 1955), self._family(), self._birth_code(home, 0.9))
            if person is not None:
                person.marital = WIDOWED
        members = self.people[first:]
        if not members:
            return
        self.households += 1
        household_id = f"HK{self.chunk:04d}{self.households:06d}"
        head = next((m for m in members if m.relationship == "Chủ hộ"), members[0])
        head.relationship = "Chủ hộ"
        address = self._address(province_2025(home))
        adult = REFERENCE_DATE.year - 18
        for member in members:
            member.household_id = household_id
            member.head = head
            member.address = address
            # Some adults live (temporarily) away from the household, mostly in the big cities.
            if member.year <= adult and self.random() < 0.09:
                destination = _DESTINATIONS.pick(self.rng)
                if destination != address.province:
                    member.current = self._address(destination).encoded

    def _three_generations(self, home: str) -> None:
        between = self._between
        grandpa: _Person | None = None
        grandma: _Person | None
        if self.random() < 0.3:  # the grandfather has died: he is no longer in the registry
            grandma = self._person(Sex.FEMALE, between(1935, 1960), self._family(), home)
            if grandma is not None:
                grandma.marital = WIDOWED
        else:
            couple = self._couple(home, between(1935, 1960))
            grandpa, grandma = couple if couple else (None, None)
        if grandma is None:
            return
        family = grandpa.family if grandpa else self._family()
        son = self._person(Sex.MALE, grandma.year + between(20, 32), family, self._birth_code(home, 0.95))
        if son is None:
            return
        son.father, son.mother = grandpa, grandma
        son.hometown = grandpa.hometown if grandpa else son.hometown
        son.relationship = "Con"
        daughter_in_law = self._person(
            Sex.FEMALE, son.year + between(-3, 4), self._family(), self._birth_code(home, 0.6)
        )
        if daughter_in_law is None:
            return
        son.marital = daughter_in_law.marital = MARRIED
        son.spouse, daughter_in_law.spouse = daughter_in_law, son
        daughter_in_law.relationship = "Con dâu"
        self._marriage(son, daughter_in_law)
        for kid in self._children(son, daughter_in_law, home, son.family):
            kid.relationship = "Cháu"

    def _address(self, province: str) -> _Address:
        random_ = self.random
        wards = vietnam.WARDS[province]
        ward = wards[int(random_() * len(wards))]
        streets = vietnam.STREETS
        if ward.startswith("Xã") and random_() < 0.6:
            street = vietnam.HAMLETS[int(random_() * len(vietnam.HAMLETS))]
        elif province == "Hà Nội" and random_() < 0.5:
            number, lane = self._between(1, 80), self._between(1, 300)
            street = f"Số {number}, ngõ {lane} phố {streets[int(random_() * len(streets))]}"
        else:
            street = f"Số {self._between(1, 450)} {streets[int(random_() * len(streets))]}"
        payload = _text(_A_STREET, street) + _A_WARD[ward] + _A_PROVINCE[province]
        return _Address(street, ward, province, _size(len(payload)) + payload)

    # -- results -------------------------------------------------------------------------------

    def _result(
        self,
        owner: _Person,
        result_type: str,
        title: str,
        agency: str,
        issued: int,
        valid_days: int | None,
        attributes: list[bytes],
        document_number: str | None = None,
    ) -> None:
        """Adds a result row; ``attributes`` are encoded map entries in key order (the order in which
        deterministic serialization writes them), ``issuing_agency_name`` included."""
        self.results += 1
        issued_on = _ISO[issued]
        year = issued_on[:4]
        result_id = f"{_PREFIX[result_type]}-{year}-{self.chunk:04d}{self.results:07d}"
        number = document_number or f"{self._between(1, 9999)}/{year}"
        valid_until = _ISO[issued + valid_days] if valid_days else None
        sha256 = hashlib.sha256(f"{self.seed}|{result_id}|{owner.personal_id}|{number}".encode()).hexdigest()
        parts = [
            _text(_R_ID, result_id),
            _R_TYPE[result_type],
            _text(_R_OWNER, owner.personal_id),
            _R_TITLE[title],
            _R_AGENCY[agency],
            _text(_R_NUMBER, number),
            _R_ISSUED[issued_on],
        ]
        if valid_until:
            parts.append(_R_VALID_UNTIL[valid_until])
        parts.append(_text(_R_SHA256, sha256))
        parts += attributes
        revoked_at: int | None = None
        reason: str | None = None
        business = result_type == catalog.BUSINESS_HOUSEHOLD_REGISTRATION
        if self.random() < (0.08 if business else 0.01):
            day = issued + int(self.random() * max(1, _REFERENCE - issued))
            seconds = self._between(8 * 3600, 17 * 3600 - 1)
            revoked_at = (day - _EPOCH) * _US_PER_DAY + seconds * 1_000_000
            reasons = _BUSINESS_REVOCATIONS if business else _REVOCATIONS
            reason = reasons[int(self.random() * len(reasons))]
        self.result_rows.append(
            (result_id, owner.personal_id, result_type, issued_on, valid_until, sha256, revoked_at, reason,
             b"".join(parts))
        )  # fmt: skip

    def _ward_agency(self, province: str) -> _Agency:
        agencies = _ward_agencies(province)
        return agencies[int(self.random() * len(agencies))]

    def _marriage(self, husband: _Person, wife: _Person) -> None:
        if self.random() > 0.7:
            return
        married = self._day_in_year(max(husband.year, wife.year) + self._between(20, 28))
        if married >= _LAST_DAY:
            return
        agency = self._ward_agency(province_2025(wife.birth_code))
        number = f"{self._between(1, 999)}/{_ISO[married][:4]}"
        for owner, spouse in ((husband, wife), (wife, husband)):
            self._result(
                owner, catalog.MARRIAGE_CERTIFICATE, "Giấy chứng nhận kết hôn", agency.code, married, None,
                [
                    agency.name_attribute,
                    _attribute("spouse_name", spouse.full_name),
                    _attribute("spouse_personal_id", spouse.personal_id),
                ],
                document_number=number,
            )  # fmt: skip

    def person_results(self, person: _Person) -> None:
        """Draws the person's digitized results (marriage certificates come with the couple)."""
        random_ = self.random
        age = REFERENCE_DATE.year - person.year
        address = person.address
        province = address.province
        if random_() < (0.85 if person.year >= 1995 else 0.3):
            birth_province = province_2025(person.birth_code)
            agency = self._ward_agency(birth_province)
            issued = min(person.dob + self._between(3, 60), _LAST_DAY)
            attributes = [agency.name_attribute, _ATTRIBUTE["place_of_birth", birth_province]]
            if person.father:
                attributes.insert(0, _attribute("father_name", person.father.full_name))
            if person.mother:
                attributes.insert(-1, _attribute("mother_name", person.mother.full_name))
            self._result(
                person, catalog.BIRTH_CERTIFICATE, "Giấy khai sinh", agency.code, issued, None, attributes
            )
        if age < 18:
            return
        if random_() < 0.06 and person.marital in (SINGLE, DIVORCED):
            agency = self._ward_agency(province)
            status = (
                "Chưa đăng ký kết hôn với ai" if person.marital == SINGLE else "Đã ly hôn, chưa kết hôn lại"
            )
            self._result(
                person, catalog.MARITAL_STATUS_CONFIRMATION, "Giấy xác nhận tình trạng hôn nhân",
                agency.code, self._recent(2), 180,
                [agency.name_attribute, _ATTRIBUTE["marital_status", status]],
            )  # fmt: skip
        if random_() < 0.05:
            self._result(
                person, catalog.JUDICIAL_RECORD_CERTIFICATE, "Phiếu lý lịch tư pháp số 1",
                f"STP.{ascii_slug(province)}", self._recent(3), 180,
                [
                    _ATTRIBUTE["criminal_record", "Không có án tích"], _ATTRIBUTE["form", "1"],
                    _ATTRIBUTE["issuing_agency_name", f"Sở Tư pháp {province}"],
                ],
            )  # fmt: skip
        if random_() < 0.08:
            agency = self._ward_agency(province)
            self._result(
                person, catalog.RESIDENCE_CONFIRMATION, "Xác nhận thông tin về cư trú",
                agency.police_code, self._recent(2), 365,
                [agency.police_name_attribute, _attribute("permanent_address", address.line)],
            )  # fmt: skip
        if person.head is person and random_() < 0.45:
            urban = address.ward.startswith("Phường")
            area = self._between(40, 120) if urban else self._between(100, 1500)
            self._result(
                person, catalog.LAND_USE_RIGHT_CERTIFICATE, _LAND_TITLE, f"SNNMT.{ascii_slug(province)}",
                self._day_in_year(self._between(1995, 2025)), None,
                [
                    _attribute("address", address.line),
                    _attribute("area_m2", f"{area}.{self._between(0, 9)}"),
                    _ATTRIBUTE["issuing_agency_name", f"Sở Tài nguyên và Môi trường {province}"],
                    _ATTRIBUTE["land_use_purpose", "Đất ở tại đô thị" if urban else "Đất ở tại nông thôn"],
                    _attribute("map_sheet", str(self._between(1, 80))),
                    _attribute("parcel_number", str(self._between(1, 999))),
                ],
            )  # fmt: skip
        if 25 <= age <= 65 and random_() < 0.05:
            agency = self._ward_agency(province)
            line = _BUSINESS_LINES[int(random_() * len(_BUSINESS_LINES))]
            self._result(
                person, catalog.BUSINESS_HOUSEHOLD_REGISTRATION, "Giấy chứng nhận đăng ký hộ kinh doanh",
                agency.code, self._day_in_year(self._between(2010, 2025)), None,
                [
                    _ATTRIBUTE["business_line", line],
                    _attribute("business_name", f"Hộ kinh doanh {person.full_name}"),
                    agency.name_attribute,
                ],
            )  # fmt: skip

    # -- rows ----------------------------------------------------------------------------------

    def build(self) -> Chunk:
        while self.next_index < self.end:
            self.household()
        people = self.people
        ethnicities = _ETHNICITIES.picks(self.rng, len(people))
        religions = _RELIGIONS.picks(self.rng, len(people))
        citizens: list[CitizenRow] = []
        for person, ethnicity, religion in zip(people, ethnicities, religions, strict=True):
            self.person_results(person)
            address = person.address.encoded
            parts = [
                _text(_C_PERSONAL_ID, person.personal_id),
                _text(_C_FULL_NAME, person.full_name),
                _C_FAMILY[person.family],
                _C_MIDDLE[person.middle],
                _C_GIVEN[person.given],
                _C_BIRTH[_ISO[person.dob]],
                _C_SEX[person.sex],
                _C_ETHNICITY[ethnicity],
                _C_RELIGION[religion],
                _C_NATIONALITY,
                _C_MARITAL[person.marital],
                _C_HOMETOWN[person.hometown],
                _C_BIRTH_PLACE[_birth_place(person.birth_code)],
                _C_PERMANENT + address,
                _C_CURRENT + (person.current or address),
            ]
            if person.father:
                parts.append(_C_FATHER + person.father.reference())
            if person.mother:
                parts.append(_C_MOTHER + person.mother.reference())
            if person.spouse:
                parts.append(_C_SPOUSE + person.spouse.reference())
            parts.append(_text(_C_HOUSEHOLD_ID, person.household_id))
            parts.append(_C_HEAD + person.head.reference())
            parts.append(_C_RELATIONSHIP[person.relationship])
            citizens.append((person.personal_id, person.household_id, b"".join(parts)))
        return Chunk(citizens=citizens, results=self.result_rows)


_PREFIX = {
    catalog.BIRTH_CERTIFICATE: "KS",
    catalog.MARRIAGE_CERTIFICATE: "KH",
    catalog.MARITAL_STATUS_CONFIRMATION: "XNHN",
    catalog.JUDICIAL_RECORD_CERTIFICATE: "LLTP",
    catalog.RESIDENCE_CONFIRMATION: "XNCT",
    catalog.LAND_USE_RIGHT_CERTIFICATE: "GCN",
    catalog.BUSINESS_HOUSEHOLD_REGISTRATION: "HKD",
}
_LAND_TITLE = "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất"
_REVOCATIONS = ("Cấp sai thông tin, đã thu hồi", "Bị mất, đã cấp lại bản mới", "Cấp sai thẩm quyền")
_BUSINESS_REVOCATIONS = ("Chấm dứt hoạt động kinh doanh", "Không hoạt động kinh doanh quá 6 tháng")


def generate_chunk(seed: int, chunk_index: int, citizens: int, chunk_size: int = CHUNK_SIZE) -> Chunk:
    """Chunk ``chunk_index`` of a population of ``citizens``: citizens and results as table rows."""
    start = chunk_index * chunk_size
    count = min(chunk_size, citizens - start)
    serials = None
    if citizens > BIJECTIVE_CITIZENS:
        # The first serial and the number of serials of this chunk: 10⁶ split evenly between chunks.
        size = 1_000_000 // chunk_count(citizens, chunk_size)
        serials = (chunk_index * size, size)
    return _ChunkBuilder(seed, chunk_index, start, count, serials).build()


def chunk_count(citizens: int, chunk_size: int = CHUNK_SIZE) -> int:
    if not 0 < citizens <= MAX_CITIZENS:
        raise ValueError(f"the number of citizens must be between 1 and {MAX_CITIZENS:,}")
    return -(-citizens // chunk_size)


def warm_up() -> None:
    """Fills the look-up tables, so that forked workers share them instead of each building its own."""
    generate_chunk(0, 0, 1000)
