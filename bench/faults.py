"""Fault-injection benchmark (issue 18): N questions (default 1,000) across all countries, in this process, through an
OpenAI-compatible endpoint on loopback that misbehaves on a seeded schedule (tests/fault_llm.py). Prints crashes,
statuses, unsafe answers (injected instructions, chat-template tokens, echoes, other members' data, figures from
invented arguments; each listed), time per question against the deadline the configuration sets, and the faults
served.

    .venv/bin/python bench/faults.py                      # 1,000 questions, seed 18 (about 6-7 minutes on 2 cores)
    .venv/bin/python bench/faults.py -n 300 --seed 7
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", " ")
os.environ.setdefault("PENSION_ADVISOR_PSEUDONYM_SALT", "bench-salt")

from tests.fault_llm import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="questions to ask")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--timeout-s", type=float, default=0.5, help="llm.timeout_s for the run")
    parser.add_argument("--max-retries", type=int, default=1, help="llm.max_retries for the run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the faults' own WARNING lines would bury the figures
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        report = run(args.n, args.seed, Path(tmp), args.timeout_s, args.max_retries)
    summary = report.summary()
    summary["wall_s"] = round(time.monotonic() - started, 1)
    # The deadlines bound the time inside model calls; max_s (the whole question) also holds the advisor's own work.
    summary["within_deadline"] = summary["max_model_s"] <= summary["question_deadline_s"]
    print(json.dumps(summary, indent=2))
    for crash in report.crashes:
        print("CRASH", crash)
    for row_id, question, found in report.bad:
        print("UNSAFE", row_id, repr(question[:60]), "; ".join(found))
    ok = not report.crashes and not report.bad and summary["within_deadline"]
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
