"""Profile loading: defaults, prompt files, and an exact message for every kind of bad input."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.errors import InputFileError, UserError
from costcalc.io.profiles import load_profile
from tests.conftest import BASE_PROFILE, merge


def write_profile(tmp_path: Path, data: dict[str, Any] | str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data)
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, **sections: Any) -> Any:
    return load_profile(write_profile(tmp_path, merge(BASE_PROFILE, sections)))


def error(tmp_path: Path, **sections: Any) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        load(tmp_path, **sections)
    return info.value


def test_minimal_profile_gets_documented_defaults(tmp_path: Path) -> None:
    path = write_profile(tmp_path, {"name": "tiny", "traffic": {"requests_per_day": 1000}})
    loaded = load_profile(path)
    p = loaded.profile
    assert p.traffic.pattern == "flat" and p.traffic.burst_factor == 1.3
    assert p.request.user_tokens == 150 and p.request.output_tokens == 300
    assert p.slo.percentile == 99 and p.compare is None
    assert "request.output_tokens=300" in loaded.defaults_used
    assert "slo.tpot_ms=100" in loaded.defaults_used


def test_conversations_per_day_multiply_by_turns(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        traffic={"requests_per_day": None, "conversations_per_day": 500},
        request={"conversation": {"turns": 4}},
    )
    assert loaded.profile.requests_per_day == 2000


def test_unknown_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    e = error(tmp_path, traffic={"requests_per_dya": 5})
    assert e.field == "traffic.requests_per_dya"
    assert "unknown key; did you mean `requests_per_day`?" in e.problem


def test_nested_unknown_key_names_the_full_path(tmp_path: Path) -> None:
    e = error(tmp_path, request={"retries": {"max_retry": 2}})
    assert e.field == "request.retries.max_retry"
    assert "did you mean `max_retries`" in e.problem


def test_negative_and_absurd_values(tmp_path: Path) -> None:
    e = error(tmp_path, traffic={"requests_per_day": -5})
    assert (
        e.field == "traffic.requests_per_day"
        and "greater than or equal to 0.001" in e.problem
        and "-5" in str(e)
    )
    e = error(tmp_path, request={"retries": {"failed": 1.5}})
    assert e.field == "request.retries.failed" and "less than 1" in e.problem
    e = error(tmp_path, traffic={"batch_share": 2})
    assert e.field == "traffic.batch_share" and "less than or equal to 1" in e.problem


def test_nan_and_infinity_are_refused(tmp_path: Path) -> None:
    e = error(tmp_path, request={"user_tokens": math.nan})
    assert e.field == "request.user_tokens" and "finite" in e.problem
    e = error(tmp_path, traffic={"burst_factor": math.inf})
    assert e.field == "traffic.burst_factor"


def test_hit_rate_accepts_a_share_or_auto(tmp_path: Path) -> None:
    assert (
        load(tmp_path, request={"caching": {"hit_rate": 0.4}}).profile.request.caching.hit_rate
        == 0.4
    )
    e = error(tmp_path, request={"caching": {"hit_rate": "sometimes"}})
    assert e.field == "request.caching.hit_rate"
    assert "'auto'" in e.problem


def test_a_month_of_tokens_that_overflows_is_refused(tmp_path: Path) -> None:
    e = error(
        tmp_path,
        traffic={"requests_per_day": 1e10},
        request={"user_tokens": 5e6, "conversation": {"turns": 1000}},
    )
    assert e.field == "traffic.requests_per_day" and "billed tokens per month" in e.problem


def test_exactly_one_volume_and_prompt_form(tmp_path: Path) -> None:
    e = error(tmp_path, traffic={"conversations_per_day": 5})
    assert "exactly one of `requests_per_day` or `conversations_per_day`" in e.problem
    e = error(tmp_path, request={"system_prompt": {"tokens": 5, "text": "hi"}})
    assert e.field == "request.system_prompt" and "exactly one of" in e.problem


def test_custom_pattern_needs_24_weights(tmp_path: Path) -> None:
    e = error(tmp_path, traffic={"pattern": "custom", "hourly_weights": [1, 2, 3]})
    assert "24 numbers" in e.problem
    e = error(tmp_path, traffic={"pattern": "flat", "hourly_weights": [1] * 24})
    assert "only read with `pattern: custom`" in e.problem


def test_several_problems_are_listed_together(tmp_path: Path) -> None:
    e = error(tmp_path, slo={"ttft_ms": -1, "tpot_ms": "fast"})
    assert "2 problems" in e.problem
    assert "`slo.ttft_ms`" in e.problem and "`slo.tpot_ms`" in e.problem


def test_unsupported_schema_version(tmp_path: Path) -> None:
    e = error(tmp_path, schema_version=2)
    assert e.field == "schema_version" and "this costcalc reads 1" in e.problem


def test_prompt_file_relative_to_the_profile(tmp_path: Path) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / "system.md").write_text("a" * 400, encoding="utf-8")
    loaded = load(tmp_path, request={"system_prompt": {"file": "prompts/system.md"}})
    tokens = loaded.profile.request.system_prompt.tokens
    assert tokens is not None and tokens > 0
    assert "from prompts/system.md" in loaded.token_sources["system_prompt"]


def test_missing_prompt_file(tmp_path: Path) -> None:
    e = error(tmp_path, request={"tools": {"file": "tools.json"}})
    assert e.field == "request.tools.file" and "not found" in e.problem


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_any_yaml_is_a_profile_or_a_user_error(tmp_path: Path, data: Any) -> None:
    """Whatever the file holds, loading never fails with anything but a user error."""
    base = merge(BASE_PROFILE, {}) if not isinstance(data, dict) else merge(BASE_PROFILE, data)
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(base if isinstance(data, dict) else data), encoding="utf-8")
    with contextlib.suppress(UserError):
        load_profile(path)
