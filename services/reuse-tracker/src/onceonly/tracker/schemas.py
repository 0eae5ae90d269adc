"""What the API returns; the examples appear in the OpenAPI document."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from onceonly.tracker.indicators import Indicator


class IndicatorOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "reuse_rate",
                    "numerator": 3667,
                    "denominator": 10000,
                    "value": 36.67,
                    "target": 50.0,
                    "gap": -13.33,
                    "met": False,
                }
            ]
        }
    )

    name: str
    numerator: int
    denominator: int
    value: float | None = Field(
        description="Percent, two decimals; null when the denominator is 0 (no data)."
    )
    target: float | None = Field(description="Target in percent; null when none is set.")
    gap: float | None = Field(description="value - target, in percentage points.")
    met: bool | None

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorOut:
        return cls(
            name=indicator.name,
            numerator=indicator.numerator,
            denominator=indicator.denominator,
            value=indicator.value,
            target=indicator.target,
            gap=indicator.gap,
            met=indicator.met,
        )


class Period(BaseModel):
    from_: str | None = Field(alias="from", examples=["2025-01"])
    to: str | None = Field(examples=["2025-03"])

    model_config = ConfigDict(populate_by_name=True)


class Change(BaseModel):
    name: str
    numerator: int = Field(description="As of now minus as published.")
    denominator: int
    value: float | None = Field(description="In percentage points; null when either side has no data.")


class Published(BaseModel):
    """A closed period's figures as published, beside the live ones."""

    period: str = Field(examples=["2024"])
    closed_at: datetime
    closed_by: str
    content_sha256: str = Field(description="SHA-256 of the published figures' canonical JSON.")
    indicators: list[IndicatorOut] | None = Field(
        description="As published; null when the published report holds no row for these filters."
    )
    changes: list[Change] = Field(description="As of now minus as published, per indicator.")


class Indicators(BaseModel):
    period: Period
    filters: dict[str, str]
    indicators: list[IndicatorOut]
    published: Published | None = Field(
        default=None,
        description="For a closed period, with no filter or one filter on a published breakdown "
        "(province, agency, procedure, channel, jurisdiction): its figures as published.",
    )


class ClosedPeriodOut(BaseModel):
    period: str = Field(examples=["2024"])
    closed_at: datetime
    closed_by: str
    content_sha256: str
    intact: bool = Field(description="The stored figures still hash to content_sha256.")


class BreakdownRow(BaseModel):
    key: str = Field(examples=["SOTP-BD"])
    indicators: list[IndicatorOut]


class Breakdown(BaseModel):
    by: str = Field(examples=["agency"])
    period: Period
    filters: dict[str, str]
    rows: list[BreakdownRow]


class StaleAgency(BaseModel):
    agency: str
    dossiers: int = Field(description="Dossiers looked up whose receipt never arrived.")
    lookups: int
    population_lookups: int
    oldest: datetime | None


class StaleReport(BaseModel):
    days: int
    cutoff: datetime
    agencies: list[StaleAgency]


class MisuseReasonCount(BaseModel):
    reason: str = Field(examples=["other_agency"])
    lookups: int


class MisuseAgency(BaseModel):
    agency: str = Field(description="The agency that made the lookups.", examples=["UBND-X"])
    reason: str = Field(examples=["other_agency"])
    dossiers: int
    lookups: int
    population_lookups: int
    latest: datetime | None


class MisusedLookupOut(BaseModel):
    occurred_at: datetime | None
    dossier_id: str
    agency: str = Field(description="The agency that made the lookup.")
    procedure: str = Field(description="The procedure it named.")
    dossier_agency: str = Field(description="The agency that received the dossier.")
    dossier_procedure: str
    reason: str
    source: str = Field(examples=["population_database"])
    outcome: str = Field(examples=["hit"])
    subject_pseudonym: str = Field(description="The person looked up, as a pseudonym (never the id).")
    subject_relation: str = Field(examples=["stranger"])


class MisuseReport(BaseModel):
    period: Period
    filters: dict[str, str]
    total: int = Field(description="Lookups that do not fit their dossier, under the filters.")
    reasons: list[MisuseReasonCount] = Field(description="Every reason, in the order they are tested.")
    agencies: list[MisuseAgency] = Field(description="Per looking-up agency and reason, most first.")
    lookups: list[MisusedLookupOut] = Field(description="The lookups, newest first, from offset.")
    limit: int
    offset: int


class Dimensions(BaseModel):
    month: list[str]
    agency: list[str]
    procedure: list[str]
    province: list[str]
    channel: list[str]
    jurisdiction: list[str]
    origin: list[str]
    commune: list[str]
    sector: list[str]
    province_2025: list[str]
