"""Why a calculator refused: a stable code, a message a member can read, and the input (or figure) at fault."""

from __future__ import annotations

import datetime as dt


class ToolError(Exception):
    """A calculator refused its inputs.

    ``code`` is stable (for logs, tests and traces); ``message`` is plain words for a member (no internal names);
    ``field`` names the offending input for logs and traces, or is None when no single input is at fault.
    """

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class MissingFigure(ToolError):
    """A figure the calculation needs is not in force on the date asked about: not loaded, or loaded as
    ``not_confirmed``. ``figure`` is the rule-table key, ``label`` its name in plain words."""

    def __init__(self, figure: str, label: str, on_date: dt.date, not_confirmed: bool, note: str | None = None):
        when = f"{on_date.day} {on_date:%B %Y}"
        if not_confirmed:
            code, why = "figure_not_confirmed", "has not been confirmed from an official source"
        else:
            code, why = "figure_not_loaded", "is not loaded"
        super().__init__(code, f"I can't work this out for {when}, because the figure for the {label} in force then {why}.")
        self.figure = figure
        self.label = label
        self.on_date = on_date
        self.note = note
