"""A small HTML report of production quality from the traces and assessments in the MLflow store.

The MLflow Overview tab already charts requests, latency, errors, tokens, cost, per-scorer quality and tool calls.
This page shows what it cannot: answers by country and status, guardrail blocks by reason, retry reasons, scorer
means and cost per question per time bucket, and the traces to look at first (with links)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Statuses in the order a reader expects them; any other status follows alphabetically.
STATUS_ORDER = ("answered", "clarification", "blocked", "fallback", "degraded", "error")
# A trace with one of these statuses did not get the normal answer: it belongs on the "look at" list.
PROBLEM_STATUSES = ("fallback", "degraded", "error")
WORST_LIMIT = 10

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
p.note{color:#555;margin:.3em 0 .8em}p.empty{color:#666;font-style:italic}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.n{text-align:right;font-variant-numeric:tabular-nums}td:first-child{white-space:nowrap}tr.total td{font-weight:600;background:#fafafa}
code{background:#f4f4f4;padding:0 .25em;border-radius:3px}img{max-width:100%}
a.trace,code.trace{font-family:ui-monospace,monospace;font-size:.9em;white-space:nowrap}div.wide{overflow-x:auto}
"""


def _tag(tags: dict | None, key: str, default: str) -> str:
    value = (tags or {}).get(f"pension_advisor.{key}")
    return default if value in (None, "") else str(value)


def _number(text: str, cast):
    try:
        return cast(float(text))
    except (TypeError, ValueError):
        return cast(0)


def load_traces(tracking_uri: str, experiment: str, max_results: int = 5000):
    """One row per trace: its time, latency, `pension_advisor.*` tags and one `score:<name>` column per numeric
    assessment. df.attrs keeps the experiment id (for links to the MLflow UI)."""
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(tracking_uri)
    exp = mlflow.get_experiment_by_name(experiment)
    if exp is None:
        return pd.DataFrame()
    df = mlflow.search_traces(locations=[exp.experiment_id], max_results=max_results, include_spans=False)
    if df.empty:
        df.attrs["experiment_id"] = exp.experiment_id
        return df
    tags = df["tags"]
    out = pd.DataFrame({
        "trace_id": df["trace_id"],
        "time": pd.to_datetime(df["request_time"], unit="ms"),
        "latency_s": df["execution_duration"] / 1000.0,
        "cost": tags.map(lambda t: _number(_tag(t, "cost", "0"), float)),
        "attempts": tags.map(lambda t: _number(_tag(t, "attempts", "0"), int)),
        "verdict": tags.map(lambda t: _tag(t, "final_verdict", "none")),
        "status": tags.map(lambda t: _tag(t, "status", "unknown")),
        "country": tags.map(lambda t: _tag(t, "country", "unknown")),
        "guardrail": tags.map(lambda t: _tag(t, "guardrail", "allowed")),
        "retry_reasons": tags.map(lambda t: _tag(t, "retry_reasons", "none")),
        "member": tags.map(lambda t: _tag(t, "member", "unknown")),
        "unpriced": tags.map(lambda t: _tag(t, "cost_unpriced_models", "")),
    })
    for i, assessments in enumerate(df["assessments"]):
        for a in assessments or []:  # search_traces gives assessments as dicts
            value = (a.get("feedback") or {}).get("value")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.loc[out.index[i], f"score:{a['assessment_name']}"] = float(value)
    out = out.sort_values("time")
    out.attrs["experiment_id"] = exp.experiment_id
    return out


def _figure(draw) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.0), dpi=90)
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
_BUCKET_FORMAT = {"5min": "%Y-%m-%d %H:%M", "1h": "%Y-%m-%d %H:00", "1D": "%Y-%m-%d"}


def _time_axis(ax, times, freq: str) -> None:
    """The x axis over the traces' own time range (padded by one bucket), with readable dates."""
    import matplotlib.dates as mdates
    import pandas as pd

    pad = pd.Timedelta(freq)
    ax.set_xlim(times.min() - pad, times.max() + pad)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def trace_link(trace_id: str, tracking_uri: str | None, experiment_id: str | None) -> str:
    """The MLflow UI address of one trace for a tracking server (the route MLflow 3.17's own UI builds for
    "View trace"), else "" (a local store has no server to link to)."""
    if tracking_uri and tracking_uri.startswith(("http://", "https://")) and experiment_id:
        query = urlencode({"selectedEvaluationId": trace_id, "traceId": trace_id})
        return f"{tracking_uri.rstrip('/')}/#/experiments/{experiment_id}/traces?{query}"
    return ""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _table(header: list[str], rows: list[list[Any]], numeric_from: int = 1, total: list[Any] | None = None) -> str:
    """A table; cells from column numeric_from on are right-aligned numbers. Cells are escaped unless they are
    already markup (a _Raw)."""
    def cell(i, v):
        text = v.html if isinstance(v, _Raw) else _e(v)
        return f"<td class='n'>{text}</td>" if i >= numeric_from else f"<td>{text}</td>"

    head = "".join(f"<th>{_e(h).replace('_', '_<wbr>')}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(i, v) for i, v in enumerate(r)) + "</tr>" for r in rows)
    if total:
        body += "<tr class='total'>" + "".join(cell(i, v) for i, v in enumerate(total)) + "</tr>"
    return f"<div class='wide'><table><tr>{head}</tr>{body}</table></div>"


class _Raw:
    def __init__(self, markup: str):
        self.html = markup


def _section(title: str, body: str, note: str = "") -> str:
    return f"<h2>{_e(title)}</h2>" + (f"<p class='note'>{note}</p>" if note else "") + body


def _empty(sentence: str) -> str:
    return f"<p class='empty'>{_e(sentence)}</p>"


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "-"


def _status_order(statuses) -> list[str]:
    known = [s for s in STATUS_ORDER if s in set(statuses)]
    return known + sorted(set(statuses) - set(known))


def country_status(df) -> dict[str, dict[str, int]]:
    """{country: {status: count}} over all traces."""
    counts: dict[str, dict[str, int]] = {}
    for (country, status), n in df.groupby(["country", "status"]).size().items():
        counts.setdefault(country, {})[status] = int(n)
    return counts


def _country_status_section(df) -> tuple[str, dict]:
    counts = country_status(df)
    statuses = _status_order(df["status"].unique())
    rows = []
    for country in sorted(counts):
        total = sum(counts[country].values())
        rows.append([country.upper() if len(country) == 2 else country, total]
                    + [f"{counts[country].get(s, 0)} ({_pct(counts[country].get(s, 0), total)})" for s in statuses])
    n = len(df)
    by_status = df["status"].value_counts()
    total = ["all countries", n] + [f"{int(by_status.get(s, 0))} ({_pct(int(by_status.get(s, 0)), n)})"
                                    for s in statuses]
    body = _table(["country", "questions"] + statuses, rows, total=total)
    note = "Each cell: questions with that status, and their share of the country's questions."
    if "unknown" in counts:
        note += (" <i>unknown</i>: no member record was read (a question blocked before it, or a member id "
                 "not found).")
    return _section("Answers by country and status", body, note), counts


def _blocks_section(df) -> tuple[str, dict, dict]:
    n = len(df)
    blocked = df.loc[df["guardrail"].str.startswith("blocked"), "guardrail"].map(
        lambda g: g.split(":", 1)[1] if ":" in g and g.split(":", 1)[1] not in ("", "None") else "unspecified")
    blocks = {str(k): int(v) for k, v in blocked.value_counts().items()}
    reasons: dict[str, int] = {}
    for text in df["retry_reasons"]:
        for code in {c.strip() for c in str(text).split(",")} - {"", "none"}:
            reasons[code] = reasons.get(code, 0) + 1
    part = (_table(["reason code", "questions blocked", "share of all questions"],
                   [[k, v, _pct(v, n)] for k, v in sorted(blocks.items(), key=lambda kv: (-kv[1], kv[0]))],
                   total=["all blocks", sum(blocks.values()), _pct(sum(blocks.values()), n)])
            if blocks else _empty(f"The input guardrail blocked none of the {n} questions."))
    html_blocks = _section("Guardrail blocks by reason", part,
                           "Questions the input guardrail refused, by the reason code on the trace's "
                           "<code>pension_advisor.guardrail</code> tag.")
    retried = int((df["attempts"] > 1).sum())
    part = (_table(["reason", "questions retried for it", "share of all questions"],
                   [[k, v, _pct(v, n)] for k, v in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))])
            if reasons else _empty(f"No answer was retried: every one of the {n} questions passed review on its first "
                                   "draft or was not reviewed."))
    html_retries = _section("Why answers were retried", part,
                            f"{retried} of {n} questions took more than one attempt; a question retried for two "
                            "reasons counts under both." if reasons else "")
    return html_blocks + html_retries, blocks, reasons


def _trends_section(df, scores: list[str], freq: str) -> tuple[str, dict]:
    per = _BUCKET_WORDS[freq]
    buckets = df.set_index("time").resample(freq)
    counts = buckets.size()
    trends: dict[str, dict[str, float]] = {}
    if not scores:
        body = _empty("No trace has scores yet: scores come from sampled runs "
                      "(production_monitoring.sampling_rate) once a scoring worker has run.")
        return _section(f"Scorer trends (mean {per})", body), trends
    means = buckets[scores].mean()
    scored = df.assign(scored=df[scores].notna().any(axis=1)).set_index("time").resample(freq)["scored"].sum()
    # One row per scorer, one column per bucket (oldest first) after the overall mean: a trend reads across.
    whens = [when for when in means.index if int(counts.get(when, 0))]
    labels = [when.strftime(_BUCKET_FORMAT[freq]) for when in whens]
    same_day = len({when.date() for when in whens}) == 1 and freq != "1D"
    heads = [when.strftime("%H:%M") if same_day else label for when, label in zip(whens, labels)]
    rows = [["questions", len(df)] + [int(counts[when]) for when in whens],
            ["scored", int(df[scores].notna().any(axis=1).sum())] + [int(scored.get(when, 0)) for when in whens]]
    for c in scores:
        cells = []
        for when, label in zip(whens, labels):
            value = means.loc[when, c]
            if value == value:  # not NaN
                trends.setdefault(c[6:], {})[label] = round(float(value), 3)
                cells.append(f"{value:.3f}")
            else:
                cells.append("-")
        rows.append([c[6:], f"{df[c].mean():.3f}"] + cells)
    day = f" ({whens[0]:%Y-%m-%d})" if same_day else ""
    body = _table([f"scorer / bucket start{day}", "all buckets"] + heads, rows)

    if len(whens) > 1:
        def draw(ax):
            for c in scores:
                series = means[c].dropna()
                ax.plot(series.index, series.values, marker="o", label=c[6:])
            _time_axis(ax, df["time"], freq)
            ax.set_ylim(0, 1.05)
            ax.set_ylabel("mean score")
            ax.legend(fontsize="small", ncol=min(len(scores), 5), loc="lower left")
        body += f"<img alt='scorer means {per}' src='data:image/png;base64,{_figure(draw)}'>"
    note = ("Each scorer's mean over the questions it scored, per bucket (only sampled runs are scored; "
            "<i>scored</i> counts the questions with any score). A dash: that scorer scored nothing in the bucket.")
    return _section(f"Scorer trends (mean {per})", body, note), trends


def _cost_section(df, freq: str, currency: str, prices_configured: bool) -> tuple[str, dict]:
    per = _BUCKET_WORDS[freq]
    buckets = df.set_index("time").resample(freq)["cost"]
    stats = buckets.agg(["count", "mean", lambda s: s.quantile(0.95) if len(s) else float("nan")])
    stats.columns = ["count", "mean", "p95"]
    cost: dict[str, dict[str, float]] = {}
    rows = []
    for when, row in stats.iterrows():
        if not row["count"]:
            continue
        label = when.strftime(_BUCKET_FORMAT[freq])
        cost[label] = {"mean": round(float(row["mean"]), 6), "p95": round(float(row["p95"]), 6)}
        rows.append([label, int(row["count"]), f"{row['mean']:.6f}", f"{row['p95']:.6f}"])
    total = ["all", len(df), f"{df['cost'].mean():.6f}", f"{df['cost'].quantile(0.95):.6f}"]
    body = _table(["bucket", "questions", f"mean ({currency})", f"p95 ({currency})"], rows, total=total)
    unpriced = sorted({m for text in df["unpriced"] for m in str(text).split(",") if m})
    notes = []
    if not prices_configured:
        notes.append("No model price is configured (tracing.prices is empty), so every cost here is 0: "
                     "add the models' prices per million tokens to see real costs.")
    if unpriced:
        n = int((df["unpriced"] != "").sum())
        notes.append(f"{n} of {len(df)} questions used a model with no configured price "
                     f"({', '.join(unpriced)}); that model's tokens count as 0 {currency}.")
    body = "".join(f"<p class='empty'>{_e(s)}</p>" for s in notes) + body
    return _section(f"Cost per question ({currency}, {per})", body,
                    "Model tokens times the configured prices, per question: mean and 95th percentile."), cost


def worst_traces(df, scores: list[str], limit: int = WORST_LIMIT):
    """Fallbacks, degraded and errored answers, failed reviews and the lowest-scored traces, worst first."""
    frame = df.copy()
    frame["lowest"] = frame[scores].min(axis=1) if scores else float("nan")
    frame["problem"] = frame["status"].isin(PROBLEM_STATUSES) | (frame["verdict"] == "fail")
    frame = frame[frame["problem"] | frame["lowest"].notna()]
    frame = frame.sort_values(["problem", "lowest", "time"], ascending=[False, True, False], na_position="last")
    return frame.head(limit)


def _worst_section(df, scores: list[str], tracking_uri: str | None, experiment_id: str | None) -> tuple[str, list]:
    worst = worst_traces(df, scores)
    if worst.empty:
        return _section("Traces to look at first", _empty(
            "No trace ended in a fallback, a degraded answer, an error or a failed review, "
            "and none is scored yet.")), []
    server = bool(trace_link("x", tracking_uri, experiment_id))
    rows, listed = [], []
    for _, r in worst.iterrows():
        tid = str(r.get("trace_id", ""))
        url = trace_link(tid, tracking_uri, experiment_id)
        trace = _Raw(f"<a class='trace' href='{_e(url)}'>{_e(tid)}</a>" if url
                     else f"<code class='trace'>{_e(tid)}</code>")
        low = ""
        if scores and r["lowest"] == r["lowest"]:
            name = min(scores, key=lambda c: r[c] if r[c] == r[c] else 2.0)
            low = f"{name[6:]} {r['lowest']:.2f}"
        why = [r["status"]] if r["status"] in PROBLEM_STATUSES else []
        if r["verdict"] == "fail":
            why.append("review failed")
        rows.append([r["time"].strftime("%Y-%m-%d %H:%M"), trace, r["country"], r["status"], low or "-",
                     ", ".join(why) or "low score", r["attempts"]])
        listed.append({"trace_id": tid, "url": url})
    body = _table(["time", "trace", "country", "status", "lowest score", "why listed", "attempts"], rows,
                  numeric_from=6)
    note = ("Fallbacks, degraded answers, errors and failed reviews first, then the lowest-scored traces "
            f"(at most {WORST_LIMIT}). ")
    if server:
        note += "Each trace id opens the trace in the MLflow UI."
    else:
        note += ("The traces are in a local store: run <code>pension-advisor mlflow-ui</code>, open "
                 "http://127.0.0.1:5000, the experiment's Traces tab, and search for the trace id.")
    return _section("Traces to look at first", body, note), listed


def _dead_letter_section(dead_letters: dict[str, dict[str, Any]]) -> str:
    """Scoring jobs the workers gave up on: their traces carry no scores, so the trends above leave them out."""
    if not dead_letters:
        return ""
    rows = [[trace_id, job.get("attempts", 0), f"{dt.datetime.fromtimestamp(job.get('dead_at', 0)):%Y-%m-%d %H:%M:%S}",
             job.get("reason", "")]
            for trace_id, job in sorted(dead_letters.items(), key=lambda item: -item[1].get("dead_at", 0))]
    return _section(f"Scoring jobs given up on ({len(dead_letters)})",
                    _table(["trace", "attempts", "given up", "reason"], rows, numeric_from=1).replace(
                        "<td class='n'>", "<td>"),
                    "Their traces carry no scores, so the scorer trends leave them out.")


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(title)}</title><style>{_STYLE}</style>"
            f"</head><body><h1>{_e(title)}</h1><p class='note'>Generated {dt.datetime.now():%Y-%m-%d %H:%M}. "
            "Requests, latency, errors, tokens, cost, per-scorer quality and tool calls are on the MLflow "
            f"experiment's Overview tab; this page shows what the Overview cannot.</p>{body}</body></html>")


def write_report(df, path: Path, title: str, dead_letters: dict[str, dict[str, Any]] | None = None, *,
                 currency: str = "USD", prices_configured: bool = True, tracking_uri: str | None = None,
                 experiment_id: str | None = None) -> dict[str, Any]:
    """Writes the HTML; returns the figures it shows (the headline, and each section's numbers)."""
    dead_letters = dead_letters or {}
    if experiment_id is None:
        experiment_id = df.attrs.get("experiment_id")
    if df.empty:
        path.write_text(_page(title, _empty("No traces yet: answer a question with tracing on, then run the report "
                                             "again.") + _dead_letter_section(dead_letters)))
        return {"traces": 0, "dead_lettered": len(dead_letters)}
    for column, default in (("country", "unknown"), ("guardrail", "allowed"), ("retry_reasons", "none"),
                            ("unpriced", ""), ("trace_id", "")):
        if column not in df:
            df = df.assign(**{column: default})
    judged = df[df["verdict"] != "none"]
    summary: dict[str, Any] = {
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
    headline = _table(["figure", "value"], [
        ["questions", len(df)],
        ["from", df["time"].min().strftime("%Y-%m-%d %H:%M")], ["to", df["time"].max().strftime("%Y-%m-%d %H:%M")],
        ["review pass rate (final answer)",
         "-" if summary["judge_pass_rate"] is None else f"{summary['judge_pass_rate']:.0%}"],
        ["mean attempts", f"{summary['mean_attempts']:.2f}"],
        [f"total cost ({currency})", f"{summary['total_cost']:.6f}"],
        ["members (pseudonyms)", int(df.loc[df["member"] != "unknown", "member"].nunique()) if "member" in df else "-"],
        ["scoring jobs given up on", len(dead_letters)],
    ])
    parts = [headline]
    html_cs, summary["country_status"] = _country_status_section(df)
    parts.append(html_cs)
    html_blocks, summary["blocks"], summary["retry_reasons"] = _blocks_section(df)
    parts.append(html_blocks)
    html_trends, summary["score_trends"] = _trends_section(df, scores, freq)
    parts.append(html_trends)
    html_cost, summary["cost_per_question"] = _cost_section(df, freq, currency, prices_configured)
    parts.append(html_cost)
    html_worst, summary["worst"] = _worst_section(df, scores, tracking_uri, experiment_id)
    parts.append(html_worst)
    parts.append(_dead_letter_section(dead_letters))
    path.write_text(_page(title, "".join(parts)))
    summary["scores"] = {c[6:]: round(float(df[c].mean()), 3) for c in scores}
    return summary
