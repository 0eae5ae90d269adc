"""Demo profiles: how many dossiers, over which dates, by which agencies, with which mix.

The bundled ``profiles.yaml`` holds ``binh-duong-2024`` (the province's reported 2024 figures) and a
small smoke profile; ``--profiles-file`` adds others in the same shape.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

# The demo's years are imports: receipts dated beyond the backdating window need dossiers:import.
SCOPES = ("population:read", "population:verify", "results:read", "dossiers:write", "dossiers:import")


class Rates(BaseModel):
    """Each a fraction of its indicator's denominator (docs/ARCHITECTURE.md)."""

    model_config = ConfigDict(extra="forbid")

    online_dossier_rate: float = Field(ge=0, le=1)
    fee_share: float = Field(ge=0, le=1)
    online_payment_rate: float = Field(ge=0, le=1)
    on_time_rate: float = Field(ge=0, le=1)
    input_digitization_rate: float = Field(ge=0, le=1)
    output_digitization_rate: float = Field(ge=0, le=1)
    reuse_rate: float = Field(ge=0, le=1)
    population_data_use_rate: float = Field(ge=0, le=1)
    non_jurisdictional_share: float = Field(ge=0, le=1)


class AgencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    # A province code or name; the gateway records the province as of 2025.
    province: str
    weight: float = Field(default=1, gt=0)


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    dossiers: int = Field(gt=0)
    start: date
    end: date
    seed: int = 0
    rates: Rates
    agencies: list[AgencySpec] = Field(min_length=1)
    # Procedure code → weight; empty means every catalog procedure, equal weights.
    procedures: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Profile:
        if self.end <= self.start:
            raise ValueError(f"profile {self.name}: end {self.end} is not after start {self.start}")
        return self


def load_profiles(extra_file: Path | None = None) -> dict[str, Profile]:
    """The bundled profiles, plus those of ``extra_file`` (which win on a name clash)."""
    raw = yaml.safe_load(resources.files(__package__).joinpath("profiles.yaml").read_text("utf-8"))
    if extra_file is not None:
        raw.update(yaml.safe_load(extra_file.read_text("utf-8")) or {})
    return {name: Profile.model_validate({"name": name, **spec}) for name, spec in raw.items()}
