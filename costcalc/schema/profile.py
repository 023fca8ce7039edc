"""Traffic profile schema (DESIGN §2.1): what a founder knows about their traffic, with defaults."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from costcalc.schema.base import Share, Strict, Tokens, Usd
from costcalc.schema.choices import Precision as Precision  # re-exported: its home before

Pattern = Literal["flat", "business-hours", "consumer-evening", "custom"]
ModelClass = Literal["small", "large", "frontier"]

ServiceTier = Literal["standard", "priority", "flex"]


class PromptPart(Strict):
    """A prompt part given as a token count, a file (relative to the profile) or inline text."""

    tokens: Tokens | None = Field(default=None, description="token count, if known")
    file: str | None = Field(default=None, description="path relative to the profile file")
    text: str | None = Field(default=None, description="the text itself")

    @model_validator(mode="after")
    def _exactly_one(self) -> PromptPart:
        given = [k for k in ("tokens", "file", "text") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `tokens`, `file` or `text`")
        return self

    @property
    def token_count(self) -> float:
        """The resolved count; the profile loader turns `file`/`text` into `tokens`."""
        if self.tokens is None:
            raise RuntimeError("prompt part not resolved to tokens; load it with costcalc.io")
        return self.tokens


# at least one request in ~3 years (reports give volumes to 0.001 a day), at most 1e10; the
# --requests-per-day flag is held to the same range (io.profiles.check_volume)
MIN_REQUESTS_PER_DAY = 0.001
MAX_REQUESTS_PER_DAY = 1e10


class Traffic(Strict):
    requests_per_day: float | None = Field(
        default=None, ge=MIN_REQUESTS_PER_DAY, le=MAX_REQUESTS_PER_DAY
    )
    conversations_per_day: float | None = Field(
        default=None, ge=MIN_REQUESTS_PER_DAY, le=MAX_REQUESTS_PER_DAY
    )
    pattern: Pattern = "flat"
    hourly_weights: list[Annotated[float, Field(ge=0, le=1e9)]] | None = None
    burst_factor: float = Field(default=1.3, ge=1, le=20, description="peak minute / hourly mean")
    batch_share: Share = Field(
        default=0.0, description="share of requests that can wait for a batch API"
    )

    @model_validator(mode="after")
    def _volume_and_shape(self) -> Traffic:
        if (self.requests_per_day is None) == (self.conversations_per_day is None):
            raise ValueError("give exactly one of `requests_per_day` or `conversations_per_day`")
        if self.pattern == "custom":
            if self.hourly_weights is None or len(self.hourly_weights) != 24:
                raise ValueError(
                    "`pattern: custom` needs `hourly_weights`: 24 numbers, hour 0 first"
                )
            if sum(self.hourly_weights) <= 0:
                raise ValueError("`hourly_weights` must not all be zero")
        elif self.hourly_weights is not None:
            raise ValueError("`hourly_weights` is only read with `pattern: custom`")
        return self


class Retrieval(Strict):
    chunks: int = Field(default=0, ge=0, le=1000)
    tokens_per_chunk: Tokens = 0.0


class Conversation(Strict):
    turns: int = Field(default=1, ge=1, le=10_000)
    history_window: int | Literal["all"] = Field(default="all", description="prior turns carried")

    @model_validator(mode="after")
    def _window(self) -> Conversation:
        if isinstance(self.history_window, int) and self.history_window < 0:
            raise ValueError("`history_window` must be `all` or a whole number ≥ 0")
        return self


class Retries(Strict):
    rate_limited: float = Field(
        default=0.0, ge=0, lt=1, description="share of attempts refused with 429"
    )
    failed: float = Field(default=0.0, ge=0, lt=1, description="share of billed attempts retried")
    max_retries: int = Field(default=0, ge=0, le=20)


class Caching(Strict):
    hit_rate: Share | Literal["auto"] = "auto"
    cache_history: bool = False


class Request(Strict):
    user_tokens: Tokens = 150.0
    output_tokens: Tokens = 300.0
    reasoning_tokens: Tokens | None = Field(
        default=None, description="hidden reasoning tokens per call on reasoning models"
    )
    system_prompt: PromptPart = PromptPart(tokens=0)
    tools: PromptPart = PromptPart(tokens=0)
    retrieval: Retrieval = Retrieval()
    conversation: Conversation = Conversation()
    retries: Retries = Retries()
    caching: Caching = Caching()

    @model_validator(mode="after")
    def _some_tokens(self) -> Request:
        if self.user_tokens + self.output_tokens <= 0:
            raise ValueError("`user_tokens` and `output_tokens` cannot both be 0")
        return self


class Slo(Strict):
    percentile: Literal[50, 90, 95, 99] = 99
    ttft_ms: float = Field(default=2000.0, gt=0, le=3_600_000)
    tpot_ms: float = Field(default=100.0, gt=0, le=60_000)
    service_tier: ServiceTier = "standard"


def _lower(value: Any) -> Any:
    """Catalog ids are lower-case: `runpod/L40S` names runpod/l40s."""
    return value.strip().lower() if isinstance(value, str) else value


CatalogRef = Annotated[str, BeforeValidator(_lower)]


class SelfHostedChoice(Strict):
    model: CatalogRef
    compute: CatalogRef
    gpus_per_replica: int = Field(default=1, ge=1, le=64)
    precision: Precision = "bf16"
    min_replicas: int = Field(
        default=1, ge=0, le=10_000, description="always-on replicas (warm workers)"
    )
    target_utilization: float = Field(default=0.8, gt=0, le=1)
    max_replicas: int | None = Field(default=None, ge=1, le=100_000)
    autoscale_hourly: bool = False
    prefix_caching: bool = True
    lora_adapters: int = Field(default=0, ge=0, le=10_000)
    lora_throughput_factor: float | None = Field(default=None, gt=0, le=1)
    system_prompt_tokens: Tokens | None = None

    @model_validator(mode="after")
    def _bounds_agree(self) -> SelfHostedChoice:
        if self.max_replicas is not None and self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas ({self.min_replicas}) is above max_replicas "
                f"({self.max_replicas}): raise max_replicas or lower min_replicas"
            )
        return self


class Compare(Strict):
    hosted: list[CatalogRef] = []
    self_hosted: list[SelfHostedChoice] = []

    @model_validator(mode="after")
    def _each_once(self) -> Compare:
        """Every option once: reports, budgets and diffs tell options apart by id."""
        for i, offer in enumerate(self.hosted):
            if offer in self.hosted[:i]:
                first = self.hosted.index(offer)
                raise ValueError(f"`hosted` lists {offer} twice (items {first} and {i})")
        ids = [option_id(c) for c in self.self_hosted]
        for i, oid in enumerate(ids):
            if oid in ids[:i]:
                raise ValueError(
                    f"`self_hosted` items {ids.index(oid)} and {i} are both {oid}: options are "
                    "told apart by model, precision, compute and GPUs per replica; compare "
                    "other settings (min_replicas, max_replicas…) in two runs of the profile"
                )
        return self


def option_id(choice: SelfHostedChoice) -> str:
    """`model[:precision]@compute[:tpN]`, e.g. llama-3.3-70b-instruct:fp8@runpod/h100-sxm:tp2."""
    extra = "" if choice.precision == "bf16" else f":{choice.precision}"
    tp = "" if choice.gpus_per_replica == 1 else f":tp{choice.gpus_per_replica}"
    return f"{choice.model}{extra}@{choice.compute}{tp}"


class Overheads(Strict):
    gateway_usd_per_month: Usd = 0.0
    storage_usd_per_month: Usd | None = None
    engineer_hours_per_month: float = Field(default=8.0, ge=0, le=10_000)
    engineer_usd_per_hour: Usd = 100.0
    one_off_usd: Usd = 0.0
    amortization_months: int = Field(default=12, ge=1, le=120)


class Budget(Strict):
    monthly_usd: Usd | None = None
    usd_per_1k_requests: Usd | None = None
    usd_per_mtok: Usd | None = None
    option: CatalogRef | None = None
    options: list[CatalogRef] | None = Field(
        default=None,
        min_length=1,
        description="several options to gate, each on every limit (after `option`, if set)",
    )


class Profile(Strict):
    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=100)
    description: str = ""
    model_class: ModelClass = "small"
    traffic: Traffic
    request: Request = Request()
    slo: Slo = Slo()
    compare: Compare | None = None
    overheads: Overheads = Overheads()
    budget: Budget | None = None

    @property
    def requests_per_day(self) -> float:
        """Model calls per day: a conversation of n turns is n requests."""
        if self.traffic.requests_per_day is not None:
            return self.traffic.requests_per_day
        assert self.traffic.conversations_per_day is not None
        return self.traffic.conversations_per_day * self.request.conversation.turns
