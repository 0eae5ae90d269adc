"""The lookup store: citizens, digitized results and procedures. Hot reads go to the driver's cursor (one
prepared one-row read per call); the rest is SQLAlchemy Core.

Rows hold serialized protobuf messages; this module returns messages and raises the domain errors of
``onceonly.lookup.errors``. Status of a result is computed when it is read: revoked wins over expired.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, PoolProxiedConnection, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError

from onceonly.catalog.v1.catalog_pb2 import Procedure, ServiceLevelEntry
from onceonly.common import migrations
from onceonly.lookup.errors import InvalidArgument, NotFound, ResultConflict
from onceonly.lookup.tables import CITIZEN, PROCEDURE, PROCEDURE_LEVEL, RESULT
from onceonly.population.v1.population_pb2 import Citizen
from onceonly.results.v1.results_pb2 import Result, ResultStatus

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# A province's catalog runs to a couple of thousand procedures: it is listed in a few large pages.
DEFAULT_LEVELS_PAGE_SIZE = 1000
MAX_LEVELS_PAGE_SIZE = 5000

_GET_CITIZEN = select(CITIZEN.c.record).where(CITIZEN.c.personal_id == bindparam("pid"))
_GET_CITIZENS = select(CITIZEN.c.personal_id, CITIZEN.c.record).where(
    CITIZEN.c.personal_id.in_(bindparam("pids", expanding=True))
)
_RESULT_COLUMNS = (RESULT.c.record, RESULT.c.revoked_at_us, RESULT.c.revocation_reason)
_GET_RESULT = select(*_RESULT_COLUMNS).where(RESULT.c.result_id == bindparam("rid"))
_RESULT_BY_HASH = (
    select(*_RESULT_COLUMNS)
    .where(RESULT.c.content_sha256 == bindparam("sha"))
    .order_by(RESULT.c.issued_on.desc(), RESULT.c.result_id.desc())
    .limit(1)
)
# psycopg async connections per process for the point reads on the loop: a read holds one for a
# round trip only, so a few keep up with a loop's calls.
_ASYNC_CONNECTIONS = 4
_GET_PROCEDURE = select(PROCEDURE.c.record).where(PROCEDURE.c.code == bindparam("code"))


def encode_page_token(payload: dict[str, Any]) -> str:
    """Opaque to callers; carries the last key seen and the filter it was issued for."""
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_page_token(token: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise InvalidArgument("page_token is not a token this service issued") from None
    if not isinstance(payload, dict):
        raise InvalidArgument("page_token is not a token this service issued")
    return payload


def page_size(requested: int) -> int:
    if requested < 0 or requested > MAX_PAGE_SIZE:
        raise InvalidArgument(
            f"page_size must be between 1 and {MAX_PAGE_SIZE} (0 means {DEFAULT_PAGE_SIZE})"
        )
    return requested or DEFAULT_PAGE_SIZE


def _result(record: bytes, revoked_at_us: int | None, reason: str | None, today: date) -> Result:
    result = Result.FromString(record)
    if revoked_at_us is not None:
        result.status = ResultStatus.RESULT_STATUS_REVOKED
        result.revoked_at.FromMicroseconds(revoked_at_us)
        result.revocation_reason = reason or ""
    elif result.valid_until and result.valid_until < today.isoformat():
        result.status = ResultStatus.RESULT_STATUS_EXPIRED
    else:
        result.status = ResultStatus.RESULT_STATUS_VALID
    return result


def _today() -> date:
    return datetime.now(UTC).date()


class _Pinned(threading.local):
    """The connection a server thread keeps for its hot reads, and the generation it was pinned in."""

    raw: PoolProxiedConnection | None = None
    cursor: Any = None
    generation = 0


class _AsyncReads:
    """PostgreSQL point reads on the event loop: a few psycopg async connections, in autocommit, kept
    open and reused (as the threads' pinned ones), so a read costs no hand-off to a thread and back
    (which cost more than the read itself). Opened lazily, on the loop that reads; a connection that
    failed is closed, and a lost one (the store restarted) makes every idle one be dropped too.
    """

    def __init__(self, conninfo: str, size: int) -> None:
        self._conninfo = conninfo
        self._size = size
        self._idle: list[Any] = []
        self._slots: asyncio.Semaphore | None = None

    async def fetchone(self, sql: str, params: Any) -> Any:
        import psycopg

        if self._slots is None:
            self._slots = asyncio.Semaphore(self._size)
        async with self._slots:
            conn = self._idle.pop() if self._idle else None
            try:
                if conn is None:
                    conn = await psycopg.AsyncConnection.connect(
                        self._conninfo, autocommit=True, prepare_threshold=0
                    )
                cursor = await conn.execute(sql, params, prepare=True)
                row = await cursor.fetchone()
            except psycopg.Error as error:
                lost = (
                    conn is None or conn.closed or conn.broken or isinstance(error, psycopg.OperationalError)
                )
                if conn is not None:
                    await conn.close()
                if lost:
                    await self.close()
                raise DBAPIError.instance(
                    sql, params, error, psycopg.Error, connection_invalidated=lost
                ) from error
            self._idle.append(conn)
            return row

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


class LookupStore:
    """Reads and writes of the lookup service, on one engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        # GetCitizen and GetResult are the hottest calls (a receipt makes one of the first and one of the
        # second per reused result). Their statements are compiled once for this dialect and run on a
        # DBAPI connection each server thread checks out once and keeps: a pool checkout, reset and
        # return per read cost more than the read (and on PostgreSQL a pre-ping and a rollback are two
        # more round trips). At most one connection per server thread, so the pool (sized to the
        # threads) still has room for every other call.
        self._get_citizen_sql = str(_GET_CITIZEN.compile(dialect=engine.dialect))
        self._get_result_sql = str(_GET_RESULT.compile(dialect=engine.dialect))
        self._positional = engine.dialect.paramstyle in ("qmark", "numeric", "format")
        self._pinned = _Pinned()
        # Bumped when a pinned connection is found lost: the store restarted or failed over, so every
        # thread drops its own connection before its next read instead of failing once on it.
        self._generation = 0
        self._async_reads: _AsyncReads | None = None
        if engine.dialect.name == "postgresql":
            conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._async_reads = _AsyncReads(conninfo, size=_ASYNC_CONNECTIONS)

    @property
    def fast_point_reads(self) -> bool:
        """Whether a read by key finishes in tens of µs, with no round trip to wait on (SQLite, in this
        process), so an event loop may run it itself."""
        return self.engine.dialect.name == "sqlite"

    @property
    def async_point_reads(self) -> bool:
        """Whether ``get_citizen_record_async`` and ``get_result_async`` read on the loop without
        blocking it (PostgreSQL, through psycopg's async connections)."""
        return self._async_reads is not None

    async def get_citizen_record_async(self, personal_id: str) -> bytes:
        """``get_citizen_record`` on the event loop; only where ``async_point_reads``."""
        assert self._async_reads is not None
        row = await self._async_reads.fetchone(self._get_citizen_sql, self._params(personal_id, "pid"))
        if row is None:
            raise NotFound("no citizen with this personal id")
        return bytes(row[0])

    async def get_result_async(self, result_id: str) -> Result:
        """``get_result`` on the event loop; only where ``async_point_reads``."""
        assert self._async_reads is not None
        row = await self._async_reads.fetchone(self._get_result_sql, self._params(result_id, "rid"))
        if row is None:
            raise NotFound(f"no result with id {result_id!r}")
        return _result(row[0], row[1], row[2], _today())

    async def close_async(self) -> None:
        """Closes the event loop's connections (at shutdown)."""
        if self._async_reads is not None:
            await self._async_reads.close()

    def _params(self, value: str, name: str) -> Any:
        return (value,) if self._positional else {name: value}

    def create_tables(self) -> None:
        """Bring the store to this release's schema: pending migrations, under the migration lock."""
        from onceonly.lookup.migrations import STORE

        migrations.upgrade(self.engine, STORE)

    # -- population ----------------------------------------------------------------------------

    def _pinned_cursor(self) -> Any:
        pinned = self._pinned
        if pinned.raw is not None and pinned.generation != self._generation:
            self._unpin(None)
        if pinned.cursor is None:
            # A checkout pre-pings (PostgreSQL), so a dead pooled connection is replaced here, once.
            pinned.raw, pinned.generation = self.engine.raw_connection(), self._generation
            if self.engine.dialect.name == "postgresql":
                # No transaction left open between reads. Never returned to the pool in this mode:
                # _unpin closes it.
                pinned.raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            pinned.cursor = pinned.raw.cursor()
        return pinned.cursor

    def _unpin(self, error: BaseException | None) -> None:
        pinned = self._pinned
        if pinned.raw is not None:
            pinned.raw.invalidate(error)  # closes the DBAPI connection; the pool opens a new one
        pinned.raw = pinned.cursor = None

    def _read_one(self, sql: str, value: str, name: str) -> Any:
        """The first row of a one-parameter prepared read on this thread's pinned connection."""
        params: Any = (value,) if self._positional else {name: value}
        dialect = self.engine.dialect
        try:
            cursor = self._pinned_cursor()
            cursor.execute(sql, params)
            return cursor.fetchone()
        except dialect.loaded_dbapi.Error as error:
            # As a Connection would: raise SQLAlchemy's error, saying whether the connection was lost.
            # A connection that failed in any way is dropped, so none is kept in an unknown state.
            raw = self._pinned.raw
            lost = raw is None or dialect.is_disconnect(error, raw.dbapi_connection, None)
            if lost:
                self._generation += 1
            self._unpin(error)
            raise DBAPIError.instance(
                sql, params, error, dialect.loaded_dbapi.Error, connection_invalidated=lost, dialect=dialect
            ) from error

    def get_citizen_record(self, personal_id: str) -> bytes:
        """The serialized Citizen; NotFound for an unknown id."""
        row = self._read_one(self._get_citizen_sql, personal_id, "pid")
        if row is None:
            raise NotFound("no citizen with this personal id")
        return bytes(row[0])

    def get_citizen(self, personal_id: str) -> Citizen:
        return Citizen.FromString(self.get_citizen_record(personal_id))

    def get_citizens(self, personal_ids: Sequence[str]) -> dict[str, Citizen]:
        """The citizens that exist among ``personal_ids``, by id."""
        if not personal_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(_GET_CITIZENS, {"pids": list(set(personal_ids))}).all()
        return {pid: Citizen.FromString(record) for pid, record in rows}

    def count_citizens(self) -> int:
        """How many citizens the store holds."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CITIZEN)).scalar_one())

    def sample_personal_ids(self, count: int) -> list[str]:
        """``count`` existing ids, spread over the store, in a stable order."""
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(CITIZEN)).scalar_one()
            step = max(1, total // max(count, 1))
            ids = conn.execute(select(CITIZEN.c.personal_id).order_by(CITIZEN.c.personal_id)).scalars()
            return [pid for i, pid in enumerate(ids) if i % step == 0][:count]

    # -- digitized results ---------------------------------------------------------------------

    def owners_holding(
        self, *type_groups: Sequence[str], limit: int, today: date | None = None
    ) -> list[tuple[str, ...]]:
        """Owners who hold a valid result (neither revoked nor expired on ``today``) of each group of
        result types: ``(owner, one such result id per group)``, the lowest id of each, at most
        ``limit`` owners. For load tests and demos that need applicants able to reuse results."""
        if not type_groups:
            raise ValueError("name at least one group of result types")
        day = (today or _today()).isoformat()
        held = [RESULT.alias(f"held_{n}") for n in range(len(type_groups))]
        owner = held[0].c.owner_personal_id
        query = select(owner, *(func.min(table.c.result_id) for table in held)).select_from(held[0])
        for table in held[1:]:
            query = query.join(table, table.c.owner_personal_id == owner)
        for table, types in zip(held, type_groups, strict=True):
            query = query.where(
                table.c.result_type.in_(list(types)),
                table.c.revoked_at_us.is_(None),
                or_(table.c.valid_until.is_(None), table.c.valid_until >= day),
            )
        with self.engine.connect() as conn:
            rows = conn.execute(query.group_by(owner).limit(limit)).all()
        return [tuple(row) for row in rows]

    def get_result(self, result_id: str) -> Result:
        row = self._read_one(self._get_result_sql, result_id, "rid")
        if row is None:
            raise NotFound(f"no result with id {result_id!r}")
        return _result(row[0], row[1], row[2], _today())

    def find_result_by_sha256(self, sha256: str) -> Result | None:
        with self.engine.connect() as conn:
            row = conn.execute(_RESULT_BY_HASH, {"sha": sha256}).first()
        return None if row is None else _result(row[0], row[1], row[2], _today())

    def list_results(
        self,
        owner_personal_id: str,
        result_type: str,
        size: int,
        token: str,
        *,
        result_types: Sequence[str] = (),
    ) -> tuple[list[Result], str]:
        """One page of an owner's results, newest first, and the token of the next page ("" at the end).

        ``result_types``, when given, keeps only those types (the gateway passes what a procedure may
        see, so a page is never padded with results it would have to drop)."""
        query = select(*_RESULT_COLUMNS, RESULT.c.issued_on, RESULT.c.result_id).where(
            RESULT.c.owner_personal_id == owner_personal_id
        )
        if result_type:
            query = query.where(RESULT.c.result_type == result_type)
        if result_types:
            query = query.where(RESULT.c.result_type.in_(list(result_types)))
        scope: list[Any] = [owner_personal_id, result_type]
        if result_types:
            scope.append(list(result_types))
        if token:
            payload = decode_page_token(token)
            if payload.get("s") != scope or not isinstance(payload.get("k"), list) or len(payload["k"]) != 2:
                raise InvalidArgument("page_token was issued for another owner or result type")
            # The key is compared in SQL: anything but the two strings this service put there is forged.
            if not all(isinstance(part, str) for part in payload["k"]):
                raise InvalidArgument("page_token is not a token this service issued")
            issued_on, result_id = payload["k"]
            query = query.where(
                or_(
                    RESULT.c.issued_on < issued_on,
                    and_(RESULT.c.issued_on == issued_on, RESULT.c.result_id < result_id),
                )
            )
        query = query.order_by(RESULT.c.issued_on.desc(), RESULT.c.result_id.desc()).limit(size + 1)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        today = _today()
        results = [_result(r[0], r[1], r[2], today) for r in rows[:size]]
        next_token = ""
        if len(rows) > size:
            last = rows[size - 1]
            next_token = encode_page_token({"s": scope, "k": [last.issued_on, last.result_id]})
        return results, next_token

    def register_result(self, result: Result) -> tuple[Result, bool]:
        """Stores ``result``; the same result again is not an error, a different one under its id is."""
        stored = Result()
        stored.CopyFrom(result)
        stored.ClearField("status")
        stored.ClearField("revoked_at")
        stored.ClearField("revocation_reason")
        record = stored.SerializeToString(deterministic=True)
        values = {
            "result_id": stored.result_id,
            "owner_personal_id": stored.owner_personal_id,
            "result_type": stored.result_type,
            "issued_on": stored.issued_on,
            "valid_until": stored.valid_until or None,
            "content_sha256": stored.content_sha256,
            "revoked_at_us": None,
            "revocation_reason": None,
            "record": record,
        }
        statement = (
            self._insert(RESULT)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["result_id"])
            .returning(RESULT.c.result_id)
        )
        with self.engine.begin() as conn:
            created = conn.execute(statement).first() is not None
            row = conn.execute(_GET_RESULT, {"rid": stored.result_id}).one()
        if not created and bytes(row[0]) != record:
            raise ResultConflict(f"another result is already registered under id {stored.result_id!r}")
        return _result(row[0], row[1], row[2], _today()), created

    def revoke_result(self, result_id: str, reason: str, at: datetime) -> Result:
        """Revokes a result; revoking it again keeps the first revocation."""
        micros = int(at.timestamp() * 1_000_000)
        with self.engine.begin() as conn:
            conn.execute(
                update(RESULT)
                .where(RESULT.c.result_id == result_id, RESULT.c.revoked_at_us.is_(None))
                .values(revoked_at_us=micros, revocation_reason=reason)
            )
            row = conn.execute(_GET_RESULT, {"rid": result_id}).first()
        if row is None:
            raise NotFound(f"no result with id {result_id!r}")
        return _result(row[0], row[1], row[2], _today())

    # -- catalog -------------------------------------------------------------------------------

    def get_procedure(self, code: str) -> Procedure:
        with self.engine.connect() as conn:
            record = conn.execute(_GET_PROCEDURE, {"code": code}).scalar()
        if record is None:
            raise NotFound(f"no procedure with code {code!r}")
        return Procedure.FromString(record)

    def list_procedures(self, size: int, token: str) -> tuple[list[Procedure], str]:
        query = select(PROCEDURE.c.code, PROCEDURE.c.record)
        if token:
            payload = decode_page_token(token)
            if not isinstance(payload.get("c"), str):
                raise InvalidArgument("page_token is not a token this service issued")
            query = query.where(PROCEDURE.c.code > payload["c"])
        query = query.order_by(PROCEDURE.c.code).limit(size + 1)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        procedures = [Procedure.FromString(r.record) for r in rows[:size]]
        next_token = encode_page_token({"c": rows[size - 1].code}) if len(rows) > size else ""
        return procedures, next_token

    def list_service_levels(
        self, province: str, as_of: str, size: int, token: str
    ) -> tuple[list[ServiceLevelEntry], str]:
        """One page of the catalog as it stood on ``as_of`` (YYYY-MM-DD), of ``province`` or of every
        province (""), by province and code: each procedure's last level from a day no later than
        ``as_of``; a procedure withdrawn by then (level 0) is left out."""
        t = PROCEDURE_LEVEL.c
        scope = [t.effective_from <= as_of]
        if province:
            scope.append(t.province == province)
        latest = (
            select(t.province, t.procedure_code, func.max(t.effective_from).label("since"))
            .where(*scope)
            .group_by(t.province, t.procedure_code)
            .subquery()
        )
        query = select(t.province, t.procedure_code, t.level, t.effective_from).join(
            latest,
            and_(
                t.province == latest.c.province,
                t.procedure_code == latest.c.procedure_code,
                t.effective_from == latest.c.since,
            ),
        )
        query = query.where(t.level != 0)
        if token:
            payload = decode_page_token(token)
            key = payload.get("k")
            if payload.get("s") != [province, as_of] or not isinstance(key, list) or len(key) != 2:
                raise InvalidArgument("page_token was issued for another province or day")
            if not all(isinstance(part, str) for part in key):
                raise InvalidArgument("page_token is not a token this service issued")
            query = query.where(
                or_(t.province > key[0], and_(t.province == key[0], t.procedure_code > key[1]))
            )
        query = query.order_by(t.province, t.procedure_code).limit(size + 1)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        entries = [
            ServiceLevelEntry(
                province=r.province,
                procedure_code=r.procedure_code,
                service_level=r.level,
                effective_from=r.effective_from,
            )
            for r in rows[:size]
        ]
        next_token = ""
        if len(rows) > size:
            last = rows[size - 1]
            next_token = encode_page_token(
                {"s": [province, as_of], "k": [last.province, last.procedure_code]}
            )
        return entries, next_token
