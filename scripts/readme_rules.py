"""Rewrite the README's generated calculator section from `pension-advisor rules --markdown`."""

from pathlib import Path

from typer.testing import CliRunner

from pension_advisor.cli import app

START, END = "<!-- rules --markdown: start -->\n", "<!-- rules --markdown: end -->"
readme = Path(__file__).resolve().parents[1] / "README.md"
text = readme.read_text()
section = CliRunner().invoke(app, ["rules", "--markdown"], env={"COLUMNS": "250"}).output
readme.write_text(text[:text.index(START) + len(START)] + section + text[text.index(END):])
