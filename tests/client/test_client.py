"""The API client over real HTTP against the emulator: calls, pagination, errors, retries."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._config import ClientSettings, RetryPolicy, settings_from
from pulumi_ionoscr._exceptions import (
    ApiError,
    ConflictError,
    NotFoundError,
    TransportError,
)
from pulumi_ionoscr._models import RegistryCreate, RegistryPatch, Scope, TokenCreate, TokenPatch
from pulumi_ionoscr.emulator import RunningEmulator, run_emulator

from ..conftest import FAST_RETRY, TEST_PASSWORD, TEST_USERNAME


def _posts(emulator: RunningEmulator, suffix: str) -> list[dict[str, object]]:
    return [
        r for r in emulator.admin.requests() if r["method"] == "POST" and r["path"].endswith(suffix)
    ]


def test_locations_and_name_check(client: IonosCrClient) -> None:
    assert client.list_locations() == ["de/fra", "de/txl", "es/vit"]
    assert client.name_in_use("free-name") is False
    client.create_registry(RegistryCreate(name="taken-name", location="de/fra"))
    assert client.name_in_use("taken-name") is True


def test_registry_lifecycle_and_bare_patch(client: IonosCrClient) -> None:
    created = client.create_registry(
        RegistryCreate(name="life", location="de/txl", api_subnet_allow_list=["198.51.100.0/24"])
    )
    assert created.state == "New" and created.properties.hostname == ""
    patched = client.patch_registry(created.id, RegistryPatch(api_subnet_allow_list=[]))
    assert patched.properties.api_subnet_allow_list in ([], None)
    assert client.get_registry(created.id).properties.name == "life"
    client.delete_registry(created.id)
    with pytest.raises(NotFoundError):
        for _ in range(10):  # deletion completes after a few reads
            client.get_registry(created.id)


def test_every_page_of_registries_and_tokens_is_followed(client: IonosCrClient) -> None:
    for i in range(130):
        client.create_registry(RegistryCreate(name=f"page-{i:03d}", location="de/fra"))
    names = {r.properties.name for r in client.list_registries()}
    assert len(names) == 130
    registry_id = client.list_registries(name="page-007")[0].id
    for i in range(120):
        client.create_token(registry_id, TokenCreate(name=f"tok{i:03d}"))
    assert len({t.properties.name for t in client.list_tokens(registry_id)}) == 120


def test_token_password_only_in_create_answer(client: IonosCrClient) -> None:
    reg = client.create_registry(RegistryCreate(name="tokens", location="de/fra"))
    scope = Scope(name="app", type="repository", actions=["pull"])
    token = client.create_token(reg.id, TokenCreate(name="pull", scopes=[scope]))
    assert token.properties.credentials.password
    assert token.properties.credentials.username == "pull"
    assert client.get_token(reg.id, token.id).properties.credentials.password == ""
    with pytest.raises(ConflictError) as raised:
        client.create_token(reg.id, TokenCreate(name="pull"))
    assert raised.value.status == 409 and raised.value.method == "POST"
    patched = client.patch_token(reg.id, token.id, TokenPatch(status="disabled", expiry_date=None))
    assert patched.properties.status == "disabled"
    client.delete_token(reg.id, token.id)
    with pytest.raises(NotFoundError):
        client.get_token(reg.id, token.id)


def test_api_error_names_status_method_path_and_message(client: IonosCrClient) -> None:
    with pytest.raises(ApiError) as raised:
        client.create_registry(RegistryCreate(name="ok-name", location="mars/olympus"))
    error = raised.value
    assert error.status == 400 and error.method == "POST" and error.path == "/registries"
    assert error.messages and "location" in str(error)
    assert TEST_PASSWORD not in str(error)


def test_idempotent_calls_retry_through_503_and_429(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    reg = client.create_registry(RegistryCreate(name="retry-me", location="de/fra"))
    api_env.admin.set_faults(error_rate=0.5, error_statuses=[503, 429], seed=7, methods=["GET"])
    for _ in range(20):
        assert client.get_registry(reg.id).id == reg.id
    statuses = [r["status"] for r in api_env.admin.requests() if r["method"] == "GET"]
    assert {503, 429} & set(statuses), "faults were injected"


def test_retry_after_is_honoured(api_env: RunningEmulator) -> None:
    slept: list[float] = []
    settings = ClientSettings(
        endpoint=api_env.base_url, username=TEST_USERNAME, password=TEST_PASSWORD, retry=FAST_RETRY
    )
    api_env.admin.set_faults(error_rate=1.0, error_statuses=[429], seed=1, methods=["GET"])
    with IonosCrClient(settings, sleep=slept.append) as client, pytest.raises(ApiError) as raised:
        client.list_locations()
    assert raised.value.status == 429
    assert len(slept) == FAST_RETRY.max_attempts - 1
    # The emulator says Retry-After 0 or 1; 1 wins over the tiny configured backoff.
    assert any(s >= 1.0 for s in slept)


def test_post_is_not_retried_after_the_server_may_have_acted(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    api_env.admin.set_faults(lost_response_rate=1.0, lost_modes=["503"], methods=["POST"], seed=3)
    with pytest.raises(ApiError) as raised:
        client.create_registry(RegistryCreate(name="lost-answer", location="de/fra"))
    assert raised.value.may_have_committed
    assert len(_posts(api_env, "/registries")) == 1
    api_env.admin.clear_faults()
    assert [r.properties.name for r in client.list_registries()] == ["lost-answer"]


def test_dropped_connection_is_a_transport_error(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    api_env.admin.set_faults(lost_response_rate=1.0, lost_modes=["drop"], methods=["POST"], seed=3)
    with pytest.raises(TransportError) as raised:
        client.create_registry(RegistryCreate(name="dropped", location="de/fra"))
    assert raised.value.may_have_committed
    assert TEST_PASSWORD not in str(raised.value)


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _black_hole() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/containerregistries"


def test_a_closed_port_fails_at_once_naming_the_endpoint_and_its_source() -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}/containerregistries"
    slept: list[float] = []
    settings = settings_from({}, {"IONOSCR_ENDPOINT": endpoint, "IONOS_TOKEN": "t"})
    with (
        IonosCrClient(settings, sleep=slept.append) as client,
        pytest.raises(TransportError) as raised,
    ):
        client.list_locations()
    error = raised.value
    assert slept == []  # never answered: not retried
    assert error.may_have_committed is False
    message = str(error)
    assert endpoint in message and "endpoint from IONOSCR_ENDPOINT" in message
    assert "reachable" in message and "\n" not in message


def test_a_black_hole_fails_after_one_timeout() -> None:
    slept: list[float] = []
    with _black_hole() as endpoint:
        settings = ClientSettings(endpoint=endpoint, token="t", timeout=0.5, connect_timeout=0.5)
        with (
            IonosCrClient(settings, sleep=slept.append) as client,
            pytest.raises(TransportError) as raised,
        ):
            client.list_locations()
    assert slept == []
    assert "no answer within 0.5s" in str(raised.value) and endpoint in str(raised.value)
    assert "endpoint from ClientSettings" in str(raised.value)


def test_an_endpoint_that_answered_before_is_retried_when_it_stops(
    api_env: RunningEmulator,
) -> None:
    slept: list[float] = []
    retry = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.01, deadline=5)
    settings = ClientSettings(endpoint=api_env.base_url, token="t", retry=retry)
    with IonosCrClient(settings, sleep=slept.append) as client:
        client.list_locations()
    # The same endpoint, now answering nothing: a restart or a blip, so it is retried.
    dead = ClientSettings(endpoint=api_env.base_url, token="t", retry=retry)
    broken = httpx.MockTransport(lambda request: (_ for _ in ()).throw(httpx.ConnectError("down")))
    with (
        IonosCrClient(dead, transport=broken, sleep=slept.append) as client,
        pytest.raises(TransportError) as raised,
    ):
        client.list_locations()
    assert len(slept) == retry.max_attempts - 1
    assert "gave up after 3 attempts" in str(raised.value)


def test_a_401_says_which_credentials_to_fix() -> None:
    with run_emulator(tokens=["the-right-token"]) as emu:
        settings = settings_from(
            {"ionoscr:endpoint": emu.base_url}, {"IONOS_TOKEN": "wrong-token-4711"}
        )
        with IonosCrClient(settings) as client, pytest.raises(ApiError) as raised:
            client.list_locations()
    message = str(raised.value)
    assert raised.value.status == 401
    assert "the token from IONOS_TOKEN" in message and "ionoscr:token" in message
    assert "IONOS_USERNAME" in message and "wrong-token-4711" not in message
    assert "\n" not in message


def test_retries_exhausted_say_what_to_do(api_env: RunningEmulator) -> None:
    api_env.admin.set_faults(error_rate=1.0, error_statuses=[503], seed=1, methods=["GET"])
    settings = ClientSettings(endpoint=api_env.base_url, token="t", retry=FAST_RETRY)
    with (
        IonosCrClient(settings, sleep=lambda _s: None) as client,
        pytest.raises(ApiError) as raised,
    ):
        client.list_locations()
    assert f"gave up after {FAST_RETRY.max_attempts} attempts" in str(raised.value)
    assert "run the command again later" in str(raised.value)


def test_bearer_token_and_contract_number_partition_tenants(api_env: RunningEmulator) -> None:
    def client_for(contract: str) -> IonosCrClient:
        return IonosCrClient(
            ClientSettings(
                endpoint=api_env.base_url, token="jwt", contract_number=contract, retry=FAST_RETRY
            )
        )

    with client_for("111") as one, client_for("222") as two:
        reg = one.create_registry(RegistryCreate(name="tenant-one", location="de/fra"))
        assert [r.id for r in one.list_registries()] == [reg.id]
        assert two.list_registries() == []
        with pytest.raises(NotFoundError):
            two.get_registry(reg.id)


def test_logs_never_carry_credentials(
    api_env: RunningEmulator, client: IonosCrClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api_env.admin.set_faults(error_rate=0.5, error_statuses=[503], seed=2, methods=["GET"])
    reg = client.create_registry(RegistryCreate(name="quiet", location="de/fra"))
    token = client.create_token(reg.id, TokenCreate(name="t1"))
    for _ in range(5):
        client.get_registry(reg.id)
    text = caplog.text
    assert "registries" in text  # the client does log its requests
    for secret in (TEST_PASSWORD, token.properties.credentials.password):
        assert secret not in text
