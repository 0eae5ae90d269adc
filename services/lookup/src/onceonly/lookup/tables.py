"""The lookup store's tables: one row per record, a serialized protobuf beside the indexed columns.

Reads return the stored message as it is, so a hot ``GetCitizen`` is one primary-key lookup and one
protobuf parse. The lookup service owns this registry; ``create_all`` here creates only these tables.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, LargeBinary
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class LookupBase(SQLModel, registry=registry()):
    pass


class CitizenRecord(LookupBase, table=True):
    __tablename__ = "citizen"

    personal_id: str = Field(primary_key=True, max_length=12)
    household_id: str = Field(max_length=16)
    # onceonly.population.v1.Citizen, serialized deterministically.
    record: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ResultRecord(LookupBase, table=True):
    __tablename__ = "result"
    # Listing is by owner, newest first; VerifyResult looks a hash up.
    __table_args__ = (
        Index("ix_result_owner_issued", "owner_personal_id", "issued_on", "result_id"),
        Index("ix_result_sha256", "content_sha256"),
    )

    result_id: str = Field(primary_key=True, max_length=64)
    owner_personal_id: str = Field(max_length=12)
    result_type: str = Field(max_length=64)
    # "YYYY-MM-DD", so text order is date order.
    issued_on: str = Field(max_length=10)
    valid_until: str | None = Field(default=None, max_length=10)
    content_sha256: str = Field(max_length=64)
    # Microseconds since the epoch (UTC); NULL while the result stands.
    revoked_at_us: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    revocation_reason: str | None = Field(default=None)
    # onceonly.results.v1.Result without status and revocation, which live in the columns above.
    record: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ProcedureRecord(LookupBase, table=True):
    __tablename__ = "procedure"

    code: str = Field(primary_key=True, max_length=32)
    # onceonly.catalog.v1.Procedure.
    record: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ProcedureLevelRecord(LookupBase, table=True):
    """The history of a province's catalog: the service level each procedure has from a day on, until
    a later row of the same province and procedure. ``level`` is a ``catalog.v1.ServiceLevel`` value;
    0 (unspecified) withdraws the procedure from the catalog from that day. A province's catalog may
    list procedures the ``procedure`` table does not hold (the province's own, or ones no dossier here
    is filed for): the catalog is what the province offers, the table what the gateway can receive."""

    __tablename__ = "procedure_level"

    # The province by its name on those days ("Bình Dương" before the 2025 merger).
    province: str = Field(primary_key=True, max_length=64)
    procedure_code: str = Field(primary_key=True, max_length=32)
    # "YYYY-MM-DD", so text order is date order.
    effective_from: str = Field(primary_key=True, max_length=10)
    level: int = 0


METADATA = LookupBase.metadata
CITIZEN = CitizenRecord.__table__  # type: ignore[attr-defined]
RESULT = ResultRecord.__table__  # type: ignore[attr-defined]
PROCEDURE = ProcedureRecord.__table__  # type: ignore[attr-defined]
PROCEDURE_LEVEL = ProcedureLevelRecord.__table__  # type: ignore[attr-defined]
