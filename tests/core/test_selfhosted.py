"""A self-hosted option end to end: capacity source, LoRA, memory fit, billing, fixed costs."""

from __future__ import annotations

import numpy as np
import pytest

from costcalc.core.analysis.options import cold_starts_break_slo, price_self_hosted
from costcalc.core.demand.inputs import row_inputs
from costcalc.core.selfhosted.pricing import (
    SelfHostedPricing,
    Skipped,
    option_id,
    self_hosted_pricing,
)
from costcalc.core.selfhosted.serving import ServingParams
from costcalc.core.selfhosted.servingcapacity import calibrate
from costcalc.schema.catalog import GpuSpec
from costcalc.schema.profile import SelfHostedChoice, Slo
from tests.conftest import GPU, MODEL, compute_offer, make_catalog, make_profile, point

FAST_POINT = point(
    input_tokens=100, output_tokens=100, request_throughput=10.0, ttft_ms_p99=200, tpot_ms_p99=20
)


def build(choice: SelfHostedChoice, profile=None, catalog=None) -> SelfHostedPricing | Skipped:  # type: ignore[no-untyped-def]
    catalog = catalog or make_catalog(points=[FAST_POINT])
    profile = profile or make_profile()
    cal = calibrate(ServingParams(), catalog.points, catalog.gpus, catalog.models)
    return self_hosted_pricing(choice, profile, catalog, cal, row_inputs(profile, {}, 1))


def test_option_ids_name_precision_and_tensor_parallel_size() -> None:
    assert option_id(SelfHostedChoice(model="m", compute="p/x")) == "m@p/x"
    assert (
        option_id(SelfHostedChoice(model="m", compute="p/x", precision="fp8", gpus_per_replica=2))
        == "m:fp8@p/x:tp2"
    )


def test_worked_example_bills_what_the_serving_model_says_a_replica_serves() -> None:
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu"))
    assert isinstance(built, SelfHostedPricing)
    assert built.source == "model" and built.capacity.calibration == "own points"
    s = built.seconds_per_attempt  # replica-seconds per request under the SLO
    assert 0 < s < 1
    # 86,400/day flat = 1 req/s; β 1.3 × 1 × s busy → 1.3 s / 0.8 < 1 → 1 replica
    bill = built.bill(np.array([86_400.0]))
    assert bill.replicas_peak[0] == 1
    assert bill.usd_per_month[0] == pytest.approx(2.0 * 730)
    # labor 8 h × $100 (defaults), no gateway, no storage price for this provider
    assert (
        built.fixed.total_usd_per_month == pytest.approx(800.0)
        and built.fixed.without_labor_usd_per_month == 0.0
    )
    assert built.monthly_usd(np.array([86_400.0]))[0] == pytest.approx(1460 + 800)
    # the replica count steps up at k × 0.8 × 3600 / (1.3 × s × 1/24) requests/day
    assert built.steps(1.0, 1e8, 10)[0, 0] == pytest.approx(0.8 * 3600 / (1.3 * s / 24))


def test_lora_adapters_cost_throughput() -> None:
    plain = build(SelfHostedChoice(model="m8b", compute="test/gpu"))
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu", lora_adapters=3))
    assert isinstance(plain, SelfHostedPricing) and isinstance(built, SelfHostedPricing)
    # stated default factor 0.8: each request takes 1 / 0.8 = 1.25 times the replica-seconds
    assert built.seconds_per_attempt == pytest.approx(plain.seconds_per_attempt / 0.8)
    tuned = build(
        SelfHostedChoice(
            model="m8b", compute="test/gpu", lora_adapters=3, lora_throughput_factor=0.5
        )
    )
    assert isinstance(tuned, SelfHostedPricing)
    assert tuned.seconds_per_attempt == pytest.approx(2 * plain.seconds_per_attempt)


def test_storage_defaults_to_weights_at_the_volume_price() -> None:
    catalog = make_catalog(
        compute=[compute_offer(storage_usd_per_gb_month=0.07)], points=[FAST_POINT]
    )
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu"), catalog=catalog)
    assert isinstance(built, SelfHostedPricing)
    # 8e9 parameters × 2 bytes = 16 GB × $0.07 = $1.12 per month
    assert built.fixed.storage_usd_per_month == pytest.approx(1.12)


def test_prefix_caching_removes_the_shared_prompt_from_prefill() -> None:
    profile = make_profile(request={"system_prompt": {"tokens": 900}})
    on = build(SelfHostedChoice(model="m8b", compute="test/gpu"), profile=profile)
    off = build(
        SelfHostedChoice(model="m8b", compute="test/gpu", prefix_caching=False), profile=profile
    )
    assert isinstance(on, SelfHostedPricing) and isinstance(off, SelfHostedPricing)
    # the same 1,000 input tokens sit in the KV cache, but with caching only 100 are prefilled
    assert on.capacity.mix.prefill_tokens < off.capacity.mix.prefill_tokens
    assert off.seconds_per_attempt > on.seconds_per_attempt


def test_built_in_calibration_when_no_benchmark_exists() -> None:
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu"), catalog=make_catalog())
    assert isinstance(built, SelfHostedPricing)
    assert built.source == "model" and built.capacity.calibration == "built-in"
    assert any("built-in calibration" in n for n in built.notes)


def test_an_option_that_misses_the_slo_at_any_load_is_not_priced() -> None:
    # a 300 GB/s card reads 16 GB of weights in 16e9 / (300e9 × 0.7) = 76 ms a step, so one
    # request at a time already has a TPOT over a 50 ms SLO: the option is left out, with why
    slow = GpuSpec(id="g1", name="Slow 80GB", memory_gb=80, bandwidth_gbs=300, bf16_tflops=60,
                   source="t")  # fmt: skip
    catalog = make_catalog()
    catalog.gpus["g1"] = slow
    profile = make_profile(slo={"tpot_ms": 50})
    skipped = build(SelfHostedChoice(model="m8b", compute="test/gpu"), profile, catalog)
    assert isinstance(skipped, Skipped)
    assert skipped.reason.startswith("cannot meet the SLO at any load")
    assert "TPOT ≈" in skipped.reason and "(SLO 50)" in skipped.reason


def test_models_that_do_not_fit_are_skipped_with_the_reason() -> None:
    small = GpuSpec(
        id="g1", name="Tiny 16GB", memory_gb=16, bandwidth_gbs=300, bf16_tflops=60, source="t"
    )
    catalog = make_catalog()
    catalog.gpus["g1"] = small
    skipped = build(SelfHostedChoice(model="m8b", compute="test/gpu"), catalog=catalog)
    assert isinstance(skipped, Skipped) and skipped.reason.startswith(
        "does not fit: 16.0 GB of weights"
    )
    too_wide = build(SelfHostedChoice(model="m8b", compute="test/gpu", gpus_per_replica=2))
    assert isinstance(too_wide, Skipped) and "an instance has 1" in too_wide.reason


def test_per_gpu_rentals_size_the_instance_to_the_replica() -> None:
    catalog = make_catalog(compute=[compute_offer(usd_per_hour=None, usd_per_gpu_hour=1.5, gpus=8)])
    built = build(
        SelfHostedChoice(model="m8b", compute="test/gpu", gpus_per_replica=2), catalog=catalog
    )
    assert isinstance(built, SelfHostedPricing)
    # one replica of 2 GPUs at $1.50 each, all month
    assert built.bill(np.array([1000.0])).usd_per_month[0] == pytest.approx(2 * 1.5 * 730)


def test_cold_starts_fail_the_slo_when_the_percentile_cannot_hide_them() -> None:
    p99 = Slo(percentile=99, ttft_ms=2000)
    assert cold_starts_break_slo(0.02, 15.0, p99)  # 2 % of requests wait 15 s
    assert not cold_starts_break_slo(0.005, 15.0, p99)  # 0.5 % fit in the spared 1 %
    assert not cold_starts_break_slo(0.5, 1.0, p99)  # a 1 s start is within the 2 s TTFT


def test_priced_option_reports_scale_to_zero_cold_starts() -> None:
    catalog = make_catalog(
        compute=[
            compute_offer(
                billing="serverless",
                usd_per_hour=None,
                usd_per_second_flex=0.0002,
                cold_start_s=15,
                idle_timeout_s=5,
            )
        ],
        points=[FAST_POINT],
    )
    profile = make_profile(traffic={"requests_per_day": 200})
    built = build(
        SelfHostedChoice(model="m8b", compute="test/gpu", min_replicas=0), profile, catalog
    )
    assert isinstance(built, SelfHostedPricing)
    option = price_self_hosted(built, 200, 200, profile.slo)
    assert "scales to zero" in option.notes
    assert option.cold_starts_per_day > 100 and not option.eligible
    assert "cold starts break the TTFT SLO" in option.notes
    assert MODEL.id == "m8b" and GPU.id == "g1"


def _mix() -> tuple[float, float]:
    """The default profile's mix as a replica sees it: (input tokens, output tokens)."""
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu"), make_profile(),
                  make_catalog())  # fmt: skip
    assert isinstance(built, SelfHostedPricing)
    return built.capacity.mix.input_tokens, built.capacity.mix.output_tokens


def test_a_run_at_the_mix_that_meets_the_slo_overrules_the_model() -> None:
    # the slow card of the test above misses a 50 ms TPOT by the model; a measured run at
    # the profile's own mix that meets it decides instead
    slow = GpuSpec(id="g1", name="Slow 80GB", memory_gb=80, bandwidth_gbs=300, bf16_tflops=60,
                   source="t")  # fmt: skip
    i, o = _mix()
    ran = point(input_tokens=i, output_tokens=o, concurrency=2, request_throughput=0.5,
                ttft_ms_p99=100, tpot_ms_p99=45)  # fmt: skip
    catalog = make_catalog(points=[ran])
    catalog.gpus["g1"] = slow
    profile = make_profile(slo={"tpot_ms": 50})
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu"), profile, catalog)
    assert isinstance(built, SelfHostedPricing)
    assert built.source == "benchmark" and built.replica_requests_per_s == pytest.approx(0.5)


def test_a_measured_miss_caps_the_model_instead_of_ruling_the_option_out() -> None:
    # the only run at the mix misses the SLO; lighter loads were never run, so the model's
    # capacity is used, kept below that run's 0.5 req/s
    i, o = _mix()
    ran = point(input_tokens=i, output_tokens=o, concurrency=64, request_throughput=0.5,
                ttft_ms_p99=100, tpot_ms_p99=900)  # fmt: skip
    profile = make_profile(slo={"tpot_ms": 50})
    built = build(
        SelfHostedChoice(model="m8b", compute="test/gpu"), profile, make_catalog(points=[ran])
    )
    assert isinstance(built, SelfHostedPricing)
    assert built.replica_requests_per_s <= 0.5
    assert any("a lighter load, from the serving model" in n for n in built.notes)


def test_a_one_token_answer_has_no_tpot_to_miss() -> None:
    profile = make_profile(request={"output_tokens": 1}, slo={"tpot_ms": 1})
    built = build(SelfHostedChoice(model="m8b", compute="test/gpu"), profile)
    assert isinstance(built, SelfHostedPricing)


def test_a_request_past_the_context_window_is_not_served() -> None:
    # 9,000 input + 300 output tokens against an 8,192-token window: no load serves it
    catalog = make_catalog()
    catalog.models["m8b"] = catalog.models["m8b"].model_copy(update={"context_window": 8192})
    profile = make_profile(request={"user_tokens": 9000})
    skipped = build(SelfHostedChoice(model="m8b", compute="test/gpu"), profile, catalog)
    assert isinstance(skipped, Skipped)
    assert skipped.reason.startswith("exceeds the model's context window")
    assert "past its 8,192" in skipped.reason
