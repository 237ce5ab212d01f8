"""A small HTML report of production quality from the traces and assessments in the MLflow store."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import Any


def load_traces(tracking_uri: str, experiment: str, max_results: int = 5000):
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(tracking_uri)
    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        return pd.DataFrame()
    df = mlflow.search_traces(locations=[exp.experiment_id], max_results=max_results, include_spans=False)
    if df.empty:
        return df
    tag = lambda key, cast=str: df["tags"].map(lambda t: cast((t or {}).get(f"pension_advisor.{key}", 0) or 0))
    out = pd.DataFrame({
        "time": pd.to_datetime(df["request_time"], unit="ms"),
        "latency_s": df["execution_duration"] / 1000.0,
        "cost": tag("cost", float),
        "attempts": tag("attempts", int),
        "verdict": df["tags"].map(lambda t: (t or {}).get("pension_advisor.final_verdict", "none")),
        "status": df["tags"].map(lambda t: (t or {}).get("pension_advisor.status", "unknown")),
    })
    for i, assessments in enumerate(df["assessments"]):
        for a in assessments or []:  # search_traces gives assessments as dicts
            value = (a.get("feedback") or {}).get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.loc[out.index[i], f"score:{a['assessment_name']}"] = float(value)
    return out.sort_values("time")


def _figure(draw) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.2), dpi=100)
    draw(ax)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def bucket(times) -> str:
    """The trend bucket for the span the traces cover: a few points whatever it is (an hour of traces in hourly
    buckets is one point, which matplotlib draws on an axis years wide)."""
    span = (times.max() - times.min()) if len(times) else dt.timedelta(0)
    if span <= dt.timedelta(hours=3):
        return "5min"
    if span <= dt.timedelta(days=3):
        return "1h"
    return "1D"


_BUCKET_WORDS = {"5min": "per 5 minutes", "1h": "per hour", "1D": "per day"}


def _time_axis(ax, times, freq: str) -> None:
    """The x axis over the traces' own time range (padded by one bucket), with readable dates."""
    import matplotlib.dates as mdates
    import pandas as pd

    pad = pd.Timedelta(freq)
    ax.set_xlim(times.min() - pad, times.max() + pad)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _dead_letter_section(dead_letters: dict[str, dict[str, Any]]) -> str:
    """Scoring jobs the workers gave up on: their traces carry no scores, so the trends below leave them out."""
    if not dead_letters:
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(trace_id)}</td><td>{job.get('attempts', 0)}</td>"
        f"<td>{dt.datetime.fromtimestamp(job.get('dead_at', 0)):%Y-%m-%d %H:%M:%S}</td>"
        f"<td>{html.escape(str(job.get('reason', '')))}</td></tr>"
        for trace_id, job in sorted(dead_letters.items(), key=lambda item: -item[1].get("dead_at", 0)))
    return (f"<h2>Scoring jobs given up on ({len(dead_letters)})</h2><table border=1 cellpadding=4>"
            f"<tr><th>trace</th><th>attempts</th><th>given up</th><th>reason</th></tr>{rows}</table>")


def write_report(df, path: Path, title: str, dead_letters: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Writes the HTML; returns the headline figures it shows."""
    dead_letters = dead_letters or {}
    if df.empty:
        path.write_text(f"<html><body><h1>{html.escape(title)}</h1><p>No traces yet.</p>"
                        f"{_dead_letter_section(dead_letters)}</body></html>")
        return {"traces": 0, "dead_lettered": len(dead_letters)}
    judged = df[df["verdict"] != "none"]
    summary = {
        "traces": len(df),
        "latency_p50_s": round(float(df["latency_s"].median()), 3),
        "latency_p95_s": round(float(df["latency_s"].quantile(0.95)), 3),
        "total_cost": round(float(df["cost"].sum()), 6),
        "judge_pass_rate": round(float((judged["verdict"] == "pass").mean()), 3) if len(judged) else None,
        "mean_attempts": round(float(df["attempts"].mean()), 2),
        "dead_lettered": len(dead_letters),
    }
    scores = [c for c in df.columns if c.startswith("score:")]
    freq = bucket(df["time"])
    per = _BUCKET_WORDS[freq]
    buckets = df.set_index("time").resample(freq)

    def trend(draw_series, ylim=None):
        def draw(ax):
            draw_series(ax)
            _time_axis(ax, df["time"], freq)
            if ylim:
                ax.set_ylim(*ylim)
        return draw

    def line(ax, series, label=None):
        # matplotlib's own date axis (pandas' .plot draws periods, which a date range cannot bound)
        series = series.dropna()
        ax.plot(series.index, series.values, marker="o", label=label)

    def lines(ax, frame):
        for column in frame.columns:
            line(ax, frame[column], column)
        ax.legend(fontsize="small")

    plots = {
        "Latency (s) per question": trend(lambda ax: (ax.plot(df["time"], df["latency_s"], ".", alpha=.5), ax.set_ylabel("s"))),
        f"Cost {per}": trend(lambda ax: line(ax, buckets["cost"].sum())),
        "Attempts per question": lambda ax: df["attempts"].value_counts().sort_index().plot.bar(ax=ax),
    }
    if len(judged):
        plots[f"Judge pass rate {per}"] = trend(
            lambda ax: line(ax, judged.set_index("time")["verdict"].eq("pass").resample(freq).mean()), (0, 1.05))
    if scores:
        plots[f"Scorer trends (mean {per})"] = trend(
            lambda ax: lines(ax, buckets[scores].mean().rename(columns=lambda c: c[6:])), (0, 1.05))
    images = "".join(f"<h2>{html.escape(name)}</h2><img src='data:image/png;base64,{_figure(draw)}'>"
                     for name, draw in plots.items())
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in summary.items())
    score_rows = "".join(f"<tr><td>{html.escape(c[6:])}</td><td>{df[c].mean():.3f}</td><td>{int(df[c].count())}</td></tr>"
                         for c in scores)
    path.write_text(
        f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body style='font-family:sans-serif'>"
        f"<h1>{html.escape(title)}</h1><p>Generated {dt.datetime.now():%Y-%m-%d %H:%M}</p>"
        f"<table border=1 cellpadding=4>{rows}</table>"
        + (f"<h2>Scores</h2><table border=1 cellpadding=4><tr><th>scorer</th><th>mean</th><th>traces</th></tr>{score_rows}</table>"
           if scores else "<h2>Scores</h2><p>No trace has scores yet: scores come from sampled runs "
                          "(production_monitoring.sampling_rate) once a scoring worker has run.</p>") +
        f"{_dead_letter_section(dead_letters)}{images}</body></html>")
    summary["scores"] = {c[6:]: round(float(df[c].mean()), 3) for c in scores}
    return summary
