"""A scheme member's record, and the pseudonymised view of it that may reach an LLM or a trace."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pension_advisor.privacy import pseudonymise
from pension_advisor.tools.base import CURRENCY, Country, age_on


class MemberNotFound(LookupError):
    def __init__(self, member_id: str):
        super().__init__(f"no member with id '{member_id}'")
        self.member_id = member_id


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

    @property
    def currency(self) -> str:
        return CURRENCY[self.country]

    def pseudonym(self, salt: str) -> str:
        return pseudonymise(self.member_id, salt)

    def view_for_llm(self, salt: str, on_date: dt.date | None = None) -> dict:
        """What a model may see: no name, no date of birth, no id; the pseudonym and the figures that matter."""
        hidden = {"member_id", "name", "date_of_birth"}
        view = {k: v for k, v in self.model_dump(mode="json").items() if k not in hidden and v is not None}
        view["member"] = self.pseudonym(salt)
        view["age"] = age_on(self.date_of_birth, on_date or dt.date.today())
        view["currency"] = self.currency
        return view
