"""Pydantic schemas of the files costcalc reads (profiles, catalog) and the JSON it writes."""

from costcalc.schema.catalog import (
    Catalog,
    ComputeOffer,
    GpuSpec,
    HostedOffer,
    OpenModel,
    ThroughputPoint,
)
from costcalc.schema.profile import Profile, SelfHostedChoice

__all__ = [
    "Catalog",
    "ComputeOffer",
    "GpuSpec",
    "HostedOffer",
    "OpenModel",
    "Profile",
    "SelfHostedChoice",
    "ThroughputPoint",
]
