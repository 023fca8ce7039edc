"""Names a person reads: 'OpenAI gpt-5-nano', 'Llama-3.1-8B-Instruct FP8 on RunPod Serverless'."""

from __future__ import annotations

from collections.abc import Callable

from costcalc.core.analysis.compare import Comparison
from costcalc.core.analysis.options import HostedOption, Option, SelfHostedOption

Namer = Callable[[str], str]


def display_name(option: Option) -> str:
    """A hosted offer as provider and model; a self-hosted option as model, precision, where.

    Example: llama-3.1-8b-instruct:fp8@runpod-serverless/24gb-pro → 'Llama-3.1-8B-Instruct FP8
    on RunPod Serverless 24gb-pro'; with 2 GPUs per replica ', 2 GPUs per replica' follows."""
    if isinstance(option, HostedOption):
        offer = option.cost.offer
        return f"{offer.provider} {offer.model}"
    if isinstance(option, SelfHostedOption):
        cost = option.cost
        model = cost.model.name.rsplit("/", 1)[-1]
        precision = "" if cost.choice.precision == "bf16" else f" {cost.choice.precision.upper()}"
        where = cost.compute.id.split("/", 1)[-1]
        gpus = cost.choice.gpus_per_replica
        per_replica = f", {gpus} GPUs per replica" if gpus > 1 else ""
        return f"{model}{precision} on {cost.compute.provider} {where}{per_replica}"
    return option.id


def namer(c: Comparison) -> Namer:
    """Id → display name for the options of `c` (an id it does not know is kept)."""
    names = {o.id: display_name(o) for o in c.options}
    return lambda option_id: names.get(option_id, option_id)


def same(option_id: str) -> str:
    return option_id
