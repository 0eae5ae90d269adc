"""The gateway's own tables: agencies, the hash-chained audit log, dossier receipts and resolutions.

The gateway has its own SQLModel registry; its migrations (``onceonly.gateway.migrations``) create
these tables and the outbox of ``onceonly.common.outbox``, and nothing of another service's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Index, Table, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from onceonly.common import migrations

GENESIS_HASH = "0" * 64


class Base(SQLModel, registry=registry()):
    pass


class Agency(Base, table=True):
    """An agency system allowed to call the gateway; its key is stored only as a SHA-256 hash."""

    __tablename__ = "agency"

    code: str = Field(primary_key=True, max_length=64)
    name: str
    # Province as of 1 July 2025 (jurisdiction is decided on today's map).
    province: str
    # Space-separated scopes.
    scopes: str
    key_id: str = Field(unique=True, index=True, max_length=32)
    key_sha256: str = Field(max_length=64)
    created_at: datetime
    revoked_at: datetime | None = None
    # The province as registered (its canonical name, pre-2025 or 2025: "Bình Dương" stays Bình Dương,
    # so a 2024 receipt names the province of its day); "" for agencies registered before it was kept,
    # which read as ``province``. And the commune (xã, phường), "" for a provincial body.
    registered_province: str = Field(default="", sa_column_kwargs={"server_default": ""})
    commune: str = Field(default="", sa_column_kwargs={"server_default": ""})


class RegistryVersion(Base, table=True):
    """One row, bumped by every change to an agency, so each process drops its key cache at once."""

    __tablename__ = "agency_registry_version"

    id: int = Field(primary_key=True)
    version: int = 0


class AuditRecord(Base, table=True):
    """One access, chained: ``hash`` = SHA-256(previous hash + canonical JSON of the content)."""

    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_subject", "subject_pseudonym", "seq"),)

    seq: int = Field(primary_key=True)
    recorded_at: str
    request_id: str
    agency_code: str
    action: str
    procedure_code: str
    dossier_id: str
    officer_id: str = ""
    subject_pseudonym: str = ""
    source: str = ""
    result_id: str = ""
    # JSON list of the citizen field paths disclosed.
    fields: str = Field(default="[]", sa_type=Text)
    outcome: str
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(Base, table=True):
    """The chain's head: one row, updated in every append's transaction, which serializes appends."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    seq: int = 0
    last_hash: str = Field(default=GENESIS_HASH, max_length=64)


class Dossier(Base, table=True):
    """A received dossier: the request's hash decides between a repeat and a conflict."""

    __tablename__ = "dossier"

    dossier_id: str = Field(primary_key=True, max_length=64)
    agency_code: str = Field(index=True)
    procedure_code: str
    applicant_pseudonym: str
    request_sha256: str = Field(max_length=64)
    receipt_json: str = Field(sa_type=Text)
    received_at: datetime


class DossierBinding(Base, table=True):
    """What a dossier serves, fixed the first time it is named (intake, or the receipt itself): its
    agency, procedure and applicant. Every data request naming the dossier is held to it, and its
    receipt must confirm it. The applicant's id is kept (not only its pseudonym) because the
    registry is asked how each subject relates to that applicant."""

    __tablename__ = "dossier_binding"

    dossier_id: str = Field(primary_key=True, max_length=64)
    agency_code: str = Field(index=True, max_length=64)
    procedure_code: str = Field(max_length=64)
    applicant_personal_id: str = Field(max_length=12)
    applicant_pseudonym: str = Field(max_length=64)
    officer_id: str = Field(default="", max_length=128)
    # "intake" or "receipt": which request opened it.
    opened_by: str = Field(max_length=16)
    opened_at: datetime


class Resolution(Base, table=True):
    __tablename__ = "dossier_resolution"

    dossier_id: str = Field(primary_key=True, max_length=64)
    request_sha256: str = Field(max_length=64)
    resolution_json: str = Field(sa_type=Text)


# Core tables for the hot path's prepared statements.
agency_table: Table = Agency.__table__  # type: ignore[attr-defined]
registry_version_table: Table = RegistryVersion.__table__  # type: ignore[attr-defined]
audit_table: Table = AuditRecord.__table__  # type: ignore[attr-defined]
audit_head_table: Table = AuditHead.__table__  # type: ignore[attr-defined]
dossier_table: Table = Dossier.__table__  # type: ignore[attr-defined]
resolution_table: Table = Resolution.__table__  # type: ignore[attr-defined]
binding_table: Table = DossierBinding.__table__  # type: ignore[attr-defined]


def create_store(engine: Engine) -> None:
    """Bring the gateway's tables, the outbox and the single-row heads to this release's schema.

    Runs the pending migrations under the migration lock, so replicas starting together converge;
    raises ``migrations.SchemaError`` on a store a newer release migrated.
    """
    from onceonly.gateway.migrations import STORE

    migrations.upgrade(engine, STORE)
