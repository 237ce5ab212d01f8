from pension_advisor.cli import app

app(prog_name="pension-advisor")
