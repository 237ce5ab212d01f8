"""The knowledge base: short, sourced explanations of the rules, one YAML file per country (``<cc>.yaml``).

Each passage is 1-4 plain sentences with its official source(s) and a confirmation level (contract §3). Only
passages whose text was confirmed (``official`` or ``secondary``) are ever retrieved for an answer; ``not_confirmed``
passages stay in the file so the gap is visible. The retriever is in :mod:`pension_advisor.knowledge.retrieval`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

KNOWLEDGE_DIR = Path(__file__).parent
USABLE = ("official", "secondary")


class KnowledgeError(ValueError):
    """A knowledge file that cannot be used, with its path and the reason."""


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://")
    # When its text was read; None: the official source of record could not be read (its copies were).
    read_on: dt.date | None
    tax_year: str | None = None


class Passage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^(au|us|uk|in)-[a-z0-9]+(-[a-z0-9]+)*$")
    topic: str = Field(min_length=1, max_length=120)
    keywords: list[str] = []
    text: str = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    confirmation: Literal["official", "secondary", "not_confirmed"]
    secondary: list[Source] = []
    note: str | None = None

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords_as_text(cls, value):  # YAML reads a bare `500000` or `55` keyword as a number
        return [str(k) for k in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _confirmation_is_backed(self) -> "Passage":
        if self.confirmation == "secondary" and len([s for s in self.secondary if s.read_on]) < 2:
            raise ValueError(f"{self.id}: confirmation 'secondary' needs at least two independent copies read, in 'secondary'")
        if self.confirmation == "official" and not any(s.read_on for s in self.sources):
            raise ValueError(f"{self.id}: confirmation 'official' needs a source whose text was read (read_on)")
        return self

    @property
    def usable(self) -> bool:
        return self.confirmation in USABLE


class KnowledgeBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    country: Literal["AU", "US", "UK", "IN"]
    passages: list[Passage] = []

    @model_validator(mode="after")
    def _consistent(self) -> "KnowledgeBase":
        ids = [p.id for p in self.passages]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate passage ids {duplicates}")
        foreign = [i for i in ids if not i.startswith(self.country.lower() + "-")]
        if foreign:
            raise ValueError(f"passage ids must start with '{self.country.lower()}-': {foreign}")
        return self

    def usable(self) -> list[Passage]:
        return [p for p in self.passages if p.usable]


@lru_cache(maxsize=32)
def knowledge_base(country: str, folder: Path = KNOWLEDGE_DIR) -> KnowledgeBase:
    """The country's knowledge base from ``folder``; an empty one when the country has no file yet."""
    path = Path(folder) / f"{country.lower()}.yaml"
    if not path.is_file():
        return KnowledgeBase(country=country)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        base = KnowledgeBase.model_validate(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise KnowledgeError(f"{path}: cannot read it: not YAML{where} ({getattr(exc, 'problem', None) or 'syntax error'})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path}: cannot read it ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise KnowledgeError(f"{path}: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    if base.country != country:
        raise KnowledgeError(f"{path}: says country {base.country}, expected {country}")
    return base
