import json
import re
import subprocess
import sys

from .conftest import ROOT


def test_eval_runs_dataset_and_summarises(monitoring_env, tmp_path):
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "eval", str(ROOT / "datasets/pension_eval.jsonl"),
                           "--limit", "8"], env={**monitoring_env, "COLUMNS": "200"}, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "evaluation of pension_eval.jsonl: 8 questions" in done.stdout
    for name in ("faithfulness", "citation_quality", "country_compliance", "relevance", "toxicity"):
        assert f"scorer {name} (mean)" in done.stdout
    # The first 8 rows are AU calculations the planner answers on point.
    assert re.search(r"│ AU +│ +8 │ +8 \(100 %\) │", done.stdout), done.stdout


def test_eval_bad_dataset_is_a_one_line_error(monitoring_env, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"member_id": "AU-001"}) + "\n")
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "eval", str(bad)], env=monitoring_env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "bad.jsonl:1: id: Field required" in done.stderr
    assert "Traceback" not in done.stderr
