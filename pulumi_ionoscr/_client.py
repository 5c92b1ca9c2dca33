"""An httpx client for the IONOS Container Registry management API.

Retries follow what is safe: idempotent requests (everything but POST) are retried on 429, 502,
503, 504 and on lost connections, with jittered exponential backoff under an overall deadline.
A POST is retried only when the server cannot have acted on it (429, or a connection that never
opened); any other failure of a POST is raised with `may_have_committed` set, and the resources
recover from it themselves.

An endpoint that has never answered in this process is not retried at all when a connection
cannot be opened or the answer does not come in time: a wrong port or a black-holed address
fails at once with a message naming the URL and where it was configured, instead of after
minutes of retries. Once it has answered, such failures count as transient again.
"""

from __future__ import annotations

import base64
import email.utils
import functools
import logging
import random
import re
import ssl
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from ._config import ClientSettings
from ._exceptions import ApiError, ConflictError, IonosCrError, NotFoundError, TransportError
from ._models import (
    Artifact,
    ArtifactList,
    Registry,
    RegistryCreate,
    RegistryList,
    RegistryPatch,
    Repository,
    RepositoryList,
    Token,
    TokenCreate,
    TokenList,
    TokenPatch,
    Vulnerability,
    VulnerabilityList,
    _LocationList,
)
from ._version import __version__

__all__ = ["IonosCrClient"]

logger = logging.getLogger("pulumi_ionoscr")

_RETRYABLE_STATUS = frozenset({429, 502, 503, 504})
# Every SDK lists only token auth for these reads; whether IONOS refuses a username and
# password there is not documented.
_TOKEN_ONLY = re.compile(r"^registries/[^/]+/(repositories|artifacts)(/|$)|^vulnerabilities/")
_TOKEN_ONLY_HINT = (
    "IONOS may accept only an API token here, not a username and password: set IONOS_TOKEN"
    " (or pulumi config set --secret ionoscr:token <token>)"
)
_PAGE_SIZE = 100
_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")

# Endpoints that have given an HTTP answer in this process (any status): see the module doc.
_ANSWERED: set[str] = set()


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one costs tens of milliseconds, and a
    provider process makes a client for every call (benchmarks: up to 2x the engine's floor)."""
    return httpx.create_ssl_context()


def _segment(value: str) -> str:
    """One path segment; `/` in repository names travels as %2F."""
    return quote(value, safe="")


class IonosCrClient:
    """Synchronous client; one per provider call (clients are never pickled)."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        # Server clock minus ours, from the last answer's Date header (None before one).
        self.clock_offset: float | None = None
        self._http = httpx.Client(
            base_url=settings.endpoint + "/",
            headers=self._headers(settings),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            transport=transport,
            # A plain-HTTP endpoint (the emulator) opens no TLS connection: no CA bundle to load.
            verify=_ssl_context() if settings.endpoint.startswith("https:") else False,
        )

    @staticmethod
    def _headers(settings: ClientSettings) -> dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": f"pulumi-ionoscr/{__version__}",
        }
        if settings.token:
            headers["Authorization"] = f"Bearer {settings.token}"
        else:
            pair = f"{settings.username}:{settings.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        if settings.contract_number:
            headers["X-Contract-Number"] = str(settings.contract_number)
        return headers

    def __enter__(self) -> IonosCrClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ---- transport ----------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        policy = self._settings.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                response = self._http.request(method, path, params=params, json=json)
            except httpx.TransportError as exc:
                failure: ApiError | TransportError = self._transport_error(method, path, exc)
                if isinstance(exc, httpx.ConnectError | httpx.TimeoutException) and (
                    self._settings.endpoint not in _ANSWERED
                ):
                    failure.hint = (
                        "check that this is the IONOS API and that it is reachable from here, "
                        "then run the command again"
                    )
                    raise failure from None
                if method == "POST" and failure.may_have_committed:
                    raise failure from None
            else:
                self._answered(response)
                logger.debug("%s /%s -> %s", method, path, response.status_code)
                if response.is_success:
                    return response
                failure = self._api_error(method, path, response)
                retryable = response.status_code in _RETRYABLE_STATUS and (
                    method != "POST" or response.status_code == 429
                )
                if not retryable:
                    raise failure
                retry_after = _retry_after(response)
            delay = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            delay = random.uniform(delay / 2, delay)  # jitter spreads concurrent retries
            if retry_after is not None:
                delay = max(delay, retry_after)
            elapsed = time.monotonic() - started
            if attempt >= policy.max_attempts or elapsed + delay > policy.deadline:
                failure.hint = (
                    f"gave up after {attempt} attempts in {elapsed:.0f}s; "
                    "the IONOS API may be overloaded or down: run the command again later"
                )
                raise failure
            logger.info(
                "%s /%s failed (%s); retry %d in %.1fs", method, path, failure, attempt, delay
            )
            self._sleep(delay)

    def _answered(self, response: httpx.Response) -> None:
        _ANSWERED.add(self._settings.endpoint)
        date = response.headers.get("Date")
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp() if date else None
        except (TypeError, ValueError):
            server = None
        if server is not None:
            self.clock_offset = server - time.time()

    def _transport_error(self, method: str, path: str, exc: httpx.TransportError) -> TransportError:
        settings = self._settings
        if isinstance(exc, httpx.ConnectTimeout):
            reason = f"no connection within {settings.connect_timeout:g}s"
        elif isinstance(exc, httpx.TimeoutException):
            reason = f"no answer within {settings.timeout:g}s"
        else:
            reason = self._scrub(str(exc)) or type(exc).__name__
        error = TransportError(
            method, "/" + path, reason, settings.endpoint, settings.source_of("endpoint")
        )
        never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        error.may_have_committed = method != "GET" and not never_sent
        return error

    def _api_error(self, method: str, path: str, response: httpx.Response) -> ApiError:
        messages: list[tuple[str, str]] = []
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            for item in body.get("messages") or []:
                if isinstance(item, dict):
                    messages.append(
                        (
                            str(item.get("errorCode") or ""),
                            self._scrub(str(item.get("message") or "")),
                        )
                    )
        status = response.status_code
        token_only = method == "GET" and _TOKEN_ONLY.search(path)
        if status == 401 and token_only and not self._settings.token:
            messages.append(("", _TOKEN_ONLY_HINT))
        cls = {404: NotFoundError, 409: ConflictError}.get(status, ApiError)
        error = cls(status, method, "/" + path, messages)
        error.may_have_committed = method != "GET" and status >= 500
        if status == 401:
            error.hint = "IONOS rejected the credentials: " + self._settings.credentials_hint()
        elif status == 403:
            error.hint = (
                "the credentials are valid but may not manage Container Registry (the user needs "
                "that privilege, and ionoscr:contractNumber / IONOS_CONTRACT_NUMBER must name a "
                "contract of the user)"
            )
        return error

    def _scrub(self, text: str) -> str:
        for secret in self._settings.secrets:
            text = text.replace(secret, "***")
        return text

    def _get(self, model: type[_M], path: str, params: dict[str, Any] | None = None) -> _M:
        return model.model_validate(self._request("GET", path, params=params).json())

    # ---- locations and names ------------------------------------------------------------------

    def list_locations(self) -> list[str]:
        return [loc.id for loc in self._get(_LocationList, "locations").items]

    def name_in_use(self, name: str) -> bool:
        """HEAD /names/{name}: True when taken, False when free; invalid names raise ApiError."""
        try:
            self._request("HEAD", f"names/{_segment(name)}")
        except NotFoundError:
            return False
        return True

    # ---- registries ---------------------------------------------------------------------------

    def list_registries(self, name: str | None = None) -> list[Registry]:
        """Every registry (all pages); `name` is the API's `filter.name`."""
        params: dict[str, Any] = {"limit": str(_PAGE_SIZE)}
        if name:
            params["filter.name"] = name
        found: list[Registry] = []
        seen_tokens: set[str] = set()
        while True:
            page = self._get(RegistryList, "registries", params)
            found.extend(page.items)
            token = page.pagination.token if page.pagination else None
            if not token or token in seen_tokens or not page.items:
                return found
            seen_tokens.add(token)
            params["pagination.token"] = token

    def get_registry(self, registry_id: str) -> Registry:
        return self._get(Registry, f"registries/{_segment(registry_id)}")

    def create_registry(self, spec: RegistryCreate) -> Registry:
        response = self._request("POST", "registries", json={"properties": spec.body()})
        return Registry.model_validate(response.json())

    def put_registry(self, registry_id: str, spec: RegistryCreate) -> Registry:
        path = f"registries/{_segment(registry_id)}"
        response = self._request("PUT", path, json={"properties": spec.body()})
        return Registry.model_validate(response.json())

    def patch_registry(self, registry_id: str, patch: RegistryPatch) -> Registry:
        path = f"registries/{_segment(registry_id)}"
        return Registry.model_validate(self._request("PATCH", path, json=patch.body()).json())

    def delete_registry(self, registry_id: str) -> None:
        self._request("DELETE", f"registries/{_segment(registry_id)}")

    # ---- tokens -------------------------------------------------------------------------------

    def _tokens_path(self, registry_id: str, token_id: str | None = None) -> str:
        path = f"registries/{_segment(registry_id)}/tokens"
        return path if token_id is None else f"{path}/{_segment(token_id)}"

    def list_tokens(self, registry_id: str) -> list[Token]:
        tokens: list[Token] = self._offset_items(TokenList, self._tokens_path(registry_id), {})
        return tokens

    def get_token(self, registry_id: str, token_id: str) -> Token:
        return self._get(Token, self._tokens_path(registry_id, token_id))

    def create_token(self, registry_id: str, spec: TokenCreate) -> Token:
        path = self._tokens_path(registry_id)
        response = self._request("POST", path, json={"properties": spec.body()})
        return Token.model_validate(response.json())

    def put_token(self, registry_id: str, token_id: str, spec: TokenCreate) -> Token:
        path = self._tokens_path(registry_id, token_id)
        response = self._request("PUT", path, json={"properties": spec.body()})
        return Token.model_validate(response.json())

    def patch_token(self, registry_id: str, token_id: str, patch: TokenPatch) -> Token:
        path = self._tokens_path(registry_id, token_id)
        return Token.model_validate(self._request("PATCH", path, json=patch.body()).json())

    def delete_token(self, registry_id: str, token_id: str) -> None:
        self._request("DELETE", self._tokens_path(registry_id, token_id))

    # ---- repositories and artifacts -----------------------------------------------------------

    def _offset_items(self, model: type[_M], path: str, params: dict[str, Any]) -> list[Any]:
        """Every item of an offset/limit list (tokens and the 1.1.0 lists), each once.

        The last page is the one that reaches `total`, or has no `_links.next`, or (without
        either) comes back short. A server that ignores offset and limit answers everything at
        once (more than a page, or nothing new on the next request): that ends the list too.
        """
        found: dict[tuple[str, str], Any] = {}
        offset = 0
        while True:
            query = {**params, "offset": str(offset), "limit": str(_PAGE_SIZE)}
            page = self._get(model, path, query)
            items = list(getattr(page, "items", []))
            fresh = [item for item in items if _identity(item) not in found]
            found.update((_identity(item), item) for item in fresh)
            offset += len(items)
            if not fresh or len(items) > _PAGE_SIZE or _last_page(page, offset, len(items)):
                return list(found.values())

    def _repository_path(self, registry_id: str, name: str | None = None) -> str:
        path = f"registries/{_segment(registry_id)}/repositories"
        return path if name is None else f"{path}/{_segment(name)}"

    def list_repositories(self, registry_id: str, name: str | None = None) -> list[Repository]:
        """Every repository; `name` is the API's `filter.name` (it may match more than the
        repository of that name)."""
        params = {"filter.name": name} if name else {}
        repositories: list[Repository] = self._offset_items(
            RepositoryList, self._repository_path(registry_id), params
        )
        return repositories

    # How a multi-segment name (team/app) is addressed in a path is not documented: the SDK
    # sends team%2Fapp, a server may want team/app, or take neither. Reads of such names go
    # through the list (found whatever the path); calls that need the path try both forms.

    def _by_path(self, registry_id: str, name: str, suffix: str, call: Callable[[str], _T]) -> _T:
        base = self._repository_path(registry_id)
        paths = [f"{base}/{_segment(name)}{suffix}"]
        if "/" in name:
            paths.append(f"{base}/{quote(name, safe='/')}{suffix}")
        for path in paths[:-1]:
            try:
                return call(path)
            except NotFoundError:
                pass
        return call(paths[-1])

    def get_repository(self, registry_id: str, name: str) -> Repository:
        if "/" not in name:
            return self._get(Repository, self._repository_path(registry_id, name))
        path = self._repository_path(registry_id)
        listed: list[Repository] = self._offset_items(RepositoryList, path, {"filter.name": name})
        found = next((r for r in listed if r.properties.name == name), None)
        if found is None:
            raise NotFoundError(404, "GET", f"/{path}", [("", f"no repository {name!r}")])
        return found

    def delete_repository(self, registry_id: str, name: str) -> None:
        try:
            self._by_path(registry_id, name, "", lambda path: self._request("DELETE", path))
        except NotFoundError:
            if "/" in name:
                self.get_repository(registry_id, name)  # NotFoundError: really not there
                raise IonosCrError(
                    f"repository {name!r} exists, but IONOS answers 404 to DELETE of every path"
                    " that names it (team%2Fapp and team/app forms): it cannot be purged through"
                    " the API; delete its images through the registry instead"
                ) from None
            raise

    def list_artifacts(
        self,
        registry_id: str,
        repository: str | None = None,
        *,
        order_by: str | None = None,
        vulnerability_id: str | None = None,
    ) -> list[Artifact]:
        """A repository's artifacts, or with `repository=None` the whole registry's (which alone
        can be filtered by `vulnerability_id`)."""
        params = _filters(orderBy=order_by, **{"filter.vulnerabilityId": vulnerability_id})
        if repository is None:
            path = f"registries/{_segment(registry_id)}/artifacts"
            registry_wide: list[Artifact] = self._offset_items(ArtifactList, path, params)
            return registry_wide
        artifacts: list[Artifact] = self._by_path(
            registry_id,
            repository,
            "/artifacts",
            lambda path: self._offset_items(ArtifactList, path, params),
        )
        return artifacts

    def get_artifact(self, registry_id: str, repository: str, digest: str) -> Artifact:
        suffix = f"/artifacts/{_segment(digest)}"
        return self._by_path(
            registry_id, repository, suffix, lambda path: self._get(Artifact, path)
        )

    def list_vulnerabilities(
        self,
        registry_id: str,
        repository: str,
        digest: str,
        *,
        severity: str | None = None,
        fixable: bool | None = None,
        order_by: str | None = None,
    ) -> list[Vulnerability]:
        """What the last scan of one artifact found."""
        suffix = f"/artifacts/{_segment(digest)}/vulnerabilities"
        params = _filters(
            orderBy=order_by,
            **{
                "filter.severity": severity,
                "filter.fixable": None if fixable is None else str(fixable).lower(),
            },
        )
        found: list[Vulnerability] = self._by_path(
            registry_id,
            repository,
            suffix,
            lambda path: self._offset_items(VulnerabilityList, path, params),
        )
        return found


def _identity(item: Any) -> tuple[str, str]:
    """What tells list items apart: the id, and for artifacts listed registry-wide also the
    repository (the same image pushed to two repositories is two artifacts of one digest)."""
    return getattr(item.properties, "repository_name", None) or "", item.id


def _filters(**params: str | None) -> dict[str, str]:
    """Query parameters that were given (None: not sent)."""
    return {k: v for k, v in params.items() if v is not None}


def _last_page(page: BaseModel, offset: int, count: int) -> bool:
    total = getattr(page, "total", None)
    if total is not None:
        return bool(offset >= total)
    links = getattr(page, "links", None)
    if links is not None:
        return not bool(links.next)
    return count < _PAGE_SIZE  # no _links at all: only a short page says it is the last


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())
