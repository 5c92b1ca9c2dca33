"""Pulumi resources and policies for IONOS Cloud Container Registry.

Usage: ``cr.Registry("main", location="de/fra")`` after ``import pulumi_ionoscr as cr``.
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
from ._lookups import (
    RegistryInfo,
    RepositoryInfo,
    get_locations,
    get_locations_output,
    get_registry,
    get_registry_output,
    get_repositories,
    get_repositories_output,
    is_name_available,
    is_name_available_output,
)
from ._registry import (
    GarbageCollectionSchedule,
    GarbageCollectionScheduleDict,
    GarbageCollectionScheduleOutput,
    Registry,
    RegistryArgs,
    RegistryArgsDict,
    Timeouts,
    TimeoutsDict,
)
from ._repository import Repository, RepositoryArgs, RepositoryArgsDict
from ._token import (
    RegistryToken,
    RegistryTokenArgs,
    RegistryTokenArgsDict,
    ScopeAction,
    TokenScope,
    TokenScopeDict,
    TokenScopeOutput,
    TokenStatus,
)
from ._version import __version__

__all__ = [
    "ApiError",
    "ClientSettings",
    "ConfigurationError",
    "ConflictError",
    "GarbageCollectionSchedule",
    "GarbageCollectionScheduleDict",
    "GarbageCollectionScheduleOutput",
    "IonosCrError",
    "NotFoundError",
    "Registry",
    "RegistryArgs",
    "RegistryArgsDict",
    "RegistryInfo",
    "RegistryToken",
    "RegistryTokenArgs",
    "RegistryTokenArgsDict",
    "Repository",
    "RepositoryArgs",
    "RepositoryArgsDict",
    "RepositoryInfo",
    "RetryPolicy",
    "ScopeAction",
    "Timeouts",
    "TimeoutsDict",
    "TokenScope",
    "TokenScopeDict",
    "TokenScopeOutput",
    "TokenStatus",
    "TransportError",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    "get_locations",
    "get_locations_output",
    "get_registry",
    "get_registry_output",
    "get_repositories",
    "get_repositories_output",
    "is_name_available",
    "is_name_available_output",
]
