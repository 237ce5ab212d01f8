"""The input guardrail as layers: normalise -> rules -> learned detector -> LLM classifier (optional) -> language ->
scope -> PII.

``check(question, cfg, ...)`` returns a :class:`Decision`: allowed or not, the reason code and score that
decided it, the plain-words message for a refusal, the PII-masked question, and one entry per layer
(``layer, allowed, reason_code, score, ms`` plus details) for the ``apply_guardrail`` spans.

Order matters for cost and for meaning: cheap deterministic layers first; the learned detector next; the
(optional, slow) LLM only for what the detector leaves borderline; scope last, so an attack wrapped in
pension words is still called an attack and an off-topic question is declined politely, never labelled an
attack; a question in another language gets the honest English-only decline, never "out of scope"; PII masking
(privacy.mask with the asking member's context) runs on what is allowed: the only text any model or trace sees.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from pension_advisor import privacy

from . import detector, language, rules
from .scope import names_the_subject
from .normalise import normalise

REFUSALS = {
    "empty": "Please type a question about your retirement or pension.",
    "too_long": "Your question is too long ({n} characters; the limit is {limit}). Please shorten it.",
    "prompt_injection": "I can't follow instructions that try to change how I work. Please ask your pension question directly.",
    "jailbreak": "I can't take on a different role or drop my safeguards. I'm happy to help with your retirement "
                 "or pension question if you ask it directly.",
    "system_prompt_extraction": "I can't share how I'm set up internally. I can help with questions about your "
                                "retirement or pension.",
    "other_member_data": "I can only discuss your own record, not other members' details.",
    "abusive_language": "I'm here to help, but I can't respond to abusive language. Please rephrase your question.",
    "obfuscated_input": "Your message contains encoded or hidden text, which I can't accept. Please write your "
                        "question in plain words.",
    "suspected_attack": "That message looks like an attempt to change how I work, so I can't answer it. If that "
                        "wasn't your intention, please ask your pension question in your own words.",
    "out_of_scope": "I can help with retirement and pension questions, such as when you can access your savings, "
                    "contribution limits or pension amounts. Please ask about one of those.",
    "unsupported_language": "I can only answer in English for now; please ask again in English.",
}
NON_ENGLISH_SHARE = 0.3

# View kinds that are obfuscation in themselves (members do not write base64 or Morse to a pension adviser).
OBFUSCATION_VIEWS = {"base64", "base32", "hex", "ascii85", "uuencode", "morse", "braille", "nato", "rot13", "atbash",
                     "reversed", "reversed_words", "tag_chars", "variation_selectors", "invisible_binary"}
ATTACK_CODES = {"prompt_injection", "jailbreak", "system_prompt_extraction", "other_member_data", "abusive_language",
                "obfuscated_input", "suspected_attack"}
_LEET_WORD = re.compile(r"\b(?=\w*[A-Za-z])(?=\w*\d)\w+\b")
# Letter-digit words members do write: 401k, 403b, FY24, Q4, 2nd, 31st, AB123456C (an NI number), ABCDE1234F (PAN).
_NOT_LEET = re.compile(r"\d+[A-Za-z]|[A-Za-z]{1,3}\d+|\d*(?:1st|2nd|3rd|[04-9]th|1[1-3]th)|[A-Z]{2}\d{6}[A-D]|[A-Z]{5}\d{4}[A-Z]", re.I)
_HARD_CAP = 20_000  # beyond this a question is refused as too long without being read


@dataclass
class Decision:
    allowed: bool
    reason_code: str | None = None
    score: float = 0.0
    message: str | None = None
    safe_question: str = ""
    redactions: list[str] = field(default_factory=list)
    layers: list[dict[str, Any]] = field(default_factory=list)
    detail: str | None = None


class _Layers:
    def __init__(self):
        self.entries: list[dict[str, Any]] = []

    def run(self, layer: str, fn: Callable[[], tuple[bool, str | None, float, dict]]):
        start_ns, started = time.time_ns(), time.perf_counter()
        allowed, code, score, extra = fn()
        elapsed = time.perf_counter() - started
        entry = {"layer": layer, "allowed": allowed, "reason_code": code, "score": round(float(score), 4),
                 "ms": round(elapsed * 1000, 3), "start_ns": start_ns, "end_ns": start_ns + int(elapsed * 1e9), **extra}
        self.entries.append(entry)
        return entry


def _leet_heavy(text: str) -> bool:
    words = re.findall(r"\b\w+\b", text)
    leet = [w for w in _LEET_WORD.findall(text) if not _NOT_LEET.fullmatch(w)]
    return len(leet) >= 2 and len(leet) / max(1, len(words)) >= 0.25


def check(question: str, cfg, *, member_id: str | None = None, llm: Callable[[str], tuple[bool, float, dict]] | None = None,
          use_ner: bool | None = None, mask_context: privacy.MaskContext | None = None) -> Decision:
    """Run every enabled layer on ``question``. ``cfg`` is settings.guardrails.input; ``mask_context`` is how the
    question is masked before a model sees it (privacy.question_context: the asking member's own name, birth date
    and id; without it, only what NER and the regex floor find, and member ids become <MEMBER_ID>)."""
    layers = _Layers()
    ctx = mask_context or privacy.MaskContext()
    cheap = dataclasses.replace(ctx, ner=False)

    def refuse(code: str, score: float, detail: str | None = None, **fmt) -> Decision:
        # Nothing that is refused goes anywhere but the trace: mask it with the cheap regex floor for that.
        masked = privacy.mask(question[:_HARD_CAP], cheap)
        privacy.REGISTRY.remember(question, masked.text, masked.found)
        return Decision(False, code, round(float(score), 4), REFUSALS[code].format(**fmt), "", masked.kinds,
                        layers.entries, detail)

    if not question.strip():
        return refuse("empty", 1.0)
    if len(question) > _HARD_CAP:
        return refuse("too_long", 1.0, n=len(question), limit=cfg.max_question_chars)

    # Layer 1: normalisation.
    norm = None

    def layer_normalise():
        nonlocal norm
        norm = normalise(question) if cfg.decode_obfuscation else _plain(question)
        hidden = [k for k in norm.encoded if k.split("+")[0] in OBFUSCATION_VIEWS]
        leet = _leet_heavy(norm.inspect)
        suspicious = bool(hidden) or leet
        extra = {"flags": list(norm.flags) + (["leetspeak_heavy"] if leet else []), "views": len(norm.views)}
        if suspicious and cfg.block_obfuscated:
            return False, "obfuscated_input", 1.0, extra
        return True, None, 1.0 if suspicious else 0.0, extra

    entry = layers.run("normalise", layer_normalise)
    texts = norm.texts()
    own_id = member_id or "\0"

    # Layer 2: rules (checked on the normalised text and every decoded view, before obfuscation is judged,
    # so a base64 "ignore previous instructions" is reported as the injection it is).
    def layer_rules():
        for code, patterns in rules.CATEGORIES.items():
            if code == "other_member_data" and not cfg.block_other_member_data:
                continue
            if code == "abusive_language" and not cfg.block_profanity:
                continue
            if code == "obfuscated_input" and not cfg.block_obfuscated:
                continue
            if code in {"prompt_injection", "jailbreak", "system_prompt_extraction"} and not cfg.block_injection:
                continue
            for text in texts:
                probe = text.replace(own_id, " ") if code == "other_member_data" else text
                if hit := rules.first_match(patterns, probe):
                    return False, code, 1.0, {"match": hit[:80]}
        if cfg.block_injection and len(norm.inspect) >= rules.LONG_ROLEPLAY_CHARS:
            if hit := rules.first_match(rules.ROLEPLAY_SETUP, norm.inspect):
                return False, "jailbreak", 1.0, {"match": hit[:80], "rule": "long_roleplay_setup"}
        return True, None, 0.0, {}

    rules_entry = layers.run("rules", layer_rules)
    if not rules_entry["allowed"]:
        return refuse(rules_entry["reason_code"], 1.0, rules_entry.get("match"))
    if not entry["allowed"]:
        return refuse("obfuscated_input", 1.0, ",".join(entry["flags"]))

    # Layer 3: learned detector.
    attack_p, domain_p = 0.0, None
    if cfg.detector:
        threshold = cfg.detector_threshold if cfg.detector_threshold is not None else detector.model().threshold

        def layer_detector():
            nonlocal attack_p, domain_p
            attack_p, domain_p = detector.scores(texts)
            return attack_p < threshold, None if attack_p < threshold else "suspected_attack", attack_p, \
                {"threshold": threshold}

        det = layers.run("detector", layer_detector)
        if not det["allowed"]:
            return refuse("suspected_attack", attack_p)

    # Layer 4 (optional): the configured LLM as a classifier, for borderline cases or every question.
    if llm is not None and cfg.llm_classifier != "off" and (
            cfg.llm_classifier == "always" or attack_p >= cfg.llm_borderline_min):
        masked_for_llm = privacy.mask(norm.clean, cheap).text

        def layer_llm():
            is_attack, score, extra = llm(masked_for_llm)
            return not is_attack, "suspected_attack" if is_attack else None, score, extra

        llm_entry = layers.run("llm_classifier", layer_llm)
        if not llm_entry["allowed"]:
            return refuse("suspected_attack", llm_entry["score"])

    # Language, then scope: polite declines, never an attack label.
    if cfg.block_out_of_scope:
        def layer_language():
            foreign = language.foreign_share(norm.clean)
            return foreign < NON_ENGLISH_SHARE, None if foreign < NON_ENGLISH_SHARE else "unsupported_language", \
                foreign, {}

        lang = layers.run("language", layer_language)
        if not lang["allowed"]:
            return refuse("unsupported_language", lang["score"])

        def layer_scope():
            strong = rules.first_match(rules.STRONG_DOMAIN_WORDS, norm.inspect) or names_the_subject(norm.inspect)
            weak = rules.first_match(rules.DOMAIN_WORDS, norm.inspect)
            p = domain_p if domain_p is not None else (1.0 if weak else 0.0)
            in_domain = bool(strong) or (bool(weak) and p >= 0.2) or p >= 0.8
            return in_domain, None if in_domain else "out_of_scope", p, {"keyword": strong or weak}

        scope = layers.run("scope", layer_scope)
        if not scope["allowed"]:
            return refuse(scope["reason_code"], scope["score"])

    if len(question) > cfg.max_question_chars:
        return refuse("too_long", 1.0, n=len(question), limit=cfg.max_question_chars)

    # PII: mask, never block. Presidio NER only here, on text that is about to reach a model.
    safe, kinds = norm.clean, []
    if cfg.redact_pii:
        ner = (cfg.pii_engine == "presidio") if use_ner is None else use_ner

        def layer_pii():
            nonlocal safe, kinds
            found = privacy.mask(norm.clean, dataclasses.replace(ctx, ner=ner))
            safe, kinds = found.text, found.kinds
            privacy.REGISTRY.remember(question, safe, found.found)
            return True, None, 1.0 if kinds else 0.0, {"entities": kinds, "engine": "presidio" if ner else "regex"}

        layers.run("pii", layer_pii)
        # A name recognised by NER followed by "'s balance" is someone else's data.
        if cfg.block_other_member_data and (hit := rules.first_match(rules.NAMED_PERSON_DATA, safe)):
            layers.entries[-1].update(allowed=False, reason_code="other_member_data", match=hit[:80])
            return refuse("other_member_data", 1.0, hit)
    else:
        privacy.REGISTRY.remember(question, safe, [])
    return Decision(True, None, round(attack_p, 4), None, safe, kinds, layers.entries)


def _plain(question: str):
    """Normalisation without decoding (decode_obfuscation: false): NFKC and invisible characters only."""
    from .normalise import Normalised

    full = normalise(question)
    return Normalised(clean=full.clean, inspect=full.inspect, views=(), flags=tuple(
        f for f in full.flags if f in {"invisible_chars", "homoglyphs", "combining_marks"}))
