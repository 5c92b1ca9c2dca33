"""Pulumi resources and policies for IONOS Cloud Container Registry.

    import pulumi_ionoscr as cr
    reg = cr.Registry("main", location="de/fra")
"""

from ._config import ClientSettings, RetryPolicy
from ._exceptions import (
    ApiError,
    ConfigurationError,
    ConflictError,
    IonosCrError,
    NotFoundError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)
from ._registry import GarbageCollectionSchedule, Registry, RegistryArgs, Timeouts
from ._version import __version__

__all__ = [
    "ApiError",
    "ClientSettings",
    "ConfigurationError",
    "ConflictError",
    "GarbageCollectionSchedule",
    "IonosCrError",
    "NotFoundError",
    "Registry",
    "RegistryArgs",
    "RetryPolicy",
    "Timeouts",
    "TransportError",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
]
