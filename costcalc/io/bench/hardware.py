"""What a run ran on: GPU, GPUs per replica, replicas, precision, from flags or file metadata.

No benchmark tool records its hardware reliably (vLLM never does), so flags win; otherwise the
`--metadata` keys people use (`gpu=… tp=… replicas=…`), GuideLLM labels, AIPerf telemetry or
the vLLM CI `GPU` column are read, and a GPU name is mapped onto a catalog GPU id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from costcalc.core.selfhosted.benchrun import Run
from costcalc.errors import UnknownIdError, UserError
from costcalc.schema.catalog import Catalog
from costcalc.schema.profile import Precision

GPU_KEYS = ("gpu", "gpu_type", "gpu_model", "gpu_name", "accelerator", "hardware", "device")
TP_KEYS = ("tp", "tensor_parallel_size", "tensor-parallel-size", "tp_size", "gpus_per_replica")
PP_KEYS = ("pp", "pipeline_parallel_size", "pipeline-parallel-size")
REPLICA_KEYS = ("replicas", "num_replicas", "dp", "data_parallel_size", "decode_replicas")
PRECISION_KEYS = ("precision", "dtype", "quantization")
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


def _meta(run: Run, keys: tuple[str, ...]) -> str | None:
    lowered = {k.lower(): v for k, v in run.metadata.items()}
    return next((lowered[k] for k in keys if lowered.get(k)), None)


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
    tp_text = _meta(run, TP_KEYS)
    pp_text = _meta(run, PP_KEYS)
    replicas = flags.replicas or int(float(_meta(run, REPLICA_KEYS) or 1))
    tp = flags.gpus_per_replica
    if tp is None and tp_text:
        tp = int(float(tp_text)) * int(float(pp_text or 1))
    if tp is None and count > 1:
        tp = count // replicas  # '8x A100' across one replica means tensor parallel 8
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
