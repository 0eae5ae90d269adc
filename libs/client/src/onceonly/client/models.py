"""Request and response bodies of the gateway's REST API, field for field as its JSON.

Answers are parsed leniently (unknown members are ignored), so a gateway that adds a field does not
break a deployed client; requests are strict, so a typo fails here rather than at the gateway.
Every answer model also carries ``request_id``, ``audit_hash`` and ``status_code``, taken from the
response (headers ``X-Request-Id`` and ``X-Audit-Hash``); they are not part of the JSON.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Answer(BaseModel):
    """Base of the answers: lenient parsing plus the response's tracing headers."""

    model_config = ConfigDict(extra="ignore")

    request_id: str | None = Field(default=None, exclude=True, description="X-Request-Id of the answer.")
    audit_hash: str | None = Field(
        default=None, exclude=True, description="X-Audit-Hash: the audit record this access wrote."
    )
    status_code: int | None = Field(default=None, exclude=True, description="HTTP status of the answer.")


class Request(BaseModel):
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
    """A citizen as disclosed: only the fields the procedure is entitled to are set."""

    model_config = ConfigDict(extra="ignore")

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


class Citizen(Answer):
    """``GET /v1/citizens/{personal_id}``: ``fields`` lists the paths disclosed after minimization."""

    personal_id: str
    fields: list[str]
    citizen: CitizenData


class CitizenVerification(Answer):
    """``POST /v1/citizens/verify``: ``match`` when the citizen exists and every claim matches."""

    match: bool
    field_matches: dict[str, bool]


# Results --------------------------------------------------------------------------------------


class ResultStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNSPECIFIED = "unspecified"


class Result(Answer):
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


class ResultPage(Answer):
    results: list[Result]
    next_page_token: str = Field(description="Empty on the last page.")


class NewResult(Request):
    """A newly digitized result to register; the issuing agency is the caller."""

    result_id: str
    result_type: str
    owner_personal_id: str
    title: str
    document_number: str = ""
    issued_on: str = Field(description="YYYY-MM-DD")
    valid_until: str = Field(default="", description="YYYY-MM-DD, or empty for no end")
    content_sha256: str
    attributes: dict[str, str] = Field(default_factory=dict)


class ResultRegistration(Answer):
    result: Result
    created: bool = Field(description="False when the same result was already registered.")


class ResultVerification(Answer):
    authentic: bool
    result: Result | None = None


# Dossiers -------------------------------------------------------------------------------------


class Channel(StrEnum):
    ONLINE = "online"
    COUNTER = "counter"
    POSTAL = "postal"


class ComponentState(IntEnum):
    """The national component codes."""

    NOT_DIGITIZED = 0
    DIGITIZED = 1
    REUSED_FROM_DOSSIER = 2
    REUSED_FROM_RESULT = 3


class DossierComponent(Request):
    code: str
    state: int = Field(
        ge=0, le=3, description="0 not digitized, 1 digitized, 2 reused from a dossier, 3 from a result"
    )
    result_id: str | None = Field(default=None, description="Required when state is 3.")
    source_dossier_id: str | None = Field(default=None, description="Required when state is 2.")


class Dossier(Request):
    """A dossier's receipt. Filing the same body again is safe: the gateway answers the same."""

    dossier_id: str
    procedure_code: str
    applicant_personal_id: str
    channel: Channel
    fee_paid_online: bool = False
    received_at: AwareDatetime | None = Field(default=None, description="Defaults to the time of receipt.")
    officer_id: str = ""
    components: list[DossierComponent]


class Intake(Request):
    """Opening a dossier before its lookups: the procedure and applicant its data requests serve."""

    procedure_code: str
    applicant_personal_id: str
    officer_id: str = ""


class OpenedDossier(Answer):
    dossier_id: str
    agency_code: str
    procedure_code: str
    opened_by: str

    @property
    def replayed(self) -> bool:
        """True when the dossier was already opened with this very binding (200, not 201)."""
        return self.status_code == 200


class ReceiptComponent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str
    state: int
    result_id: str | None = None
    result_type: str | None = None
    source_dossier_id: str | None = None


class Receipt(Answer):
    dossier_id: str
    agency_code: str
    agency_province: str
    procedure_code: str
    applicant_residence_province: str
    non_jurisdictional: bool
    channel: Channel
    fee: int
    fee_paid_online: bool
    received_at: datetime
    due_at: datetime
    components: list[ReceiptComponent]
    event_id: str

    @property
    def replayed(self) -> bool:
        """True when the gateway had already received this very dossier (200, not 201)."""
        return self.status_code == 200


class ResolutionOutcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Resolution(Request):
    outcome: ResolutionOutcome
    resolved_at: AwareDatetime | None = Field(default=None, description="Defaults to now.")
    result_electronic: bool = False


class ResolutionRecord(Answer):
    dossier_id: str
    agency_code: str
    outcome: ResolutionOutcome
    resolved_at: datetime
    result_electronic: bool
    on_time: bool
    event_id: str

    @property
    def replayed(self) -> bool:
        """True when the gateway had already recorded this very resolution (200, not 201)."""
        return self.status_code == 200


# Access log and health ------------------------------------------------------------------------


class Access(BaseModel):
    model_config = ConfigDict(extra="ignore")

    recorded_at: str
    agency_code: str
    officer_id: str = ""
    action: str
    procedure_code: str
    dossier_id: str
    source: str
    result_id: str
    fields: list[str]
    outcome: str


class AccessLog(Answer):
    personal_id: str
    # Newest first.
    accesses: list[Access]
    next_page_token: str = ""
    scope: str = "own"


class Health(Answer):
    status: str
    checks: dict[str, bool] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in {"ok", "ready"}
