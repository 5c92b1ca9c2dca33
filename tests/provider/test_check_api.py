"""The one API call `check` makes (a registry's new location): refused credentials fail the
preview in one line, an endpoint that does not answer gives a warning within the check's bound,
and a location confirmed once is not asked for again in the same provider process."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from pulumi_ionoscr import _provider, _registry
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator, run_emulator

NEWS = {"name": "checked", "location": "de/fra"}


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a new provider process: nothing confirmed yet."""
    monkeypatch.setattr(_registry, "_CONFIRMED_LOCATIONS", {})


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/containerregistries"


def location_calls(emulator: RunningEmulator) -> int:
    return sum(1 for r in emulator.admin.requests() if r["path"].endswith("/locations"))


def test_refused_credentials_fail_the_check_naming_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with run_emulator(tokens=["the-right-token"]) as emu:
        monkeypatch.setenv("IONOSCR_ENDPOINT", emu.base_url)
        monkeypatch.setenv("IONOS_TOKEN", "a-wrong-token-0815")
        result = RegistryProvider().check({}, NEWS)
    [failure] = result.failures
    assert failure.property == "location"
    for part in ("HTTP 401", "the token from IONOS_TOKEN", "ionoscr:token", "IONOS_USERNAME"):
        assert part in failure.reason
    assert "a-wrong-token-0815" not in failure.reason and "\n" not in failure.reason


def test_no_answer_is_a_warning_within_the_bound(
    monkeypatch: pytest.MonkeyPatch, black_hole: str, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_provider, "CHECK_SECONDS", 0.5)
    monkeypatch.setenv("IONOSCR_ENDPOINT", black_hole)
    monkeypatch.setenv("IONOS_TOKEN", "t")
    started = time.monotonic()
    result = RegistryProvider().check({}, NEWS)
    assert time.monotonic() - started < 5  # one bounded attempt, not the retry deadline
    assert result.failures == [] and result.inputs["location"] == "de/fra"
    warning = capsys.readouterr().err
    assert "location 'de/fra' checked for its format only" in warning
    assert black_hole in warning and "IONOSCR_ENDPOINT" in warning


def test_missing_credentials_are_a_warning(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("IONOS_TOKEN", "IONOS_USERNAME", "IONOS_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert RegistryProvider().check({}, NEWS).failures == []
    assert "no IONOS credentials" in capsys.readouterr().err


def test_a_confirmed_location_is_not_asked_for_again(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    provider.check({}, NEWS)
    provider.check({}, {**NEWS, "name": "second"})
    RegistryProvider().check({}, {**NEWS, "name": "third", "location": "de/txl"})
    assert location_calls(api_env) == 1
    # An unknown location is still refused from the list fetched once.
    result = provider.check({}, {**NEWS, "location": "fr/par"})
    assert [f.property for f in result.failures] == ["location"]
    assert location_calls(api_env) == 1
