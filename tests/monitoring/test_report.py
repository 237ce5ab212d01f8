"""Issue 16: the HTML report people look at. An hour of traces was drawn as one point per hourly bucket on a time axis
matplotlib widened to five years, and the scores table was an empty grid when nothing had been scored."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from pension_advisor.monitoring.report import _time_axis, bucket, write_report  # noqa: E402

START = pd.Timestamp("2026-12-06 09:00")


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
    assert "No trace has scores yet" in page and "<th>scorer</th>" not in page
    assert page.count("pension-advisor quality") == 2  # the page title and its heading, once each
    write_report(traces([0, 10, 20], scored=True), out, "pension-advisor quality")
    page = out.read_text()
    assert "<td>faithfulness</td><td>1.000</td><td>3</td>" in page and "No trace has scores yet" not in page
    assert "Scorer trends (mean per 5 minutes)" in page
