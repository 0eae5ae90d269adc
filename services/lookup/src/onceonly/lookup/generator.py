"""A deterministic synthetic population a Vietnamese official would find plausible.

The population is built household by household, in chunks of consecutive citizens; chunk ``i`` draws
from its own ``random.Random`` seeded with ``(seed, i)``, so chunks can be generated in parallel and
the same seed always gives the same bytes. Nothing depends on today's date: ages and issue dates are
relative to ``REFERENCE_DATE``.

Personal ids stay unique because their six serial digits are a permutation of the citizen's index
(hence at most ``MAX_CITIZENS``).
"""

from __future__ import annotations

import bisect
import hashlib
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache

from onceonly.common.personal_id import Sex, make_personal_id
from onceonly.common.provinces import by_code, codes
from onceonly.common.provinces import province_2025 as _province_2025
from onceonly.lookup import catalog, vietnam
from onceonly.population.v1.population_pb2 import Address, Citizen, MaritalStatus, RelativeRef
from onceonly.population.v1.population_pb2 import Sex as SexPb
from onceonly.results.v1.results_pb2 import Result

REFERENCE_DATE = date(2025, 10, 1)
MAX_CITIZENS = 1_000_000
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


@dataclass(slots=True, eq=False)
class _Person:
    index: int
    personal_id: str
    family: str
    middle: str
    given: str
    dob: date
    sex: Sex
    birth_code: str
    marital: MaritalStatus.ValueType = SINGLE
    relationship: str = "Chủ hộ"
    hometown: str = ""
    father: _Person | None = None
    mother: _Person | None = None
    spouse: _Person | None = None
    current: Address | None = None
    results: list[Result] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.family} {self.middle} {self.given}"

    def ref(self) -> RelativeRef:
        return RelativeRef(personal_id=self.personal_id, full_name=self.full_name, birth_year=self.dob.year)


@cache
def ascii_slug(text: str) -> str:
    """ "Phường Bến Thành" → "PHUONG-BEN-THANH", for agency codes."""
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(plain.upper().replace("-", " ").split())


@cache
def _weighted(table: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    values = [v for v, _ in table]
    cumulative: list[float] = []
    total = 0.0
    for _, weight in table:
        total += weight
        cumulative.append(total)
    return values, cumulative


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    values, cumulative = _weighted(table)
    # What rng.choices does, without its per-call set-up: this runs several times per citizen.
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1], 0, len(cumulative) - 1)]


@cache
def province_2025(code_or_name: str) -> str:
    return _province_2025(code_or_name)


@cache
def _province_table() -> tuple[tuple[str, float], ...]:
    return tuple((code, vietnam.PROVINCE_WEIGHTS.get(code, 1.0)) for code in sorted(codes()))


class _ChunkBuilder:
    """Builds one chunk: households of consecutive citizens and their digitized results."""

    def __init__(self, seed: int, chunk_index: int, start: int, count: int) -> None:
        self.seed = seed
        self.chunk = chunk_index
        self.rng = random.Random(f"{seed}:{chunk_index}")
        self.next_index = start
        self.end = start + count
        self.households = 0
        self.results = 0
        self.people: list[_Person] = []
        self.household_of: dict[int, tuple[str, _Person, Address]] = {}

    # -- people --------------------------------------------------------------------------------

    def _date_in_year(self, year: int) -> date:
        day = date(year, 1, 1) + timedelta(days=self.rng.randrange(365))
        return min(day, REFERENCE_DATE - timedelta(days=1))

    def _person(self, sex: Sex, year: int, family: str, birth_code: str) -> _Person | None:
        if self.next_index >= self.end:
            return None
        rng = self.rng
        dob = self._date_in_year(year)
        index = self.next_index
        self.next_index += 1
        serial = (index * _SERIAL_STEP + _SERIAL_OFFSET) % 1_000_000
        modern = year >= 1985
        if sex is Sex.MALE:
            middle = _pick(
                rng,
                vietnam.MIDDLE_NAMES_MALE_MODERN if modern else vietnam.MIDDLE_NAMES_MALE_TRADITIONAL,
            )
            given = rng.choice(vietnam.GIVEN_NAMES_MALE)
        else:
            middle = _pick(
                rng,
                vietnam.MIDDLE_NAMES_FEMALE_MODERN if modern else vietnam.MIDDLE_NAMES_FEMALE_TRADITIONAL,
            )
            given = rng.choice(vietnam.GIVEN_NAMES_FEMALE)
        person = _Person(
            index=index,
            personal_id=make_personal_id(birth_code, dob, sex, serial),
            family=family,
            middle=middle,
            given=given,
            dob=dob,
            sex=sex,
            birth_code=birth_code,
            hometown=province_2025(birth_code),
        )
        self.people.append(person)
        return person

    def _birth_code(self, home: str, stay: float) -> str:
        return home if self.rng.random() < stay else _pick(self.rng, _province_table())

    def _family(self) -> str:
        return _pick(self.rng, vietnam.FAMILY_NAMES)

    def _children(self, father: _Person | None, mother: _Person, home: str, family: str) -> list[_Person]:
        rng = self.rng
        kids: list[_Person] = []
        wanted = rng.choices((0, 1, 2, 3, 4), weights=(10, 30, 42, 14, 4))[0]
        year = mother.dob.year + rng.randint(20, 27)
        if father is not None:
            year = max(year, father.dob.year + 21)
        for _ in range(wanted):
            if year > REFERENCE_DATE.year:
                break
            sex = Sex.MALE if rng.random() < 0.512 else Sex.FEMALE
            kid = self._person(sex, year, family, self._birth_code(home, 0.92))
            if kid is None:
                break
            kid.relationship = "Con"
            kid.father, kid.mother = father, mother
            kid.hometown = father.hometown if father else mother.hometown
            kids.append(kid)
            year += rng.randint(2, 6)
        return kids

    def _couple(self, home: str, husband_year: int) -> tuple[_Person, _Person] | None:
        rng = self.rng
        family = self._family()
        husband = self._person(Sex.MALE, husband_year, family, self._birth_code(home, 0.8))
        if husband is None:
            return None
        wife_year = husband_year + rng.choice((-2, -1, 0, 1, 1, 2, 2, 3, 4, 5, 6))
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

    def household(self) -> None:  # noqa: PLR0912, PLR0915 - one branch per kind of household
        """Adds one household (fewer members when the chunk runs out)."""
        rng = self.rng
        home = _pick(rng, _province_table())
        first = len(self.people)
        kind = rng.random()
        if kind < 0.55:  # couple and their children
            couple = self._couple(home, rng.randint(1950, 2000))
            if couple is not None:
                husband, wife = couple
                self._children(husband, wife, home, husband.family)
        elif kind < 0.70:  # three generations
            grandpa: _Person | None = None
            grandma: _Person | None
            if rng.random() < 0.3:  # the grandfather has died: he is no longer in the registry
                grandma = self._person(Sex.FEMALE, rng.randint(1935, 1960), self._family(), home)
                if grandma is not None:
                    grandma.marital = WIDOWED
            else:
                couple = self._couple(home, rng.randint(1935, 1960))
                grandpa, grandma = couple if couple else (None, None)
            if grandma is not None:
                family = grandpa.family if grandpa else self._family()
                son = self._person(
                    Sex.MALE, grandma.dob.year + rng.randint(20, 32), family, self._birth_code(home, 0.95)
                )
                if son is not None:
                    son.father, son.mother = grandpa, grandma
                    son.hometown = grandpa.hometown if grandpa else son.hometown
                    son.relationship = "Con"
                    daughter_in_law = self._person(
                        Sex.FEMALE,
                        son.dob.year + rng.randint(-3, 4),
                        self._family(),
                        self._birth_code(home, 0.6),
                    )
                    if daughter_in_law is not None:
                        son.marital = daughter_in_law.marital = MARRIED
                        son.spouse, daughter_in_law.spouse = daughter_in_law, son
                        daughter_in_law.relationship = "Con dâu"
                        self._marriage(son, daughter_in_law)
                        for kid in self._children(son, daughter_in_law, home, son.family):
                            kid.relationship = "Cháu"
        elif kind < 0.85:  # one person
            sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
            person = self._person(sex, rng.randint(1960, 2006), self._family(), self._birth_code(home, 0.7))
            if person is not None and person.dob.year < 1995 and rng.random() < 0.25:
                person.marital = DIVORCED
        elif kind < 0.95:  # single mother and her children
            mother = self._person(
                Sex.FEMALE, rng.randint(1965, 1998), self._family(), self._birth_code(home, 0.75)
            )
            if mother is not None:
                mother.marital = DIVORCED if rng.random() < 0.6 else WIDOWED
                self._children(None, mother, home, mother.family if rng.random() < 0.3 else self._family())
        else:  # an elderly widow(er) alone
            sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
            person = self._person(sex, rng.randint(1930, 1955), self._family(), self._birth_code(home, 0.9))
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
        for member in members:
            self.household_of[member.index] = (household_id, head, address)
            # Some adults live (temporarily) away from the household, mostly in the big cities.
            if REFERENCE_DATE.year - member.dob.year >= 18 and rng.random() < 0.09:
                destination = _pick(rng, vietnam.MIGRATION_DESTINATIONS)
                if destination != address.province:
                    member.current = self._address(destination)

    def _address(self, province: str) -> Address:
        rng = self.rng
        ward = rng.choice(vietnam.WARDS[province])
        if ward.startswith("Xã") and rng.random() < 0.6:
            street = rng.choice(vietnam.HAMLETS)
        elif province == "Hà Nội" and rng.random() < 0.5:
            street = f"Số {rng.randint(1, 80)}, ngõ {rng.randint(1, 300)} phố {rng.choice(vietnam.STREETS)}"
        else:
            street = f"Số {rng.randint(1, 450)} {rng.choice(vietnam.STREETS)}"
        return Address(street=street, ward=ward, province=province)

    # -- results -------------------------------------------------------------------------------

    def _result(
        self,
        owner: _Person,
        result_type: str,
        title: str,
        agency: str,
        agency_name: str,
        issued: date,
        valid_days: int | None,
        attributes: dict[str, str],
        document_number: str | None = None,
    ) -> Result:
        self.results += 1
        result_id = f"{_PREFIX[result_type]}-{issued.year}-{self.chunk:04d}{self.results:07d}"
        number = document_number or f"{self.rng.randint(1, 9999)}/{issued.year}"
        result = Result(
            result_id=result_id,
            result_type=result_type,
            owner_personal_id=owner.personal_id,
            title=title,
            issuing_agency=agency,
            document_number=number,
            issued_on=issued.isoformat(),
            valid_until=(issued + timedelta(days=valid_days)).isoformat() if valid_days else "",
            content_sha256=hashlib.sha256(
                f"{self.seed}|{result_id}|{owner.personal_id}|{number}".encode()
            ).hexdigest(),
            attributes={"issuing_agency_name": agency_name, **attributes},
        )
        owner.results.append(result)
        return result

    def _recent(self, years: float) -> date:
        return REFERENCE_DATE - timedelta(days=self.rng.randrange(1, int(365 * years)))

    def _ward_agency(self, province: str) -> tuple[str, str]:
        ward = self.rng.choice(vietnam.WARDS[province])
        return f"UBND.{ascii_slug(ward)}.{ascii_slug(province)}", f"Ủy ban nhân dân {ward}, {province}"

    def _marriage(self, husband: _Person, wife: _Person) -> None:
        if self.rng.random() > 0.7:
            return
        married = self._date_in_year(max(husband.dob.year, wife.dob.year) + self.rng.randint(20, 28))
        if married >= REFERENCE_DATE:
            return
        agency, agency_name = self._ward_agency(province_2025(wife.birth_code))
        number = f"{self.rng.randint(1, 999)}/{married.year}"
        for owner, spouse in ((husband, wife), (wife, husband)):
            self._result(
                owner, catalog.MARRIAGE_CERTIFICATE, "Giấy chứng nhận kết hôn", agency, agency_name, married,
                None,
                {"spouse_name": spouse.full_name, "spouse_personal_id": spouse.personal_id},
                document_number=number,
            )  # fmt: skip

    def person_results(self, person: _Person, household_head: bool, address: Address) -> None:
        rng = self.rng
        age = REFERENCE_DATE.year - person.dob.year
        birth_province = province_2025(person.birth_code)
        if rng.random() < (0.85 if person.dob.year >= 1995 else 0.3):
            agency, name = self._ward_agency(birth_province)
            issued = min(person.dob + timedelta(days=rng.randint(3, 60)), REFERENCE_DATE - timedelta(days=1))
            attributes = {"place_of_birth": birth_province}
            if person.father:
                attributes["father_name"] = person.father.full_name
            if person.mother:
                attributes["mother_name"] = person.mother.full_name
            self._result(
                person, catalog.BIRTH_CERTIFICATE, "Giấy khai sinh", agency, name, issued, None, attributes
            )
        if age < 18:
            return
        if rng.random() < 0.06:
            agency, name = self._ward_agency(address.province)
            status = (
                "Chưa đăng ký kết hôn với ai" if person.marital == SINGLE else "Đã ly hôn, chưa kết hôn lại"
            )
            if person.marital in (SINGLE, DIVORCED):
                self._result(
                    person, catalog.MARITAL_STATUS_CONFIRMATION, "Giấy xác nhận tình trạng hôn nhân",
                    agency, name, self._recent(2), 180, {"marital_status": status},
                )  # fmt: skip
        if rng.random() < 0.05:
            province = address.province
            self._result(
                person, catalog.JUDICIAL_RECORD_CERTIFICATE, "Phiếu lý lịch tư pháp số 1",
                f"STP.{ascii_slug(province)}", f"Sở Tư pháp {province}", self._recent(3), 180,
                {"criminal_record": "Không có án tích", "form": "1"},
            )  # fmt: skip
        if rng.random() < 0.08:
            agency, name = self._ward_agency(address.province)
            self._result(
                person, catalog.RESIDENCE_CONFIRMATION, "Xác nhận thông tin về cư trú",
                f"CA.{agency.removeprefix('UBND.')}", name.replace("Ủy ban nhân dân", "Công an"),
                self._recent(2), 365,
                {"permanent_address": f"{address.street}, {address.ward}, {address.province}"},
            )  # fmt: skip
        if household_head and rng.random() < 0.45:
            province = address.province
            urban = address.ward.startswith("Phường")
            self._result(
                person, catalog.LAND_USE_RIGHT_CERTIFICATE,
                _LAND_TITLE, f"SNNMT.{ascii_slug(province)}",
                f"Sở Tài nguyên và Môi trường {province}", self._date_in_year(rng.randint(1995, 2025)), None,
                {
                    "parcel_number": str(rng.randint(1, 999)), "map_sheet": str(rng.randint(1, 80)),
                    "area_m2": f"{rng.randint(40, 120) if urban else rng.randint(100, 1500)}"
                               f".{rng.randint(0, 9)}",
                    "land_use_purpose": "Đất ở tại đô thị" if urban else "Đất ở tại nông thôn",
                    "address": f"{address.street}, {address.ward}, {address.province}",
                },
            )  # fmt: skip
        if 25 <= age <= 65 and rng.random() < 0.05:
            agency, name = self._ward_agency(address.province)
            line = rng.choice(("Bán lẻ tạp hóa", "Dịch vụ ăn uống", "Sửa chữa xe máy", "Cắt tóc, gội đầu",
                               "Bán lẻ điện thoại", "Tiệm may", "Bán lẻ vật liệu xây dựng"))  # fmt: skip
            self._result(
                person, catalog.BUSINESS_HOUSEHOLD_REGISTRATION, "Giấy chứng nhận đăng ký hộ kinh doanh",
                agency, name, self._date_in_year(rng.randint(2010, 2025)), None,
                {"business_name": f"Hộ kinh doanh {person.full_name}", "business_line": line},
            )  # fmt: skip

    # -- rows ----------------------------------------------------------------------------------

    def build(self) -> Chunk:
        while self.next_index < self.end:
            self.household()
        citizens: list[CitizenRow] = []
        results: list[ResultRow] = []
        rng = self.rng
        for person in self.people:
            household_id, head, address = self.household_of[person.index]
            self.person_results(person, person is head, address)
            citizen = Citizen(
                personal_id=person.personal_id,
                full_name=person.full_name,
                family_name=person.family,
                middle_name=person.middle,
                given_name=person.given,
                date_of_birth=person.dob.isoformat(),
                sex=SexPb.SEX_MALE if person.sex is Sex.MALE else SexPb.SEX_FEMALE,
                ethnicity=_pick(rng, vietnam.ETHNICITIES),
                religion=_pick(rng, vietnam.RELIGIONS),
                nationality="Việt Nam",
                marital_status=person.marital,
                hometown=person.hometown,
                birth_registration_place=by_code(person.birth_code).name,
                permanent_address=address,
                current_address=person.current or address,
                household_id=household_id,
                household_head=head.ref(),
                relationship_to_head=person.relationship,
            )
            if person.father:
                citizen.father.CopyFrom(person.father.ref())
            if person.mother:
                citizen.mother.CopyFrom(person.mother.ref())
            if person.spouse:
                citizen.spouse.CopyFrom(person.spouse.ref())
            citizens.append((person.personal_id, household_id, citizen.SerializeToString(deterministic=True)))
            for result in person.results:
                results.append(self._result_row(result))
        return Chunk(citizens=citizens, results=results)

    def _result_row(self, result: Result) -> ResultRow:
        rng = self.rng
        revoked_at: int | None = None
        reason: str | None = None
        business = result.result_type == catalog.BUSINESS_HOUSEHOLD_REGISTRATION
        if rng.random() < (0.08 if business else 0.01):
            issued = date.fromisoformat(result.issued_on)
            span = max(1, (REFERENCE_DATE - issued).days)
            when = datetime.combine(issued, datetime.min.time(), tzinfo=UTC) + timedelta(
                days=rng.randrange(span), seconds=rng.randrange(8 * 3600, 17 * 3600)
            )
            revoked_at = int(when.timestamp()) * 1_000_000
            reason = rng.choice(_BUSINESS_REVOCATIONS if business else _REVOCATIONS)
        return (
            result.result_id,
            result.owner_personal_id,
            result.result_type,
            result.issued_on,
            result.valid_until or None,
            result.content_sha256,
            revoked_at,
            reason,
            result.SerializeToString(deterministic=True),
        )


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
    return _ChunkBuilder(seed, chunk_index, start, count).build()


def chunk_count(citizens: int, chunk_size: int = CHUNK_SIZE) -> int:
    if not 0 < citizens <= MAX_CITIZENS:
        raise ValueError(f"the number of citizens must be between 1 and {MAX_CITIZENS:,}")
    return -(-citizens // chunk_size)
