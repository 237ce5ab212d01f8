import pytest

from pension_advisor.config import ConfigError, load_settings
from pension_advisor.config.loader import DEFAULT_CONFIG


def test_default_config_validates_and_sets_every_section():
    settings = load_settings(env={})
    assert settings.judge.max_retries == 2 and settings.guardrails.input.max_question_chars == 4000
    # The shipped file spells out every key the schema has, so nothing is configured by accident.
    import yaml
    shipped = yaml.safe_load(DEFAULT_CONFIG.read_text())
    assert shipped == settings.model_dump(mode="json") | {"llm": shipped["llm"], "members": shipped["members"]}


def test_environment_overrides_any_key():
    settings = load_settings(env={"PENSION_ADVISOR__JUDGE__MAX_RETRIES": "5", "PENSION_ADVISOR__LLM__EMBEDDED__N_CTX": "2048"})
    assert settings.judge.max_retries == 5 and settings.llm.embedded.n_ctx == 2048


@pytest.mark.parametrize("content, message", [
    ("judge:\n  max_retrys: 3\n", "judge.max_retrys: unknown key"),
    ("production_monitoring:\n  sampling_rate: 1.5\n", "production_monitoring.sampling_rate: Input should be less than or equal to 1"),
    ("production_monitoring:\n  scorers: [relevance, vibes]\n", "unknown scorer(s) ['vibes']"),
    ("tools:\n  enabled: [au_nonsense]\n", "unknown tool(s) ['au_nonsense']"),
    ("llm:\n  provider: gpt\n", "llm.provider: Input should be 'auto', 'openai_compatible', 'embedded' or 'none'"),
    ("- just a list\n", "the top level must be a mapping"),
    ("judge: [unclosed\n", "not valid YAML"),
])
def test_bad_config_fails_with_key_path(tmp_path, content, message):
    path = tmp_path / "config.yaml"
    path.write_text(content)
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    assert message in str(err.value)


def test_unknown_key_from_environment_is_reported():
    with pytest.raises(ConfigError, match="judge.retries: unknown key"):
        load_settings(env={"PENSION_ADVISOR__JUDGE__RETRIES": "1"})


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.yaml", env={})


def test_custom_scorers_must_be_importable_callables():
    with pytest.raises(ConfigError, match="cannot load 'json:nope'"):
        load_settings(env={"PENSION_ADVISOR__PRODUCTION_MONITORING__CUSTOM_SCORERS": "['json:nope']"})
    with pytest.raises(ConfigError, match="must be 'module:function'"):
        load_settings(env={"PENSION_ADVISOR__PRODUCTION_MONITORING__CUSTOM_SCORERS": "[json]"})
    ok = load_settings(env={"PENSION_ADVISOR__PRODUCTION_MONITORING__CUSTOM_SCORERS": "['json:dumps']"})
    assert ok.production_monitoring.custom_scorers == ["json:dumps"]


@pytest.mark.parametrize("key, raw, where, expected", [
    ("TRACING__EXPERIMENT", "2026", ("tracing", "experiment"), "2026"),      # a year-named experiment stays text
    ("LLM__MODEL", "{x", ("llm", "model"), "{x"),                             # was a YAML parse error with a traceback
    ("LLM__MODEL", "yes", ("llm", "model"), "yes"),                           # was True, then rejected
    ("LLM__BASE_URL", "", ("llm", "base_url"), None),                         # empty unsets an optional text key
    ("JUDGE__MAX_RETRIES", "3", ("judge", "max_retries"), 3),                 # other fields still read YAML
    ("TOOLS__ENABLED", "[au_preservation_age]", ("tools", "enabled"), ["au_preservation_age"]),
])
def test_environment_values_are_typed_by_the_schema_field(key, raw, where, expected):
    settings = load_settings(env={f"PENSION_ADVISOR__{key}": raw})
    section, name = where
    assert getattr(getattr(settings, section), name) == expected


def test_a_malformed_environment_value_for_a_typed_key_is_one_line():
    with pytest.raises(ConfigError) as err:
        load_settings(env={"PENSION_ADVISOR__TOOLS__ENABLED": "[unclosed"})
    assert "PENSION_ADVISOR__TOOLS__ENABLED" in str(err.value) and "\n" not in str(err.value)


def test_unreadable_config_files_are_one_line_errors(tmp_path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("llm:\n  model: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(latin1, env={})
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings(tmp_path, env={})
