"""Pydantic schemas of the files costcalc reads: traffic profiles and catalog entries."""

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
