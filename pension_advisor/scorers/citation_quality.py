"""Citation quality: every figure carries a [n] citation, each [n] is in the Sources list, and each listed
source is one of the loaded rule tables' sources for the member's country."""

from __future__ import annotations

from typing import Any

from mlflow.entities import Feedback
from mlflow.genai.scorers import scorer

from .common import CITATION_MARK, code_feedback, figures_in, quote, read, rule_source_urls

NAME = "citation_quality"


# No MLflow timeout: it costs a thread per call (~1 ms), more than this scorer itself (< 0.5 ms).
@scorer(name=NAME, timeout=0,
        description="Cited figures x resolving [n] marks x sources that are loaded rule sources (1 = every figure "
                    "cited from a real rule source).")
def citation_quality(inputs: Any = None, outputs: Any = None) -> Feedback:
    """The product of three shares, each 1.0 when there is nothing to check:

    - cited: claims (sentences or bullets) with a calculator figure, or a number not explained by the member
      record or question, that carry a [n] mark;
    - resolving: [n] marks in the body that have an entry in the answer's "Sources:" list;
    - loaded: Sources entries whose URL is the source_url of a rule in the member's country's loaded rule
      tables (``tools.tables.source_urls``); another country's source or an invented URL fails.

    A reply with no figures and no citations (blocked, clarification) scores 1.0.
    """
    reply = read(inputs, outputs)
    evidence = reply.evidence

    def needs_citation(n: float) -> bool:
        return evidence.is_figure(n) or not evidence.allows(n)

    with_figures = [c for c in reply.claims() if any(needs_citation(n) for n in figures_in(c))]
    uncited = [c for c in with_figures if not CITATION_MARK.search(c)]
    marks = sorted({int(n) for n in CITATION_MARK.findall(reply.body)})
    listed = {s.number for s in reply.sources}
    dangling = [n for n in marks if n not in listed]
    urls = rule_source_urls(reply.country)
    foreign = [s for s in reply.sources if s.url not in urls]

    cited = 1 - len(uncited) / len(with_figures) if with_figures else 1.0
    resolving = 1 - len(dangling) / len(marks) if marks else 1.0
    loaded = 1 - len(foreign) / len(reply.sources) if reply.sources else 1.0

    problems = []
    if uncited:
        problems.append(f"{len(uncited)} of {len(with_figures)} claim(s) with figures have no [n] citation, "
                        f"e.g. {quote(uncited[0])}")
    if dangling:
        problems.append(f"citation(s) {', '.join(f'[{n}]' for n in dangling)} match no entry in the Sources list")
    if foreign:
        s = foreign[0]
        problems.append(f"{len(foreign)} of {len(reply.sources)} source(s) are not loaded "
                        f"{reply.country or 'rule'} rule sources, e.g. [{s.number}] {s.url or quote(s.title)}")
    if problems:
        why = "; ".join(problems) + "."
    elif not with_figures and not marks and not reply.sources:
        why = "No figures and no citations: nothing to cite."
    else:
        why = (f"All {len(with_figures)} claim(s) with figures are cited, every [n] ({len(marks)} distinct) is in "
               f"the Sources list, and all {len(reply.sources)} listed source(s) are loaded rule sources.")
    return code_feedback(NAME, cited * resolving * loaded, why, uncited_claims=len(uncited),
                         dangling_citations=len(dangling), unknown_sources=len(foreign))
