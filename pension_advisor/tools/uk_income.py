"""UK income tax arithmetic on one year's non-savings income (wages, pensions): the Personal Allowance with its taper
and the bands of a rule-table entry (``income_tax_england`` or ``income_tax_scotland``, the same shape). No figures
live here; the calculators pass the entry in force."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Region = Literal["england_wales_ni", "scotland"]
# Which rule-table entry holds a region's rates.
RULE_FOR_REGION: dict[str, str] = {"england_wales_ni": "income_tax_england", "scotland": "income_tax_scotland"}
REGION_WORDS = {"england_wales_ni": "England, Wales and Northern Ireland", "scotland": "Scotland"}


@dataclass(frozen=True)
class BandTax:
    rate: float
    taxed: float  # income taxed at this rate
    tax: float


def personal_allowance(rule: dict, income: float) -> float:
    """The Personal Allowance after the taper: 1 less for every 2 of income over the taper threshold, down to 0."""
    return max(0.0, rule["personal_allowance"] - max(0.0, income - rule["allowance_taper_from"]) / 2)


def band_taxes(rule: dict, income: float) -> list[BandTax]:
    """Tax in each band (bands are on taxable income: income less the Personal Allowance)."""
    taxable, lower, out = max(0.0, income - personal_allowance(rule, income)), 0.0, []
    for band in rule["bands"]:
        upper = band["up_to"] if band["up_to"] is not None else float("inf")
        taxed = max(0.0, min(taxable, upper) - lower)
        out.append(BandTax(band["rate"], taxed, taxed * band["rate"]))
        lower = upper
    return out


def income_tax(rule: dict, income: float) -> float:
    """Income tax on a year's non-savings income."""
    return sum(b.tax for b in band_taxes(rule, income))
