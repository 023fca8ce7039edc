"""What a run ran on: GPU, GPUs per replica, replicas, precision, from flags or file metadata.

No benchmark tool records its hardware reliably (vLLM never does), so flags win; otherwise the
`--metadata` keys people use (`gpu=… tp=… replicas=…`), GuideLLM labels, AIPerf telemetry or
the vLLM CI `GPU` column are read, and a GPU name is mapped onto a catalog GPU id.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from costcalc.core.selfhosted.benchrun import Run
from costcalc.errors import InputFileError, UnknownIdError, UserError
from costcalc.io.bench.common import number
from costcalc.schema.catalog import Catalog
from costcalc.schema.profile import Precision

GPU_KEYS = ("gpu", "gpu_type", "gpu_model", "gpu_name", "accelerator", "hardware", "device")
TP_KEYS = ("tp", "tensor_parallel_size", "tensor-parallel-size", "tp_size", "gpus_per_replica")
PP_KEYS = ("pp", "pipeline_parallel_size", "pipeline-parallel-size")
REPLICA_KEYS = ("replicas", "num_replicas", "dp", "data_parallel_size", "decode_replicas")
PRECISION_KEYS = ("precision", "dtype", "quantization")
MAX_GPUS_PER_REPLICA = 64  # as a catalog point and --gpus-per-replica allow
MAX_REPLICAS = 10_000  # as --replicas allows
# Cloud instance types seen in benchmark metadata: (GPU id, GPUs per instance).
INSTANCES = {
    "nd96asr": ("a100-sxm-40gb", 8),  # Azure Standard_ND96asr_v4
    "nd96amsr": ("a100-sxm-80gb", 8),  # Azure Standard_ND96amsr_A100_v4
    "nd96isr-h100": ("h100-sxm", 8),  # Azure Standard_ND96isr_H100_v5
}


@dataclass(frozen=True)
class HardwareFlags:
    gpu: str | None = None
    gpus_per_replica: int | None = None
    replicas: int | None = None
    precision: Precision | None = None


@dataclass(frozen=True)
class Hardware:
    gpu: str
    gpus_per_replica: int
    replicas: int
    precision: Precision
    notes: list[str] = field(default_factory=list)


def _meta_item(run: Run, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """(key as the file spells it, value) of the first of `keys` the run's metadata holds."""
    lowered = {k.lower(): (k, v) for k, v in run.metadata.items()}
    return next((lowered[k] for k in keys if lowered.get(k, ("", ""))[1]), None)


def _meta(run: Run, keys: tuple[str, ...]) -> str | None:
    item = _meta_item(run, keys)
    return None if item is None else item[1]


def _whole(run: Run, keys: tuple[str, ...], what: str, high: int) -> int | None:
    """A GPU or replica count from the metadata (`tp=2`, `replicas=2.0`), or None when absent;
    refused naming its key when it is no whole number from 1 to `high`."""
    item = _meta_item(run, keys)
    if item is None:
        return None
    key, text = item
    value = number(text)
    if (
        value is None
        or not math.isfinite(value)
        or not value.is_integer()
        or not 1 <= value <= high
    ):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InputFileError(
            run.source, f"must be a whole number of {what} from 1 to {high}, not {shown!r}", key
        )
    return int(value)


def gpu_from_name(name: str, catalog: Catalog) -> tuple[str | None, int, str | None]:
    """(catalog GPU id or None, GPU count in the name, note) for names such as 'H100',
    'NVIDIA A100-SXM4-40GB', '4xNVIDIA_L40S', '1xStandard_ND96asr_v4 x 1' or 'p4d.24xlarge'."""
    text = re.sub(r"[\s_]+", "-", name.strip().lower())
    if text in catalog.gpus:
        return text, 1, None
    count_match = re.match(r"^(\d+)x-?", text)
    count = int(count_match.group(1)) if count_match else 1
    for key, (gpu, per_instance) in INSTANCES.items():
        if key in text:
            return gpu, count * per_instance, f"{name} read as {per_instance}× {gpu} per instance"
    for offer in catalog.compute.values():
        instance = offer.id.split("/")[1]
        if offer.usd_per_hour is not None and instance in text:
            return offer.gpu, count * offer.gpus, f"{name} read as {offer.gpus}× {offer.gpu}"
    rules = [
        ("h100", "h100-pcie" if "pcie" in text else "h100-sxm"),
        ("h200", "h200"), ("b200", "b200"), ("l40s", "l40s"), ("4090", "rtx-4090"),
        ("a40", "a40"), ("t4", "t4"),
    ]  # fmt: skip
    if "a100" in text:
        variant = (
            "a100-sxm-40gb"
            if "40g" in text
            else ("a100-pcie-80gb" if "pcie" in text else "a100-sxm-80gb")
        )
        rules.insert(0, ("a100", variant))
    if re.search(r"(^|-)l4($|-)", text):
        rules.append(("l4", "l4"))
    if re.search(r"(^|-)a10($|-)", text):
        rules.append(("a10", "a10"))
    for token, gpu in rules:
        if token in text:
            assumed = gpu.endswith(("sxm", "sxm-80gb")) and "sxm" not in text and "hbm3" not in text
            return gpu, count, f"{name}: variant not stated, {gpu} assumed" if assumed else None
    return None, count, None


def resolve(run: Run, flags: HardwareFlags, catalog: Catalog) -> Hardware:
    """Hardware of a run; refuses, naming the missing flags, when neither flags nor file say."""
    notes: list[str] = []
    name = flags.gpu or _meta(run, GPU_KEYS)
    gpu: str | None = None
    count = 1
    if name:
        gpu, count, note = gpu_from_name(name, catalog)
        if note:
            notes.append(note)
        if gpu is None or gpu not in catalog.gpus:
            raise UnknownIdError(
                "GPU", name, catalog.gpus, f"{run.source}: hardware",
                "Give --gpu ID, or add the GPU to gpus.yaml in a --catalog directory.",
            )  # fmt: skip
    replicas = flags.replicas or _whole(run, REPLICA_KEYS, "replicas", MAX_REPLICAS) or 1
    tp = flags.gpus_per_replica
    if tp is None:
        tensor = _whole(run, TP_KEYS, "GPUs", MAX_GPUS_PER_REPLICA)
        if tensor is not None:
            tp = tensor * (_whole(run, PP_KEYS, "pipeline stages", MAX_GPUS_PER_REPLICA) or 1)
    if tp is None and count > 1:
        tp = count // replicas  # '8x A100' across one replica means tensor parallel 8
        if tp == 0:
            raise UserError(
                f"{run.source}: {count} GPUs ({name}) cannot make {replicas} replicas; "
                "give --gpus-per-replica and --replicas"
            )
    missing = [
        flag for flag, value in (("--gpu", gpu), ("--gpus-per-replica", tp)) if value is None
    ]
    if missing:
        raise UserError(
            f"{run.source}: the file does not say what it ran on; give {' and '.join(missing)} "
            f"(and --replicas when the run spread over several servers)"
        )
    assert gpu is not None and tp is not None
    precision = flags.precision or _precision(run, notes)
    return Hardware(gpu, tp, replicas, precision, notes)


def _precision(run: Run, notes: list[str]) -> Precision:
    text = (_meta(run, PRECISION_KEYS) or "") + " " + (run.model_name or "")
    lowered = text.lower()
    if "fp8" in lowered:
        return "fp8"
    if any(q in lowered for q in ("awq", "gptq", "int4", "w4a16")):
        return "int4"
    if not _meta(run, PRECISION_KEYS):
        notes.append("precision not recorded: bf16 assumed (use --precision)")
    return "bf16"
