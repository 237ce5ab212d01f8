"""A scheme member's record, and the pseudonymised view of it that may reach an LLM or a trace."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pension_advisor.privacy import pseudonymise
from pension_advisor.tools.base import CURRENCY, Country, age_on


# Never shown to a model or written to a trace (the view below leaves them out; record questions cannot ask for them).
PRIVATE_FIELDS = frozenset({"member_id", "name", "date_of_birth"})


class MemberNotFound(LookupError):
    def __init__(self, member_id: str):
        super().__init__(f"no member with id '{member_id}'")
        self.member_id = member_id


class Beneficiary(BaseModel):
    """A nominated beneficiary as the record holds it: the relationship and share only, never a third party's name."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    relationship: str = Field(min_length=1, max_length=40, description="e.g. spouse, child, estate.")
    share_percent: float = Field(gt=0, le=100)


class Member(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    member_id: str = Field(pattern=r"^(AU|US|UK|IN)-\d{3}$")
    name: str
    date_of_birth: dt.date
    country: Country
    employment_status: Literal["employed", "self_employed", "retired", "unemployed"]
    marital_status: Literal["single", "couple"]
    homeowner: bool
    annual_salary: float = Field(ge=0)
    pension_balance: float = Field(ge=0, description="Super / 401(k) / workplace pension pot / EPF balance.")
    other_assets: float = Field(ge=0)
    contribution_years: int = Field(ge=0)
    ni_qualifying_years: int | None = Field(default=None, ge=0, description="UK only.")
    ss_pia_monthly: float | None = Field(default=None, ge=0, description="US only: Primary Insurance Amount.")
    epf_service_years: int | None = Field(default=None, ge=0, description="India only.")
    monthly_basic_wage: float | None = Field(default=None, ge=0, description="India only: basic + DA per month.")
    ira_balance: float | None = Field(default=None, ge=0, description="US only.")
    nps_balance: float | None = Field(default=None, ge=0, description="India only.")
    employer: str | None = Field(default=None, max_length=80, description="Current employer; none when not employed.")
    scheme: str = Field(min_length=1, max_length=80, description="The fund / plan / scheme the account is with.")
    account_type: str = Field(min_length=1, max_length=60, description="e.g. accumulation, 401(k), EPF.")
    employee_contribution_annual: float | None = Field(
        default=None, ge=0, description="What the member paid in over the last 12 months; none when not recorded.")
    employer_contribution_annual: float | None = Field(
        default=None, ge=0, description="What the employer paid in over the last 12 months; none when there is no employer.")
    beneficiaries: list[Beneficiary] = Field(default_factory=list, max_length=10)
    record_as_of: dt.date = Field(description="The date the record's balances and contributions were last updated.")

    @field_validator("beneficiaries")
    @classmethod
    def _shares_add_up(cls, beneficiaries: list[Beneficiary]) -> list[Beneficiary]:
        if beneficiaries and abs(sum(b.share_percent for b in beneficiaries) - 100) > 0.01:
            raise ValueError("beneficiary shares must add up to 100%")
        return beneficiaries

    @property
    def currency(self) -> str:
        return CURRENCY[self.country]

    def pseudonym(self, salt: str) -> str:
        return pseudonymise(self.member_id, salt)

    def view_for_llm(self, salt: str, on_date: dt.date | None = None) -> dict:
        """What a model may see: no name, no date of birth, no id; the pseudonym and the figures that matter.
        Its free-text fields (employer, scheme, account type, relationships) are data: the plan node passes the view
        through the tool-output sanitiser before any model sees it."""
        view = {k: v for k, v in self.model_dump(mode="json").items() if k not in PRIVATE_FIELDS and v is not None}
        view["member"] = self.pseudonym(salt)
        view["age"] = age_on(self.date_of_birth, on_date or dt.date.today())
        view["currency"] = self.currency
        return view
