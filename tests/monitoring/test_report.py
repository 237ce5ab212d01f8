"""Issue 16: the HTML report people look at. An hour of traces was drawn as one point per hourly bucket on a time axis
matplotlib widened to five years, and the scores table was an empty grid when nothing had been scored. The page now
shows what the MLflow Overview cannot (answers by country x status, blocks and retry reasons, scorer and cost trends,
the worst traces with links): each section's numbers, links and empty state are checked on traces with known tags."""

from __future__ import annotations

import datetime as dt
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pension_advisor.monitoring.report import _time_axis, bucket, trace_link, write_report  # noqa: E402

from .conftest import A, NONE, SPEC, START, rows, write_store  # noqa: E402


def traces(minutes: list[float], scored: bool = False) -> pd.DataFrame:
    df = pd.DataFrame({"time": [START + pd.Timedelta(minutes=m) for m in minutes],
                       "latency_s": [0.2] * len(minutes), "cost": [0.0] * len(minutes),
                       "attempts": [1] * len(minutes), "verdict": ["pass"] * len(minutes),
                       "status": ["answered"] * len(minutes)})
    if scored:
        df["score:faithfulness"] = 1.0
    return df


def test_the_trend_bucket_follows_the_span_of_the_traces():
    assert bucket(traces([0, 20, 40])["time"]) == "5min"
    assert bucket(traces([0, 60 * 20])["time"]) == "1h"
    assert bucket(traces([0, 60 * 24 * 10])["time"]) == "1D"
    # Twenty minutes of traces in 5-minute buckets: several points, not one.
    assert len(traces([0, 7, 14, 20]).set_index("time").resample(bucket(traces([0, 20])["time"]))) >= 4


def test_the_time_axis_covers_the_traces_not_years():
    df = traces([0, 10, 20])
    fig, ax = plt.subplots()
    ax.plot(df["time"], df["latency_s"], ".")
    _time_axis(ax, df["time"], bucket(df["time"]))
    low, high = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    plt.close(fig)
    assert START - dt.timedelta(minutes=5) <= low and high <= START + dt.timedelta(minutes=25)


def test_no_scores_is_said_in_words_and_scores_are_tabled(tmp_path):
    out = tmp_path / "report.html"
    summary = write_report(traces([0, 10, 20]), out, "pension-advisor quality")
    page = out.read_text()
    assert summary["traces"] == 3 and summary["scores"] == {}
    assert "No trace has scores yet" in page and "scorer / bucket start" not in page
    assert page.count("pension-advisor quality") == 2  # the page title and its heading, once each
    summary = write_report(traces([0, 10, 20], scored=True), out, "pension-advisor quality")
    page = out.read_text()
    assert "No trace has scores yet" not in page and summary["scores"] == {"faithfulness": 1.0}
    assert cells(section(page, "Scorer trends"), "faithfulness") == ["1.000", "1.000", "1.000", "1.000"]
    assert cells(section(page, "Scorer trends"), "scored") == ["3", "1", "1", "1"]  # 09:00, 09:10, 09:20
    assert "Scorer trends (mean per 5 minutes)" in page


def cells(page: str, first: str) -> list[str]:
    """The text of each cell of the table row whose first cell is `first`."""
    row = re.search(r"<tr[^>]*><td[^>]*>" + re.escape(first) + r"</td>(.*?)</tr>", page)
    assert row, f"no row {first!r}"
    return [re.sub("<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]


def section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}")
    end = page.find("<h2>", start + 4)
    return page[start:] if end < 0 else page[start:end]


def test_answers_by_country_and_status_with_counts_and_shares(tmp_path):
    out = tmp_path / "report.html"
    summary = write_report(rows(SPEC), out, "pension-advisor quality")
    page = section(out.read_text(), "Answers by country and status")
    assert summary["country_status"] == {"au": {"answered": 1, "blocked": 1, "degraded": 1},
                                         "uk": {"answered": 2, "blocked": 1, "clarification": 1},
                                         "us": {"answered": 1, "blocked": 1, "fallback": 1}}
    # Columns in reading order: answered, clarification, blocked, fallback, degraded.
    assert re.findall(r"<th>(.*?)</th>", page) == ["country", "questions", "answered", "clarification", "blocked",
                                                  "fallback", "degraded"]
    assert cells(page, "UK") == ["4", "2 (50%)", "1 (25%)", "1 (25%)", "0 (0%)", "0 (0%)"]
    assert cells(page, "US") == ["3", "1 (33%)", "0 (0%)", "1 (33%)", "1 (33%)", "0 (0%)"]
    assert cells(page, "all countries") == ["10", "4 (40%)", "1 (10%)", "3 (30%)", "1 (10%)", "1 (10%)"]
    assert cells(out.read_text(), "members (pseudonyms)") == ["3"] and "<i>unknown</i>" not in page
    df = rows(SPEC)
    df.loc[2, ["country", "member"]] = "unknown"  # blocked before the member record was read
    write_report(df, out, "pension-advisor quality")
    page = section(out.read_text(), "Answers by country and status")
    assert cells(page, "unknown") == ["1", "0 (0%)", "0 (0%)", "1 (100%)", "0 (0%)", "0 (0%)"]
    assert "<i>unknown</i>: no member record was read" in page and cells(page, "UK")[0] == "3"


def test_guardrail_blocks_per_reason_and_retry_reasons(tmp_path):
    out = tmp_path / "report.html"
    summary = write_report(rows(SPEC), out, "pension-advisor quality")
    page = out.read_text()
    assert summary["blocks"] == {"off_topic": 2, "prompt_injection": 1}
    blocks = section(page, "Guardrail blocks by reason")
    assert cells(blocks, "off_topic") == ["2", "20%"] and cells(blocks, "prompt_injection") == ["1", "10%"]
    assert cells(blocks, "all blocks") == ["3", "30%"]
    assert summary["retry_reasons"] == {"missing_citation": 2, "wrong_country": 1}
    retries = section(page, "Why answers were retried")
    assert cells(retries, "missing_citation") == ["2", "20%"] and cells(retries, "wrong_country") == ["1", "10%"]
    assert "2 of 10 questions took more than one attempt" in retries


def test_blocks_and_retries_say_when_there_are_none(tmp_path):
    out = tmp_path / "report.html"
    calm = [(m, "uk", "answered", A, NONE, 1, "pass", 0.0, {}) for m in (0, 5)]
    summary = write_report(rows(calm), out, "pension-advisor quality")
    page = out.read_text()
    assert summary["blocks"] == {} and summary["retry_reasons"] == {}
    assert "The input guardrail blocked none of the 2 questions." in section(page, "Guardrail blocks by reason")
    assert "No answer was retried" in section(page, "Why answers were retried")
    assert "<th>reason code</th>" not in page


def test_scorer_trends_and_cost_per_question_per_bucket(tmp_path):
    out = tmp_path / "report.html"
    summary = write_report(rows(SPEC), out, "pension-advisor quality", currency="EUR")
    page = out.read_text()
    # 5-minute buckets over 14 minutes: 09:00 (minutes 0-3), 09:05 (7-9), 09:10 (12-14).
    assert summary["score_trends"] == {
        "relevance": {"2026-12-06 09:00": 0.8, "2026-12-06 09:05": 0.2, "2026-12-06 09:10": 0.5},
        "faithfulness": {"2026-12-06 09:00": 1.0, "2026-12-06 09:10": 0.4}}
    trends = section(page, "Scorer trends (mean per 5 minutes)")
    # One row per scorer: the mean over all buckets, then 09:00, 09:05, 09:10 (a dash: nothing scored).
    assert re.findall(r"<th>(.*?)</th>", trends)[:5] == ["scorer / bucket start (2026-12-06)", "all buckets",
                                                        "09:00", "09:05", "09:10"]
    assert cells(trends, "relevance") == ["0.575", "0.800", "0.200", "0.500"]
    assert cells(trends, "faithfulness") == ["0.700", "1.000", "-", "0.400"]
    assert cells(trends, "questions") == ["10", "4", "3", "3"] and cells(trends, "scored") == ["4", "2", "1", "1"]
    assert "data:image/png;base64," in trends  # three buckets: the chart is drawn
    cost = summary["cost_per_question"]
    assert cost["2026-12-06 09:00"] == {"mean": 0.00075, "p95": pytest.approx(0.00185)}
    assert cost["2026-12-06 09:10"]["mean"] == pytest.approx(0.010 / 3, abs=1e-6)
    part = section(page, "Cost per question (EUR, per 5 minutes)")
    assert "<th>mean (EUR)</th>" in part and cells(part, "2026-12-06 09:05")[:2] == ["3", "0.002333"]
    assert "No model price is configured" not in part


def test_cost_says_plainly_when_no_price_is_configured(tmp_path):
    out = tmp_path / "report.html"
    df = rows(SPEC[:2])
    write_report(df, out, "pension-advisor quality", prices_configured=False)
    assert "No model price is configured" in section(out.read_text(), "Cost per question")
    df.loc[1, "unpriced"] = "gpt-x"
    write_report(df, out, "pension-advisor quality")
    part = section(out.read_text(), "Cost per question")
    assert "1 of 2 questions used a model with no configured price (gpt-x)" in part
    assert "No model price is configured" not in part


def test_worst_traces_link_to_the_mlflow_ui_on_a_server(tmp_path):
    out = tmp_path / "report.html"
    summary = write_report(rows(SPEC), out, "pension-advisor quality", tracking_uri="http://mlflow.internal:5000/",
                           experiment_id="7")
    worst = [w["trace_id"] for w in summary["worst"]]
    # Problems first (fallback, degraded, failed review: lowest score, then newest first), then by lowest score.
    assert worst == ["tr-04", "tr-07", "tr-05", "tr-09", "tr-01", "tr-00"]
    assert summary["worst"][0]["url"] == ("http://mlflow.internal:5000/#/experiments/7/traces?"
                                          "selectedEvaluationId=tr-04&traceId=tr-04")
    part = section(out.read_text(), "Traces to look at first")
    assert ("<a class='trace' href='http://mlflow.internal:5000/#/experiments/7/traces?"
            "selectedEvaluationId=tr-05&amp;traceId=tr-05'>tr-05</a>") in part
    assert cells(part, "2026-12-06 09:14")[:5] == ["tr-09", "au", "answered", "faithfulness 0.40", "low score"]
    assert "blocked" not in "".join(re.findall(r"<td>(\w+)</td>", part))  # a blocked question is not a bad answer


def test_worst_traces_on_a_local_store_give_the_id_and_the_command(tmp_path):
    out = tmp_path / "report.html"
    assert trace_link("tr-1", "sqlite:///var/mlflow.db", "7") == ""
    write_report(rows(SPEC), out, "pension-advisor quality", tracking_uri="sqlite:///var/mlflow.db", experiment_id="7")
    part = section(out.read_text(), "Traces to look at first")
    assert "<code class='trace'>tr-04</code>" in part and "<a href" not in part and "pension-advisor mlflow-ui" in part
    calm = [(m, "uk", "answered", A, NONE, 1, "pass", 0.0, {}) for m in (0, 5)]
    write_report(rows(calm), out, "pension-advisor quality")
    assert "No trace ended in a fallback" in section(out.read_text(), "Traces to look at first")


def test_no_traces_is_one_sentence(tmp_path):
    out = tmp_path / "report.html"
    assert write_report(pd.DataFrame(), out, "pension-advisor quality") == {"traces": 0, "dead_lettered": 0}
    page = out.read_text()
    assert "No traces yet" in page and "<table" not in page and "<style>" in page


def test_the_command_reads_the_tags_and_scores_from_a_real_store(tmp_path):
    """`pension-advisor report` on a SQLite tracking store holding traces with known tags and one assessment each."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "PYTHONPATH": str(root),
           "PENSION_ADVISOR__TRACING__TRACKING_URI": uri, "PENSION_ADVISOR__TRACING__COST_CURRENCY": "EUR",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp_path / "queue.db")}
    ids = write_store(uri, [(0, "UK", "answered", A, "missing_citation", 2, "pass", 0.002, {"relevance": 0.9}),
                            (1, "UK", "blocked", "blocked:off_topic", NONE, 0, "none", 0.0, {}),
                            (2, "US", "fallback", A, NONE, 1, "fail", 0.001, {"relevance": 0.1})])["trace_ids"]
    assert len(ids) == 3
    out = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "pension_advisor", "report", "--out", str(out)], env=env, cwd=root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "traces=3" in done.stdout and "dead_lettered=0" in done.stdout
    page = out.read_text()
    assert cells(section(page, "Answers by country and status"), "UK") == ["2", "1 (50%)", "1 (50%)", "0 (0%)"]
    assert cells(section(page, "Guardrail blocks by reason"), "off_topic") == ["1", "33%"]
    assert cells(section(page, "Why answers were retried"), "missing_citation") == ["1", "33%"]
    assert cells(section(page, "Scorer trends"), "relevance")[0] == "0.500"
    assert "<th>mean (EUR)</th>" in section(page, "Cost per question (EUR")
    worst = section(page, "Traces to look at first")
    # The fallback first, then the scored answer; a local store: ids and the command, no links.
    assert worst.index(ids[2]) < worst.index(ids[0]) and ids[1] not in worst
    assert "<a " not in worst and "pension-advisor mlflow-ui" in worst
