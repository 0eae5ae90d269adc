"""The three gRPC services of the lookup: PopulationRegistry, DigitizedResults, ProcedureCatalog.

Servicers validate requests, call the store and raise domain errors; status codes are chosen by
``interceptors.ErrorMappingInterceptor``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import UTC, date, datetime
from typing import Any, Literal, ParamSpec, TypeVar

import grpc
from google.protobuf.descriptor import Descriptor
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message

from onceonly.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.common.provinces import UnknownProvince, codes, parse_place
from onceonly.common.working_days import VIETNAM
from onceonly.lookup.catalog import RESULT_TYPES
from onceonly.lookup.errors import InvalidArgument
from onceonly.lookup.store import (
    DEFAULT_LEVELS_PAGE_SIZE,
    MAX_LEVELS_PAGE_SIZE,
    LookupStore,
    page_size,
)
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.population.v1.population_pb2 import Citizen
from onceonly.results.v1 import results_pb2, results_pb2_grpc

MAX_BATCH = 100
Context = grpc.aio.ServicerContext[Any, Any]
_P = ParamSpec("_P")
_T = TypeVar("_T")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_NAME_PATHS = {"full_name", "family_name", "middle_name", "given_name"}


def _valid_prefixes() -> frozenset[str]:
    """Every province + century-and-sex + birth-year opening that ``parse_personal_id`` accepts today."""
    some_province = min(codes())
    openings = set()
    for number in range(600):
        with contextlib.suppress(InvalidPersonalId):
            openings.add(parse_personal_id(f"{some_province}{number:03d}000000").value[3:6])
    # The province and the birth year are checked independently of each other.
    return frozenset(code + opening for code in codes() for opening in openings)


# Birth years only move into the past, so what is valid at start stays valid: ids opening with one of
# these are checked in a set lookup, and only the others are parsed (which also says what is wrong).
_VALID_PREFIXES = _valid_prefixes()


def check_personal_id(value: str, field: str = "personal_id") -> str:
    if len(value) == 12 and value.isascii() and value[6:].isdigit() and value[:6] in _VALID_PREFIXES:
        return value
    try:
        parse_personal_id(value)
    except InvalidPersonalId as error:
        raise InvalidArgument(f"{field}: {error}") from error
    return value


class _Projection:
    """A read mask compiled for one message type, applied by clearing what it leaves out of a parsed
    message: the same fields as ``FieldMask.MergeMessage`` into an empty message, without its per-call
    path tree and descriptor walk (pure Python) and without copying each kept value out and back in.
    """

    __slots__ = ("cleared", "partial")

    def __init__(self, descriptor: Descriptor, tree: dict[str, Any]) -> None:
        self.cleared = tuple(field.name for field in descriptor.fields if field.name not in tree)
        partial = []
        for name, sub in tree.items():
            if sub:
                message_type = descriptor.fields_by_name[name].message_type
                assert message_type is not None  # a valid mask has sub-paths under message fields only
                partial.append((name, _Projection(message_type, sub)))
        self.partial = tuple(partial)

    @classmethod
    def of(cls, descriptor: Descriptor, paths: Sequence[str]) -> _Projection:
        # As FieldMask's tree: a path covers its sub-paths ("a" wins over "a.b" in either order).
        tree: dict[str, Any] = {}
        for path in paths:
            node = tree
            *parents, leaf = path.split(".")
            for name in parents:
                if node.get(name) == {}:
                    break
                node = node.setdefault(name, {})
            else:
                node[leaf] = {}
        return cls(descriptor, tree)

    def apply(self, message: Message) -> None:
        for name in self.cleared:
            message.ClearField(name)
        for name, projection in self.partial:
            if message.HasField(name):
                projection.apply(getattr(message, name))


# Callers choose the masks, so the cache is bounded; a procedure's fields make one mask, reused.
_PROJECTIONS: dict[tuple[str, ...], _Projection] = {}
_MAX_PROJECTIONS = 1024


def _projection(mask: FieldMask) -> _Projection:
    """The compiled read mask. An empty one is refused: a caller that forgot its mask must not get
    the whole record."""
    paths = tuple(mask.paths)
    if not paths:
        raise InvalidArgument("read_mask: name the Citizen fields to return")
    projection = _PROJECTIONS.get(paths)
    if projection is None:
        if not mask.IsValidForDescriptor(Citizen.DESCRIPTOR):
            raise InvalidArgument(f"read_mask names fields Citizen does not have: {', '.join(paths)}")
        if len(_PROJECTIONS) >= _MAX_PROJECTIONS:
            _PROJECTIONS.clear()
        projection = _PROJECTIONS[paths] = _Projection.of(Citizen.DESCRIPTOR, paths)
    return projection


def _masked(citizen: Citizen, projection: _Projection) -> Citizen:
    """``citizen`` itself, cut down to the mask."""
    projection.apply(citizen)
    # A field this schema does not know cannot have been asked for.
    citizen.DiscardUnknownFields()
    return citizen


def _normalized(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def _field_text(message: Message, path: str) -> str | None:
    """The value at a dotted path, as text; enums by name. None under an unset message: a spouse's
    id of a citizen without a spouse is not "", it is not there."""
    *parents, leaf = path.split(".")
    for name in parents:
        if not message.HasField(name):
            return None
        message = getattr(message, name)
    descriptor = message.DESCRIPTOR.fields_by_name[leaf]
    value = getattr(message, leaf)
    if descriptor.enum_type is not None:
        return str(descriptor.enum_type.values_by_number[value].name)
    return str(value)


def _claim_matches(citizen: Citizen, path: str, claimed: str) -> bool:
    actual = _field_text(citizen, path)
    if actual is None:
        return False
    if path.rsplit(".", maxsplit=1)[-1] in _NAME_PATHS or path.endswith(("street", "ward", "province")):
        return _normalized(actual) == _normalized(claimed)
    if actual.startswith(("SEX_", "MARITAL_STATUS_")):
        # "SEX_FEMALE", "female" and "FEMALE" all name the same value.
        return claimed.strip().upper() in {actual, actual.split("_", 1)[1].removeprefix("STATUS_")}
    return actual == claimed.strip()


class StoreCalls:
    """Where the servicers' store calls run: the event loop must never wait long on one.

    A PostgreSQL read waits on a round trip, a write may wait on SQLite's lock (another lookup process
    can hold it), a listing can read thousands of rows: those run on the executor's threads, each of
    which keeps its own pinned connection (``LookupStore``). A point read by key on SQLite takes about
    15 µs with no wait in it; handing it to a thread and back would cost more than the read, so with
    ``inline_point_reads`` it runs on the loop itself.
    """

    def __init__(self, executor: Executor, *, inline_point_reads: bool) -> None:
        self._executor = executor
        self._inline = inline_point_reads

    async def read(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """A point read by key (one row, or a few by primary key)."""
        if self._inline:
            return function(*args, **kwargs)
        return await self.run(function, *args, **kwargs)

    async def run(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """Anything else: on the executor, so the loop keeps serving other calls meanwhile."""
        call = functools.partial(function, *args, **kwargs) if kwargs else functools.partial(function, *args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)


class PopulationRegistry(population_pb2_grpc.PopulationRegistryServicer):
    def __init__(self, store: LookupStore, calls: StoreCalls, *, simulated_latency: float = 0.0) -> None:
        self.store = store
        self.calls = calls
        # The real national database is remote; demos and shutdown tests can make that visible.
        self.simulated_latency = simulated_latency

    async def _wait(self) -> None:
        if self.simulated_latency:
            await asyncio.sleep(self.simulated_latency)

    async def GetCitizen(
        self, request: population_pb2.GetCitizenRequest, context: Context
    ) -> population_pb2.GetCitizenResponse:
        check_personal_id(request.personal_id)
        projection = _projection(request.read_mask)
        await self._wait()
        if self.store.async_point_reads:
            record = await self.store.get_citizen_record_async(request.personal_id)
        else:
            record = await self.calls.read(self.store.get_citizen_record, request.personal_id)
        # Parsed in place: building a Citizen and passing it to the response would copy it once more.
        response = population_pb2.GetCitizenResponse()
        response.citizen.MergeFromString(record)
        _masked(response.citizen, projection)
        return response

    async def BatchGetCitizens(
        self, request: population_pb2.BatchGetCitizensRequest, context: Context
    ) -> population_pb2.BatchGetCitizensResponse:
        if len(request.personal_ids) > MAX_BATCH:
            raise InvalidArgument(f"at most {MAX_BATCH} personal ids per batch")
        for index, personal_id in enumerate(request.personal_ids):
            check_personal_id(personal_id, f"personal_ids[{index}]")
        projection = _projection(request.read_mask)
        await self._wait()
        found = await self.calls.read(self.store.get_citizens, request.personal_ids)
        response = population_pb2.BatchGetCitizensResponse()
        for personal_id in request.personal_ids:
            if personal_id in found:
                response.citizens.append(_masked(found[personal_id], projection))
            else:
                response.not_found_ids.append(personal_id)
        return response

    async def VerifyCitizen(
        self, request: population_pb2.VerifyCitizenRequest, context: Context
    ) -> population_pb2.VerifyCitizenResponse:
        check_personal_id(request.personal_id)
        if not request.claims:
            raise InvalidArgument("claims: give at least one claimed value")
        unknown = [
            path
            for path in request.claims
            if not FieldMask(paths=[path]).IsValidForDescriptor(Citizen.DESCRIPTOR)
            or path
            in {"father", "mother", "spouse", "household_head", "permanent_address", "current_address"}
        ]
        if unknown:
            raise InvalidArgument(f"claims: not comparable Citizen fields: {', '.join(sorted(unknown))}")
        await self._wait()
        found = await self.calls.read(self.store.get_citizens, [request.personal_id])
        citizen = found.get(request.personal_id)
        matches = {
            path: citizen is not None and _claim_matches(citizen, path, claimed)
            for path, claimed in request.claims.items()
        }
        return population_pb2.VerifyCitizenResponse(
            match=citizen is not None and all(matches.values()),
            field_matches=matches,
            exists=citizen is not None,
        )

    async def GetRelation(
        self, request: population_pb2.GetRelationRequest, context: Context
    ) -> population_pb2.GetRelationResponse:
        applicant_id = check_personal_id(request.applicant_personal_id, "applicant_personal_id")
        subject_id = check_personal_id(request.subject_personal_id, "subject_personal_id")
        await self._wait()
        found = await self.calls.read(self.store.get_citizens, [applicant_id, subject_id])
        applicant, subject = found.get(applicant_id), found.get(subject_id)
        relation = population_pb2.RELATION_NONE
        if applicant is not None and subject is not None:
            relation = relation_between(applicant, subject)
        return population_pb2.GetRelationResponse(
            relation=relation, applicant_exists=applicant is not None, subject_exists=subject is not None
        )


def _linked(
    ref_holder: Citizen, name: Literal["father", "mother", "spouse", "household_head"], personal_id: str
) -> bool:
    return ref_holder.HasField(name) and getattr(ref_holder, name).personal_id == personal_id


def relation_between(applicant: Citizen, subject: Citizen) -> population_pb2.Relation.ValueType:
    """How the registry links ``subject`` to ``applicant``; links are read from both records, so a
    child is found from the child's own father/mother fields without a reverse index."""
    if applicant.personal_id == subject.personal_id:
        return population_pb2.RELATION_SELF
    if _linked(applicant, "father", subject.personal_id) or _linked(applicant, "mother", subject.personal_id):
        return population_pb2.RELATION_PARENT
    if _linked(subject, "father", applicant.personal_id) or _linked(subject, "mother", applicant.personal_id):
        return population_pb2.RELATION_CHILD
    if _linked(applicant, "spouse", subject.personal_id) or _linked(subject, "spouse", applicant.personal_id):
        return population_pb2.RELATION_SPOUSE
    if (applicant.household_id and applicant.household_id == subject.household_id) or (
        _linked(applicant, "household_head", subject.personal_id)
        or _linked(subject, "household_head", applicant.personal_id)
    ):
        return population_pb2.RELATION_HOUSEHOLD_MEMBER
    return population_pb2.RELATION_NONE


class DigitizedResults(results_pb2_grpc.DigitizedResultsServicer):
    def __init__(self, store: LookupStore, calls: StoreCalls) -> None:
        self.store = store
        self.calls = calls

    async def ListResults(
        self, request: results_pb2.ListResultsRequest, context: Context
    ) -> results_pb2.ListResultsResponse:
        check_personal_id(request.owner_personal_id, "owner_personal_id")
        results, token = await self.calls.run(
            self.store.list_results,
            request.owner_personal_id,
            request.result_type,
            page_size(request.page_size),
            request.page_token,
            result_types=sorted(set(request.result_types)),
        )
        return results_pb2.ListResultsResponse(results=results, next_page_token=token)

    async def GetResult(
        self, request: results_pb2.GetResultRequest, context: Context
    ) -> results_pb2.GetResultResponse:
        if not request.result_id:
            raise InvalidArgument("result_id is required")
        if self.store.async_point_reads:
            return results_pb2.GetResultResponse(result=await self.store.get_result_async(request.result_id))
        return results_pb2.GetResultResponse(
            result=await self.calls.read(self.store.get_result, request.result_id)
        )

    async def RegisterResult(
        self, request: results_pb2.RegisterResultRequest, context: Context
    ) -> results_pb2.RegisterResultResponse:
        result = request.result
        if not result.result_id:
            raise InvalidArgument("result.result_id is required")
        check_personal_id(result.owner_personal_id, "result.owner_personal_id")
        if result.result_type not in RESULT_TYPES:
            raise InvalidArgument(f"result.result_type must be one of {', '.join(RESULT_TYPES)}")
        for name in ("issued_on", "valid_until"):
            value = getattr(result, name)
            try:
                if value or name == "issued_on":
                    date.fromisoformat(value)
            except ValueError:
                raise InvalidArgument(f"result.{name} must be a date YYYY-MM-DD") from None
        if not _SHA256.fullmatch(result.content_sha256):
            raise InvalidArgument("result.content_sha256 must be 64 lowercase hex digits")
        stored, created = await self.calls.run(self.store.register_result, result)
        return results_pb2.RegisterResultResponse(result=stored, created=created)

    async def RevokeResult(
        self, request: results_pb2.RevokeResultRequest, context: Context
    ) -> results_pb2.RevokeResultResponse:
        if not request.result_id:
            raise InvalidArgument("result_id is required")
        if not request.reason.strip():
            raise InvalidArgument("reason is required")
        result = await self.calls.run(
            self.store.revoke_result, request.result_id, request.reason.strip(), datetime.now(UTC)
        )
        return results_pb2.RevokeResultResponse(result=result)

    async def VerifyResult(
        self, request: results_pb2.VerifyResultRequest, context: Context
    ) -> results_pb2.VerifyResultResponse:
        if not _SHA256.fullmatch(request.content_sha256):
            raise InvalidArgument("content_sha256 must be 64 lowercase hex digits")
        result = await self.calls.read(self.store.find_result_by_sha256, request.content_sha256)
        if result is None:
            return results_pb2.VerifyResultResponse(authentic=False)
        return results_pb2.VerifyResultResponse(authentic=True, result=result)


class ProcedureCatalog(catalog_pb2_grpc.ProcedureCatalogServicer):
    def __init__(self, store: LookupStore, calls: StoreCalls) -> None:
        self.store = store
        self.calls = calls

    async def GetProcedure(
        self, request: catalog_pb2.GetProcedureRequest, context: Context
    ) -> catalog_pb2.GetProcedureResponse:
        if not request.code:
            raise InvalidArgument("code is required")
        return catalog_pb2.GetProcedureResponse(
            procedure=await self.calls.read(self.store.get_procedure, request.code)
        )

    async def ListProcedures(
        self, request: catalog_pb2.ListProceduresRequest, context: Context
    ) -> catalog_pb2.ListProceduresResponse:
        procedures, token = await self.calls.run(
            self.store.list_procedures, page_size(request.page_size), request.page_token
        )
        return catalog_pb2.ListProceduresResponse(procedures=procedures, next_page_token=token)

    async def ListServiceLevels(
        self, request: catalog_pb2.ListServiceLevelsRequest, context: Context
    ) -> catalog_pb2.ListServiceLevelsResponse:
        province = ""
        if request.province.strip():
            try:
                # Any spelling of a province ("074", "Tỉnh Bình Dương") names the one the table keeps.
                province = parse_place(request.province).name
            except UnknownProvince as error:
                raise InvalidArgument(f"province: {error}") from None
        as_of = request.as_of or datetime.now(VIETNAM).date().isoformat()
        try:
            date.fromisoformat(as_of)
        except ValueError:
            raise InvalidArgument("as_of must be a date YYYY-MM-DD") from None
        if len(as_of) != 10:
            raise InvalidArgument("as_of must be a date YYYY-MM-DD")
        if not 0 <= request.page_size <= MAX_LEVELS_PAGE_SIZE:
            raise InvalidArgument(
                f"page_size must be between 1 and {MAX_LEVELS_PAGE_SIZE} (0 means {DEFAULT_LEVELS_PAGE_SIZE})"
            )
        entries, token = await self.calls.run(
            self.store.list_service_levels,
            province,
            as_of,
            request.page_size or DEFAULT_LEVELS_PAGE_SIZE,
            request.page_token,
        )
        return catalog_pb2.ListServiceLevelsResponse(entries=entries, next_page_token=token)
