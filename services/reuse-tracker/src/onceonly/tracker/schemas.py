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


class Indicators(BaseModel):
    period: Period
    filters: dict[str, str]
    indicators: list[IndicatorOut]


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


class Dimensions(BaseModel):
    month: list[str]
    agency: list[str]
    procedure: list[str]
    province: list[str]
    channel: list[str]
    jurisdiction: list[str]
