# Two commands for a newcomer: `make demo` (set up + answer sample questions offline) and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: demo test bench dev mlflow-ui clean

$(VENV)/.base: pyproject.toml constraints.txt
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PIP) -e .
	$(VENV)/bin/pension-advisor fetch-model
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PIP) -e ".[dev]"
	touch $@

demo: $(VENV)/.base
	$(VENV)/bin/pension-advisor demo

test: $(VENV)/.dev
	$(VENV)/bin/pytest -q

bench: $(VENV)/.dev
	$(PY) bench/overhead.py

dev: $(VENV)/.dev
	$(VENV)/bin/pension-advisor dev

mlflow-ui: $(VENV)/.base
	$(VENV)/bin/pension-advisor mlflow-ui

clean:
	rm -rf $(VENV) var .langgraph_api
