"""Issue 16: the report page as a person sees it, rendered by Debian's Chromium (headless, driven by playwright; no
browser download) at 1280x900. The page is written from a real SQLite MLflow store holding the traces of
conftest.SPEC (every status, block and retry reasons, two scorers over three 5-minute buckets, costs) and a real
scoring queue holding one job given up on, so every section has content. Its links are those a team gets when an
`mlflow server` serves that store (scripts/screenshots.py follows one into the MLflow UI and sees the trace open).

The checks (`problems`) are on what the browser laid out and drew: every section heading shown and drawn, in order;
the chart decoded by the browser, shown at a sensible size and not blank in the full-page screenshot; nothing wider
than the viewport; no table cut off; each trace link pointing at the MLflow UI's trace route. The negative test breaks
the page one way at a time and shows the matching check fails, so none is vacuous."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from .conftest import SPEC, write_store

# What `make test` installs (scripts/ensure-chromium); the test fails with this line rather than skip.
NO_CHROMIUM = ("no chromium on PATH; the report's browser test needs Debian's Chromium: sudo apt-get install -y "
               "chromium (or run scripts/ensure-chromium as root)")
NO_PLAYWRIGHT = "playwright is not installed: pip install -c constraints.txt -e '.[dev]' (make test does)"
WIDTH, HEIGHT = 1280, 900
UI = "http://127.0.0.1:5000"  # an `mlflow server --backend-store-uri <the store>` on its default port
HEADINGS = ["Answers by country and status", "Guardrail blocks by reason", "Why answers were retried",
            "Scorer trends (mean per 5 minutes)", "Cost per question (USD, per 5 minutes)", "Traces to look at first",
            "Scoring jobs given up on (1)"]
WORST = [4, 7, 5, 9, 1, 0]  # SPEC rows on the "look at first" list, in order (see test_report.py)
DEAD = 5  # the SPEC row whose scoring job is given up on (a fallback: nothing scored it)

# Run after conftest's trace writer, in its child: one scoring job given up on, through the real queue as a worker
# meets it (a failure retried, then dead-lettered once give_up_after_s has passed), then the page the report command
# writes, with links to the MLflow UI at sys.argv[5].
_REPORT = f"""
import time
from pathlib import Path
from pension_advisor.config import load_settings
from pension_advisor.monitoring.queue import ScoringQueue
from pension_advisor.monitoring.report import load_traces, write_report
settings = load_settings()
queue = ScoringQueue(settings.production_monitoring)
dead = written[{DEAD}][0]

def unreachable(payload, renew):
    raise ConnectionError("MLflow at http://mlflow.internal:5000 refused the connection")

queue.serve(unreachable)
queue.enqueue(dead, {{"trace_id": dead}})
try:
    queue._run(dead)
except ConnectionError:
    pass
else:
    raise SystemExit("the first failure was not left for a retry")
time.sleep(0.05)
queue._run(dead)
assert set(queue.dead_letters()) == {{dead}}, queue.dead_letters()
tracing = settings.tracing
write_report(load_traces(tracing.tracking_uri, tracing.experiment), Path(sys.argv[4]), "pension-advisor quality",
             queue.dead_letters(), currency=tracing.cost_currency, tracking_uri=sys.argv[5])
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """The page the report writes for the SPEC traces in a real store and one dead letter, linking to the UI at UI."""
    tmp = tmp_path_factory.mktemp("report-browser")
    out = tmp / "report.html"
    env = {"PENSION_ADVISOR__TRACING__TRACKING_URI": f"sqlite:///{tmp}/mlflow.db",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__BACKEND": "sqlite",
           "PENSION_ADVISOR__PRODUCTION_MONITORING__QUEUE__SQLITE_PATH": str(tmp / "queue.db"),
           "PENSION_ADVISOR__PRODUCTION_MONITORING__WORKER__GIVE_UP_AFTER_S": "0.01"}
    store = write_store(env["PENSION_ADVISOR__TRACING__TRACKING_URI"], SPEC, then=_REPORT, args=(str(out), UI),
                        env=env)
    return {"path": out, "html": out.read_text(), "tmp": tmp, **store}


@pytest.fixture(scope="module")
def tab():
    """One Chromium tab at WIDTH x HEIGHT for all the renders (each loads its file afresh)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(NO_PLAYWRIGHT, pytrace=False)
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.fail(NO_CHROMIUM, pytrace=False)
    with sync_playwright() as p:
        # --no-sandbox: the test may run as root (a container, CI), where Chromium's sandbox refuses to start.
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser.new_page(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1)
        browser.close()


# What the browser laid out: boxes in page coordinates (the full-page screenshot's pixels at device scale 1).
_FACTS = """() => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; };
  const shown = e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
                       return s.display !== 'none' && s.visibility !== 'hidden' && +s.opacity > 0 && r.width > 0
                              && r.height > 0; };
  const sectionOf = e => { let h = null;
    for (const x of document.querySelectorAll('h1, h2'))
      if (x.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) h = x.textContent;
    return h; };
  return {
    viewport: innerWidth, scrollWidth: document.documentElement.scrollWidth,
    pageHeight: document.documentElement.scrollHeight,
    headings: [...document.querySelectorAll('h2')].map(h => ({text: h.textContent, shown: shown(h), ...box(h)})),
    images: [...document.images].map(i => ({section: sectionOf(i), src: i.getAttribute('src').slice(0, 40),
      complete: i.complete, naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, shown: shown(i),
      ...box(i)})),
    tables: [...document.querySelectorAll('table')].map(t => { const outer = t.parentElement;
      return {section: sectionOf(t), shown: shown(t), ...box(t), width: t.offsetWidth,
              room: outer.clientWidth, scrolls: outer.scrollWidth > outer.clientWidth + 1,
              cut: [...t.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1)
                                                  .map(c => c.innerText.slice(0, 30))}; }),
    links: [...document.querySelectorAll('a')].map(a => ({text: a.textContent, href: a.href, shown: shown(a)})),
  };
}"""


def render(tab, page_file: Path, shot: Path) -> tuple[dict, bytes]:
    tab.goto(page_file.as_uri(), wait_until="load")
    return tab.evaluate(_FACTS), tab.screenshot(path=str(shot), full_page=True, type="png")


def _ink(image, box: dict) -> tuple[float, int, int]:
    """In the screenshot, within box: the share of pixels that are not near-white, the number of distinct colours
    (at most 256 counted), and the number of dark (text-like) pixels."""
    region = image.crop((round(box["x"]), round(box["y"]), round(box["x"] + box["w"]), round(box["y"] + box["h"])))
    if not region.width or not region.height:
        return 0.0, 0, 0
    grey = region.convert("L").histogram()
    colours = region.convert("RGB").getcolors(256)
    return (sum(grey[:235]) / (region.width * region.height), 257 if colours is None else len(colours),
            sum(grey[:110]))


def problems(facts: dict, png: bytes, expect: dict) -> list[str]:
    """Everything wrong with the rendered page, one line each ([] for a good page)."""
    from PIL import Image

    shot = Image.open(io.BytesIO(png))
    found = []
    if shot.width < facts["viewport"] or shot.height < facts["pageHeight"]:
        found.append(f"screenshot {shot.size} does not cover the page ({facts['viewport']}x{facts['pageHeight']})")
    page_ink, _, _ = _ink(shot, {"x": 0, "y": 0, "w": shot.width, "h": shot.height})
    if page_ink < 0.01:
        found.append(f"blank screenshot: {page_ink:.2%} of its pixels are drawn")

    # Every section heading shown, drawn (dark text pixels in its box), inside the viewport's width, top to bottom.
    texts = [h["text"] for h in facts["headings"]]
    if texts != HEADINGS:
        found.append(f"headings {texts} are not the sections in order {HEADINGS}")
    for h in facts["headings"]:
        if not h["shown"] or _ink(shot, h)[2] < 20 or h["x"] < 0 or h["x"] + h["w"] > facts["viewport"]:
            found.append(f"heading {h['text']!r} is not visible")
    tops = [h["y"] for h in facts["headings"]]
    if tops != sorted(tops):
        found.append(f"headings are not laid out top to bottom: {tops}")

    # The chart: decoded by the browser, shown undistorted at a readable size, and drawn (not a blank image).
    charts = [i for i in facts["images"] if i["section"] == "Scorer trends (mean per 5 minutes)"]
    if len(facts["images"]) != 1 or len(charts) != 1:
        found.append(f"expected one chart, under the scorer trends: {facts['images']}")
    for img in facts["images"]:
        name = f"chart in {img['section']!r}"
        if not (img["complete"] and img["naturalWidth"] > 0 and img["naturalHeight"] > 0):
            found.append(f"{name} was not decoded by the browser (src {img['src']!r})")
            continue
        ratio = (img["w"] / img["h"]) / (img["naturalWidth"] / img["naturalHeight"]) if img["h"] else 0
        if not img["shown"] or not (400 <= img["w"] <= facts["viewport"] and img["h"] >= 150 and 0.95 < ratio < 1.05):
            found.append(f"{name} is not shown at a sensible size: {img['w']:.0f}x{img['h']:.0f} px for a "
                         f"{img['naturalWidth']}x{img['naturalHeight']} image")
            continue
        inked, colours, _ = _ink(shot, img)
        if inked < 0.02 or colours < 8:
            found.append(f"{name} is blank in the screenshot: {inked:.2%} of its pixels drawn, {colours} colours")

    # Nothing wider than the viewport; no table scrolled or squeezed out of view.
    if facts["scrollWidth"] > facts["viewport"]:
        found.append(f"horizontal overflow: the page is {facts['scrollWidth']} px wide in a {facts['viewport']} "
                     "px viewport")
    for t in facts["tables"]:
        if not t["shown"] or t["scrolls"] or t["width"] > t["room"] or t["x"] + t["w"] > facts["viewport"] or t["cut"]:
            found.append(f"table in {t['section']!r} is clipped: {t['width']} px in {t['room']} px"
                         + (f", cells cut: {t['cut']}" if t["cut"] else ""))

    # The trace links: the worst traces, in order, each to its trace in the MLflow UI of the server on the store.
    ids, experiment = expect["trace_ids"], expect["experiment_id"]
    want = [(ids[i], f"{UI}/#/experiments/{experiment}/traces?selectedEvaluationId={ids[i]}&traceId={ids[i]}")
            for i in WORST]
    got = [(a["text"], a["href"]) for a in facts["links"]]
    if got != want:
        found.append(f"trace links {got} are not the MLflow UI's trace URLs {want}")
    if not all(a["shown"] for a in facts["links"]):
        found.append("a trace link is not visible")
    return found


def test_the_report_renders_in_chromium_as_expected(tab, report):
    facts, png = render(tab, report["path"], report["tmp"] / "report.png")
    assert problems(facts, png, report) == [], f"screenshot: {report['tmp'] / 'report.png'}"
    # The facts the checks rest on, so an empty list is not a page the checks could not see.
    assert len(facts["headings"]) == 7 and len(facts["images"]) == 1 and len(facts["links"]) == 6
    assert len(facts["tables"]) == 8 and facts["images"][0]["naturalWidth"] >= 600


def _blank_png(width: int, height: int) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


_CHART = re.compile(r"src='data:image/png;base64,[^']*'")
_WIDE = "<table><tr><td style='white-space:nowrap'>" + "overflowing-cell " * 20 + "</td></tr></table>"
BROKEN = {  # name: (how the page is broken, the problem the checks must report)
    "chart with an empty src": (lambda p: _CHART.sub("src=''", p), "was not decoded by the browser"),
    "blank chart": (lambda p: _CHART.sub(f"src='data:image/png;base64,{_blank_png(648, 270)}'", p),
                    "is blank in the screenshot"),
    "squashed chart": (lambda p: p.replace("</style>", "img{width:300px;height:120px}</style>"),
                       "is not shown at a sensible size"),
    "table wider than the page": (lambda p: p.replace("<h2>Traces to look at first", _WIDE + "<h2>Traces to look"
                                                      " at first"), "horizontal overflow"),
    "wide table in a scroll box": (lambda p: p.replace("<h2>Traces to look at first", f"<div class='wide'>{_WIDE}"
                                                       "</div><h2>Traces to look at first"), "is clipped"),
    "cells cut off": (lambda p: p.replace("</style>", "td{max-width:40px;overflow:hidden}</style>"), "cells cut"),
    "hidden heading": (lambda p: p.replace("</style>", "h2{visibility:hidden}</style>"),
                       "heading 'Answers by country and status' is not visible"),
    "white heading": (lambda p: p.replace("</style>", "h2{color:#fff}</style>"), "is not visible"),
    "sections out of order": (lambda p: p.replace("Guardrail blocks by reason", "@@").replace(
        "Why answers were retried", "Guardrail blocks by reason").replace("@@", "Why answers were retried"),
        "are not the sections in order"),
    "link off the trace route": (lambda p: p.replace("/#/experiments/", "/#/experiment/"),
                                 "are not the MLflow UI's trace URLs"),
    "blank page": (lambda p: p.replace("</style>", "body{visibility:hidden}</style>"), "blank screenshot"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_check_fails_on_a_page_broken_for_it(tab, report, name):
    breaks, problem = BROKEN[name]
    broken = breaks(report["html"])
    assert broken != report["html"], "the page was not broken"
    path = report["tmp"] / ("broken-" + re.sub(r"\W+", "-", name) + ".html")
    path.write_text(broken)
    facts, png = render(tab, path, path.with_suffix(".png"))
    found = problems(facts, png, report)
    assert any(problem in line for line in found), json.dumps(found, indent=1)
