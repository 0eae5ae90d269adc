"""Request and response bodies of the REST API, with the examples the OpenAPI document shows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from onceonly.gateway.parameters import (
    ClaimPath,
    IsoDateField,
    OptionalIsoDateField,
    PersonalIdField,
    ResultTypeField,
)

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$")]
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
ShortText = Annotated[str, StringConstraints(max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Citizens -------------------------------------------------------------------------------------


class Address(BaseModel):
    street: str | None = None
    ward: str | None = None
    province: str | None = None


class RelativeRef(BaseModel):
    personal_id: str | None = None
    full_name: str | None = None
    birth_year: int | None = None


class CitizenData(BaseModel):
    """A citizen as disclosed: only the fields the procedure is entitled to are present."""

    personal_id: str | None = None
    full_name: str | None = None
    family_name: str | None = None
    middle_name: str | None = None
    given_name: str | None = None
    date_of_birth: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    nationality: str | None = None
    marital_status: str | None = None
    hometown: str | None = None
    birth_registration_place: str | None = None
    permanent_address: Address | None = None
    current_address: Address | None = None
    father: RelativeRef | None = None
    mother: RelativeRef | None = None
    spouse: RelativeRef | None = None
    household_id: str | None = None
    household_head: RelativeRef | None = None
    relationship_to_head: str | None = None


class CitizenOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "personal_id": "001090012345",
                    "fields": ["full_name", "date_of_birth", "current_address.province"],
                    "citizen": {
                        "full_name": "Nguyễn Văn An",
                        "date_of_birth": "1990-05-17",
                        "current_address": {"province": "Hà Nội"},
                    },
                }
            ]
        }
    )

    personal_id: str
    fields: list[str] = Field(description="Citizen field paths disclosed, after minimization.")
    citizen: CitizenData


class VerifyCitizenIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "personal_id": "001090012345",
                    "claims": {"full_name": "Nguyễn Văn An", "date_of_birth": "1990-05-17"},
                }
            ]
        },
    )

    personal_id: PersonalIdField
    claims: Annotated[dict[ClaimPath, ShortText], Field(min_length=1, max_length=20)]


class VerifyCitizenOut(BaseModel):
    match: bool = Field(description="True when the citizen exists and every claim matches.")
    field_matches: dict[str, bool]


# Results --------------------------------------------------------------------------------------


class ResultStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNSPECIFIED = "unspecified"


class ResultOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "result_id": "KS-2024-000123",
                    "result_type": "birth_certificate",
                    "owner_personal_id": "001090012345",
                    "title": "Giấy khai sinh",
                    "issuing_agency": "UBND-PHUONG-HOAN-KIEM",
                    "document_number": "123/2024",
                    "issued_on": "2024-03-01",
                    "valid_until": "",
                    "content_sha256": "a" * 64,
                    "status": "valid",
                    "revoked_at": None,
                    "revocation_reason": "",
                    "attributes": {},
                }
            ]
        }
    )

    result_id: str
    result_type: str
    owner_personal_id: str
    title: str
    issuing_agency: str
    document_number: str
    issued_on: str
    valid_until: str
    content_sha256: str
    status: ResultStatus
    revoked_at: datetime | None = None
    revocation_reason: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)


class ResultList(BaseModel):
    results: list[ResultOut]
    next_page_token: str = Field(description="Empty on the last page.")


class ResultIn(Strict):
    """A newly digitized result; the issuing agency is the caller."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "result_id": "KS-2025-000001",
                    "result_type": "birth_certificate",
                    "owner_personal_id": "001090012345",
                    "title": "Giấy khai sinh",
                    "document_number": "001/2025",
                    "issued_on": "2025-08-01",
                    "valid_until": "",
                    "content_sha256": "b" * 64,
                    "attributes": {"place_of_birth": "Hà Nội"},
                }
            ]
        },
    )

    result_id: Code
    result_type: ResultTypeField
    owner_personal_id: PersonalIdField
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    document_number: ShortText = ""
    issued_on: IsoDateField
    valid_until: OptionalIsoDateField = ""
    content_sha256: Sha256Hex
    attributes: Annotated[
        dict[Annotated[str, StringConstraints(max_length=64)], ShortText], Field(max_length=50)
    ] = Field(default_factory=dict)


class ResultRegistered(BaseModel):
    result: ResultOut
    created: bool = Field(description="False when the same result was already registered.")


class VerifyResultIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"content_sha256": "b" * 64}]})

    content_sha256: Sha256Hex


class VerifyResultOut(BaseModel):
    authentic: bool
    result: ResultOut | None = None


# Dossiers -------------------------------------------------------------------------------------


class Channel(StrEnum):
    ONLINE = "online"
    COUNTER = "counter"
    POSTAL = "postal"


class ComponentIn(Strict):
    code: Code
    state: int = Field(
        ge=0,
        le=3,
        description="National code: 0 not digitized, 1 digitized, 2 reused from another dossier's "
        "component, 3 reused from an earlier result.",
    )
    result_id: Code | None = Field(default=None, description="Required when state is 3.")
    source_dossier_id: Code | None = Field(default=None, description="Required when state is 2.")


class DossierIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dossier_id": "HN-2025-000001",
                    "procedure_code": "1.001193",
                    "applicant_personal_id": "001090012345",
                    "channel": "online",
                    "fee_paid_online": True,
                    "received_at": "2025-08-01T09:00:00+07:00",
                    "components": [
                        {"code": "TK", "state": 1},
                        {"code": "GKS", "state": 3, "result_id": "KS-2024-000123"},
                    ],
                }
            ]
        },
    )

    dossier_id: Code
    procedure_code: Code
    applicant_personal_id: PersonalIdField
    channel: Channel
    fee_paid_online: bool = False
    received_at: AwareDatetime | None = Field(default=None, description="Defaults to the time of receipt.")
    officer_id: ShortText = ""
    components: Annotated[list[ComponentIn], Field(max_length=100)]


class IntakeIn(Strict):
    """Opening a dossier before anything is looked up for it: what it serves, fixed from here on."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"procedure_code": "1.004873", "applicant_personal_id": "001090012345"}]
        },
    )

    procedure_code: Code
    applicant_personal_id: PersonalIdField
    officer_id: ShortText = ""


class IntakeOut(BaseModel):
    dossier_id: str
    agency_code: str
    procedure_code: str
    opened_by: str = Field(description="intake, or receipt when the receipt opened the dossier.")


class ComponentOut(BaseModel):
    code: str
    state: int
    result_id: str | None = None
    result_type: str | None = None
    source_dossier_id: str | None = None


class Receipt(BaseModel):
    dossier_id: str
    agency_code: str
    agency_province: str = Field(description="The receiving agency's province as of 2025.")
    agency_province_at_receipt: str = Field(
        default="",
        description="The agency's province on the day of receipt (a pre-2025 name before 1 July 2025).",
    )
    agency_commune: str = Field(default="", description="The agency's commune; empty for a provincial body.")
    procedure_code: str
    applicant_residence_province: str
    non_jurisdictional: bool
    channel: Channel
    fee: int
    fee_paid_online: bool
    received_at: datetime
    due_at: datetime
    components: list[ComponentOut]
    event_id: str
    imported: bool = Field(
        default=False, description="Dated beyond the backdating window: migrated under dossiers:import."
    )


class ResolutionOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ResolutionIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"outcome": "approved", "resolved_at": "2025-08-05T15:30:00+07:00", "result_electronic": True}
            ]
        },
    )

    outcome: ResolutionOutcome
    resolved_at: AwareDatetime | None = Field(default=None, description="Defaults to now.")
    result_electronic: bool = False


class ResolutionOut(BaseModel):
    dossier_id: str
    agency_code: str
    outcome: ResolutionOutcome
    resolved_at: datetime
    result_electronic: bool
    on_time: bool
    event_id: str


# Access log -----------------------------------------------------------------------------------


class Access(BaseModel):
    recorded_at: str
    agency_code: str
    officer_id: str
    action: str
    procedure_code: str
    dossier_id: str
    source: str
    result_id: str
    fields: list[str]
    outcome: str


class AccessLog(BaseModel):
    personal_id: str
    accesses: list[Access] = Field(description="Newest first.")
    next_page_token: str = Field(default="", description="Empty on the last page.")
    scope: str = Field(description="own: this agency's accesses only; all: every agency's (audit:oversight).")


class Health(BaseModel):
    status: str
    checks: dict[str, bool] = Field(default_factory=dict)
