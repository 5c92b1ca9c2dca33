"""Registry tokens against the API: create, read, update, delete.

The API shows a token's password exactly once, in the answer to the POST that creates it. The
provider therefore keeps the password from that answer in the outputs for good (every later read
returns ``""``), and when that answer is lost it deletes the token it cannot use and creates it
again rather than hand out a token without a password.

No list precedes the POST: the tokens are listed only when a POST fails. A refusal of the first
POST (409, or 400) with a token of that name in the list means the name was taken before.
After a lost answer the provider must tell its own token from one that was there before; it
takes a token as its own when the name was derived for this resource, or when the token was
created after the first POST was sent (its `createdDate` against the server's clock, read from
the `Date` of the answers).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .. import _validation as rules
from .._client import IonosCrClient
from .._config import ADOPT_EXISTING_ENV, adopt_existing_requested
from .._exceptions import (
    ApiError,
    IonosCrError,
    NotFoundError,
    TransportError,
    ValidationError,
)
from .._models import Scope, Token, TokenCreate, TokenPatch
from .._provider import Connect, is_derived, notice, wait_until
from .._token import field_changed
from .registry import is_ready, registry_failure

__all__ = ["create", "delete", "docker_config_json", "read", "update"]

# A create answer that is lost after the token was made costs that token (the password was in
# the answer): after this many such losses, give up.
_CREATE_ATTEMPTS = 3
# A POST that failed without creating anything (no token of that name afterwards) is simply
# tried again, up to this many POSTs in all: under 10% 503s three plain failures in a row are
# too likely for a fleet of tokens to converge in one run.
_POST_ATTEMPTS = 8

# Inputs only the program knows: a read carries them over from the previous state.
_PROGRAM_KEYS = (
    "name_prefix",
    "name_scope",
    "registry_hostname",
    "registry_owned",
    "rotation_triggers",
    "adopt_existing",
)
# Seconds a token's createdDate may precede the POST that created it, as the server's and our
# clock are compared (both `createdDate` and `Date` are whole seconds).
_CLOCK_SLACK = 2.0


def _live_scopes(token: Token) -> list[dict[str, Any]]:
    raw = [s.model_dump() for s in token.properties.scopes or []]
    try:
        return rules.token_scopes(raw)
    except ValidationError:
        return raw  # something our rules do not know: show it as it is (it will diff)


def _live_expiry(token: Token) -> str | None:
    value = token.properties.expiry_date
    try:
        return rules.expiry_date(value, allow_past=True)
    except ValidationError:
        return value


def _live_inputs(token: Token, registry_id: str, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that describe `token` as it is, keeping what only the program knows."""
    return {
        **{k: previous[k] for k in _PROGRAM_KEYS if k in previous},
        "registry_id": registry_id,
        "name": token.properties.name,
        "scopes": _live_scopes(token),
        "expiry_date": _live_expiry(token),
        "status": token.properties.status.lower(),
    }


def _hostname_in(outputs: Mapping[str, Any]) -> str:
    """The registry hostname a previous `docker_config_json` output was made for, if any."""
    try:
        auths = json.loads(outputs.get("docker_config_json") or "{}").get("auths") or {}
    except (ValueError, AttributeError):
        return ""
    return next(iter(auths), "") if len(auths) == 1 else ""


def docker_config_json(hostname: str, username: str, password: str) -> str:
    """A `kubernetes.io/dockerconfigjson` / `~/.docker/config.json` document for one registry."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    entry = {"username": username, "password": password, "auth": auth}
    return json.dumps({"auths": {hostname: entry}})


def _outputs(
    token: Token,
    registry_id: str,
    props: Mapping[str, Any],
    *,
    password: str,
    hostname: str,
) -> dict[str, Any]:
    username = token.properties.credentials.username or token.properties.name
    if not password:
        docker_config = ""  # credentials without a password would only fail later, obscurely
    elif hostname:
        docker_config = docker_config_json(hostname, username, password)
    else:
        docker_config = str(props.get("docker_config_json") or "")
    return {
        **_live_inputs(token, registry_id, props),
        "token_id": token.id,
        "username": username,
        "password": password,
        "docker_config_json": docker_config,
    }


def _split_id(id_: str) -> tuple[str, str]:
    registry_id, _, token_id = id_.partition("/")
    if not registry_id or not token_id:
        raise IonosCrError(
            f"RegistryToken id {id_!r} is not of the form '<registry id>/<token id>'"
        )
    return registry_id, token_id


def _scopes_body(scopes: Sequence[Mapping[str, Any]]) -> list[Scope]:
    return [Scope(name=s["name"], type=s["type"], actions=list(s["actions"])) for s in scopes]


def _create_spec(props: Mapping[str, Any]) -> TokenCreate:
    spec = TokenCreate(name=props["name"], status=props.get("status") or "enabled")
    if props.get("expiry_date") is not None:
        spec.expiry_date = props["expiry_date"]
    if props.get("scopes"):
        spec.scopes = _scopes_body(props["scopes"])
    return spec


def _patch_for(olds: Mapping[str, Any], news: Mapping[str, Any]) -> TokenPatch:
    """Only what changed; a removed expiry is sent as null (never expires), no scopes as []."""
    patch = TokenPatch()
    if field_changed("status", olds, news):
        patch.status = news.get("status") or "enabled"
    if field_changed("expiry_date", olds, news):
        patch.expiry_date = news.get("expiry_date")
    if field_changed("scopes", olds, news):
        patch.scopes = _scopes_body(news.get("scopes") or [])
    return patch


class _NameTaken(Exception):
    """The token name was in use before this create's first POST, by `token`."""

    def __init__(self, token: Token) -> None:
        super().__init__(token.id)
        self.token = token


def _name_taken(name: str, registry_id: str) -> IonosCrError:
    return IonosCrError(
        f"a token named {name!r} already exists in registry {registry_id} (token names are "
        "unique per registry). If it is yours, adopt it: set adopt_existing=True (its password "
        "cannot be recovered: change rotation_triggers afterwards to get a new one), or for one "
        f"run `{ADOPT_EXISTING_ENV}=true pulumi up --yes`, which replaces it when the stack "
        "declares its registry; otherwise choose another name"
    )


def _find_by_name(client: IonosCrClient, registry_id: str, name: str) -> Token | None:
    return next((t for t in client.list_tokens(registry_id) if t.properties.name == name), None)


def _delete_quietly(client: IonosCrClient, registry_id: str, token_id: str) -> None:
    with contextlib.suppress(NotFoundError):  # already gone is what we wanted
        client.delete_token(registry_id, token_id)


# ---- create ---------------------------------------------------------------------------------


def create(connect: Connect, props: dict[str, Any]) -> CreateResult:
    registry_id = props["registry_id"]
    with connect() as client:
        # Before the POST: a registry that never gets ready leaves no token behind. A hostname
        # from a Registry resource's outputs says it is ready (its create waited until it ran).
        hostname = _hostname(client, registry_id, wait=True, previous=props)
        token, password = _create(client, props)
    outs = _outputs(token, registry_id, props, password=password or "", hostname=hostname)
    return CreateResult(f"{registry_id}/{token.id}", outs)


def _create(client: IonosCrClient, props: Mapping[str, Any]) -> tuple[Token, str | None]:
    """The new token and its password; for a name that was taken, what the user asked for:
    the existing token replaced (a derived name, or IONOSCR_ADOPT_EXISTING in a registry the
    stack declares) or adopted without its password (adopt_existing), else an error."""
    registry_id, name = props["registry_id"], props["name"]
    try:
        return _with_password(_post(client, props))
    except _NameTaken as taken:
        existing = taken.token
    switch = adopt_existing_requested()
    if not (is_derived(props) or (switch and props.get("registry_owned"))):
        if not (switch or props.get("adopt_existing")):
            raise _name_taken(name, registry_id)
        return _adopt(client, existing, props), None
    why = "its name was derived for this resource" if is_derived(props) else ADOPT_EXISTING_ENV
    notice(
        f"token {name} (registry {registry_id}): replaced the existing token {existing.id}, "
        f"whose password is not in the state ({why})"
    )
    _delete_quietly(client, registry_id, existing.id)
    try:
        return _with_password(_post(client, props))
    except _NameTaken:  # taken again meanwhile
        raise _name_taken(name, registry_id) from None


def _with_password(token: Token) -> tuple[Token, str | None]:
    # The create answer is the only place the password is ever shown.
    return token, token.properties.credentials.password


def _post(client: IonosCrClient, props: Mapping[str, Any]) -> Token:
    """POST the token; raises _NameTaken when the name was in use before the first POST."""
    registry_id, name = props["registry_id"], props["name"]
    spec = _create_spec(props)
    started = time.time()
    uncertain = False  # whether an earlier POST may have created the token
    lost = 0
    for attempt in range(1, _POST_ATTEMPTS + 1):
        try:
            return client.create_token(registry_id, spec)
        except (ApiError, TransportError) as error:
            # A refusal that may be about the name (409, or 400: the status is not
            # documented) is checked against the registry's tokens: taken before our first
            # POST, or by an earlier attempt of ours whose answer was lost. Otherwise it is the
            # API's own reason (a quota, a registry not running...).
            refused = isinstance(error, ApiError) and error.status in (400, 409)
            if not (error.may_have_committed or refused):
                raise
            found = _find_by_name(client, registry_id, name)
            if refused and found is None:
                raise
            # Only a POST that may have committed (this one, or an earlier one) made it.
            may_be_ours = uncertain or error.may_have_committed
            if found is not None and not (may_be_ours and _ours(client, found, props, started)):
                raise _NameTaken(found) from None
            uncertain = True
            # The password was in the lost answer: a token created by it is useless, so
            # delete it (also on the last attempt: no orphan to block the next run).
            if found is not None:
                _delete_quietly(client, registry_id, found.id)
                lost += 1
            if lost == _CREATE_ATTEMPTS or attempt == _POST_ATTEMPTS:
                raise IonosCrError(
                    f"creating token {name!r} failed {attempt} times without an answer "
                    f"({error}); no token was left behind: run `pulumi up` again"
                ) from None
            what = "answer was lost" if found is not None else "failed"
            notice(f"token {name} (registry {registry_id}): create {what}; trying again")
    raise AssertionError("unreachable")


def _ours(client: IonosCrClient, token: Token, props: Mapping[str, Any], started: float) -> bool:
    """Whether `token` was made by this create's POSTs (sent from `started` on, our clock)."""
    if is_derived(props):
        return True  # the name is this resource's alone
    offset = client.clock_offset
    try:
        created = rules.expiry_date(token.metadata.created_date, allow_past=True)
    except ValidationError:
        created = None
    if offset is None or created is None:
        return False  # cannot tell: leave it alone
    instant = _dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    return instant.timestamp() >= started + offset - _CLOCK_SLACK


def _adopt(client: IonosCrClient, found: Token, props: Mapping[str, Any]) -> Token:
    notice(
        f"token {props['name']}: adopted existing token {found.id}; its password cannot be "
        "recovered, so the password and docker_config_json outputs are empty. Change "
        "rotation_triggers to replace the token and get a password."
    )
    patch = _patch_for(_live_inputs(found, props["registry_id"], props), props)
    if patch.body():
        found = client.patch_token(props["registry_id"], found.id, patch)
    return found


def _hostname(
    client: IonosCrClient,
    registry_id: str,
    *,
    wait: bool,
    previous: Mapping[str, Any] | None = None,
) -> str:
    """The registry's hostname; "" while it is still being set up, unless `wait`: then the
    registry is waited for until it runs (the hostname may come earlier, and the API may
    refuse tokens until then).

    A hostname never changes once given, so one the program passed (`registry=`) or one already
    in the outputs' docker config is reused instead of reading the registry again (a refresh
    then costs one call a token)."""
    known = str((previous or {}).get("registry_hostname") or "") or _hostname_in(previous or {})
    if known:
        return known
    if not wait:
        return client.get_registry(registry_id).properties.hostname
    registry = wait_until(
        lambda: client.get_registry(registry_id),
        done=is_ready,
        failed=registry_failure,
        timeout=rules.DEFAULT_TIMEOUT_SECONDS,
        what=f"waiting for registry {registry_id} to run",
    )
    return registry.properties.hostname


# ---- read / update / delete -------------------------------------------------------------------


def read(connect: Connect, id_: str, props: dict[str, Any]) -> ReadResult:
    registry_id, token_id = _split_id(id_)
    with connect() as client:
        try:
            token = client.get_token(registry_id, token_id)
            hostname = _hostname(client, registry_id, wait=False, previous=props)
        except NotFoundError:
            return ReadResult(None, {})
    # The API answers "" for the password now: the one from create stays.
    password = str(props.get("password") or "")
    outs = _outputs(token, registry_id, props, password=password, hostname=hostname)
    return ReadResult(id_, outs, _live_inputs(token, registry_id, props))


def update(connect: Connect, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    registry_id, token_id = _split_id(id_)
    with connect() as client:
        patch = _patch_for(olds, news)
        if patch.body():
            token = client.patch_token(registry_id, token_id, patch)
        else:
            token = client.get_token(registry_id, token_id)
        hostname = _hostname(client, registry_id, wait=False, previous=olds)
    password = str(olds.get("password") or "")
    props = {**news, "docker_config_json": olds.get("docker_config_json")}
    return UpdateResult(_outputs(token, registry_id, props, password=password, hostname=hostname))


def delete(connect: Connect, id_: str, props: dict[str, Any]) -> None:
    registry_id, token_id = _split_id(id_)
    with connect() as client:
        _delete_quietly(client, registry_id, token_id)
