"""Agency systems and their API keys.

A key is ``oo_<key id>_<secret>``: the id finds the agency without scanning, and the whole key is
checked against its stored SHA-256 with ``hmac.compare_digest``, so a key is never stored and never
compared in variable time. Keys are high-entropy random strings, so a plain SHA-256 suffices (no
password-stretching needed).

Every add and revoke bumps one version counter in the same transaction. ``AgencyDirectory`` keeps all
agencies in memory as of a version and confirms that version in the transaction that audits each
request, so a revocation takes effect at once in every process while admitting a request reads nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from onceonly.common.provinces import parse_place, province_at
from onceonly.gateway.problems import Unauthenticated
from onceonly.gateway.store import agency_table, registry_version_table

KEY_PREFIX = "oo_"


class Scope(StrEnum):
    POPULATION_READ = "population:read"
    POPULATION_VERIFY = "population:verify"
    RESULTS_READ = "results:read"
    RESULTS_WRITE = "results:write"
    DOSSIERS_WRITE = "dossiers:write"
    # Receipts dated further back than the backdating window: migrating historic dossiers.
    DOSSIERS_IMPORT = "dossiers:import"
    # The access log of one's own accesses; oversight bodies see every agency's.
    AUDIT_READ = "audit:read"
    AUDIT_OVERSIGHT = "audit:oversight"


class AgencyExists(ValueError):
    """An agency with this code is already registered."""


class UnknownAgency(LookupError):
    """No agency with this code."""


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    name: str
    province: str
    scopes: frozenset[Scope]
    key_id: str
    key_sha256: str
    created_at: datetime
    revoked_at: datetime | None
    # The province as registered, pre-2025 or 2025 name ("" before it was kept: ``province``), and the
    # commune ("" for a provincial body).
    registered_province: str = ""
    commune: str = ""

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def province_on(self, day: date) -> str:
        """The province the agency belonged to on ``day``: an agency registered in Bình Dương was in
        Bình Dương until 30 June 2025 and in Hồ Chí Minh from 1 July 2025."""
        return province_at(self.registered_province or self.province, day)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh ``(key id, full key)``."""
    key_id = secrets.token_hex(8)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def key_id_of(key: str) -> str | None:
    """The id part of a well-formed key, else None."""
    if not key.startswith(KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != 16 or not secret:
        return None
    return key_id


def key_matches(key: str, key_sha256: str) -> bool:
    return hmac.compare_digest(_sha256(key), key_sha256)


def _to_agency(m: Mapping[Any, Any]) -> Agency:
    return Agency(
        code=m["code"],
        name=m["name"],
        province=m["province"],
        scopes=frozenset(Scope(s) for s in m["scopes"].split()),
        key_id=m["key_id"],
        key_sha256=m["key_sha256"],
        created_at=m["created_at"],
        revoked_at=m["revoked_at"],
        registered_province=m["registered_province"],
        commune=m["commune"],
    )


def _bump_version(conn: Connection) -> None:
    conn.execute(
        update(registry_version_table)
        .where(registry_version_table.c.id == 1)
        .values(version=registry_version_table.c.version + 1)
    )


def add_agency(
    engine: Engine, *, code: str, name: str, province: str, scopes: list[Scope], commune: str = ""
) -> tuple[Agency, str]:
    """Register an agency system; returns it and its API key, which is shown this once only.

    ``province`` may be a code, a pre-2025 or a 2025 name (``UnknownProvince`` otherwise); the agency
    keeps it as registered (its canonical name) and its 2025 province beside it.
    """
    place = parse_place(province)
    key_id, key = new_key()
    row = {
        "code": code,
        "name": name,
        "province": place.province_2025,
        "registered_province": place.name,
        "commune": " ".join(commune.split()),
        "scopes": " ".join(sorted({s.value for s in scopes})),
        "key_id": key_id,
        "key_sha256": _sha256(key),
        "created_at": datetime.now(UTC),
        "revoked_at": None,
    }
    try:
        with engine.begin() as conn:
            conn.execute(insert(agency_table).values(**row))
            _bump_version(conn)
    except IntegrityError:
        raise AgencyExists(f"agency {code} is already registered") from None
    return _to_agency(row), key


def list_agencies(engine: Engine) -> list[Agency]:
    with engine.connect() as conn:
        rows = conn.execute(select(agency_table).order_by(agency_table.c.code)).all()
    return [_to_agency(r._mapping) for r in rows]


def revoke_agency(engine: Engine, code: str) -> Agency:
    """Revoke an agency's key; every gateway process refuses it from its next request."""
    with engine.begin() as conn:
        conn.execute(
            update(agency_table)
            .where(agency_table.c.code == code, agency_table.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        _bump_version(conn)
        row = conn.execute(select(agency_table).where(agency_table.c.code == code)).first()
    if row is None:
        raise UnknownAgency(f"no agency {code}")
    return _to_agency(row._mapping)


_VERSION = select(registry_version_table.c.version).where(registry_version_table.c.id == 1)
_ALL = select(agency_table)


class AgencyDirectory:
    """All agencies in memory, as of a registry version, and the checks that keep that copy honest.

    ``authenticate`` decides from memory. ``confirm`` runs inside the transaction that writes a
    request's audit record and re-reads the version there, so a key revoked in any process is refused
    before the response leaves. ``refresh`` re-reads the version when a key's id is not known, so an
    agency added in another process is admitted at once.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._version = -1
        self._by_key_id: dict[str, Agency] = {}
        self._codes: frozenset[str] = frozenset()

    def knows(self, key: str) -> bool:
        """Whether ``authenticate`` can decide on this key from memory (a malformed key: always)."""
        key_id = key_id_of(key)
        return key_id is None or key_id in self._by_key_id

    def authenticate(self, key: str) -> Agency | None:
        """The active agency whose key this is, as far as the loaded registry knows; else None."""
        key_id = key_id_of(key)
        agency = self._by_key_id.get(key_id) if key_id is not None else None
        if agency is None or not agency.active or not key_matches(key, agency.key_sha256):
            return None
        return agency

    def owner_of(self, dossier_id: str) -> str | None:
        """The agency a dossier id belongs to: ids are ``<agency code>-<rest>`` (the national format,
        agency code, date, number), and the longest registered code that prefixes the id wins, so
        agency ``BD`` cannot claim ``BD-TDM-…`` from ``BD-TDM``. None when no agency's code fits."""
        codes = self._codes
        owner = None
        for index, char in enumerate(dossier_id):
            if char == "-" and dossier_id[:index] in codes:
                owner = dossier_id[:index]
        return owner

    def refresh(self) -> None:
        """Reload the registry if it changed since it was loaded (blocking: call it off the event loop)."""
        with self._engine.connect() as conn:
            self._sync(conn)

    def confirm(self, conn: Connection, callers: Iterable[Agency]) -> None:
        """In the caller's transaction: raise ``Unauthenticated`` unless every caller is still active."""
        self._sync(conn)
        for caller in callers:
            # A key id names one key for good (a new key gets a new id), so this is the same key.
            current = self._by_key_id.get(caller.key_id)
            if current is None or not current.active:
                raise Unauthenticated("unknown or revoked API key")

    def _sync(self, conn: Connection) -> None:
        version = conn.execute(_VERSION).scalar_one()
        if version == self._version:
            return
        agencies = {row.key_id: _to_agency(row._mapping) for row in conn.execute(_ALL)}
        with self._lock:
            # Another thread may have loaded a newer version meanwhile; never go back.
            if version > self._version:
                self._by_key_id, self._version = agencies, version
                self._codes = frozenset(a.code for a in agencies.values())
