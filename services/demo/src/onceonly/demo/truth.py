"""The demo's ground truth: the indicators of the dossiers the gateway accepted, computed from what
was sent, with the definitions of docs/ARCHITECTURE.md."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from onceonly.demo.plan import DossierPlan


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int

    @property
    def value(self) -> Fraction | None:
        """None when the denominator is empty: "no data", never 0%."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None


# indicator → (which dossiers form the denominator, which of those count)
_DEFINITIONS: dict[str, tuple[Callable[[DossierPlan], bool], Callable[[DossierPlan], bool]]] = {
    "reuse_rate": (lambda d: True, lambda d: d.reused),
    "population_data_use_rate": (lambda d: True, lambda d: d.population_lookup),
    "input_digitization_rate": (lambda d: True, lambda d: d.all_digital),
    "output_digitization_rate": (lambda d: True, lambda d: d.result_electronic),
    "online_dossier_rate": (lambda d: True, lambda d: d.online),
    "online_payment_rate": (lambda d: d.fee > 0, lambda d: d.fee_paid_online),
    "on_time_rate": (lambda d: True, lambda d: d.on_time),
    "non_jurisdictional_share": (lambda d: True, lambda d: d.non_jurisdictional),
}

INDICATORS = tuple(_DEFINITIONS)


def ground_truth(accepted: Iterable[DossierPlan]) -> dict[str, Figure]:
    """Every accepted dossier was received and resolved inside the profile's period."""
    dossiers = list(accepted)
    figures: dict[str, Figure] = {}
    for name, (counted_in, counts) in _DEFINITIONS.items():
        base = [d for d in dossiers if counted_in(d)]
        figures[name] = Figure(sum(1 for d in base if counts(d)), len(base))
    return figures
