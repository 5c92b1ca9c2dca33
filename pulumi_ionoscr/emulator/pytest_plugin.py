"""pytest fixtures for the emulator.

Use it with `pytest_plugins = ["pulumi_ionoscr.emulator.pytest_plugin"]` in a top-level
conftest.py (or import the fixtures into a conftest). Fixtures:

* `ionoscr_emulator` (function scope): a `RunningEmulator`, reset before the test (empty state,
  empty request log, startup timing, faults and variants). One server is shared by the whole
  session. A test marked `@pytest.mark.ionoscr_variants("days-order=calendar", ...)` (or with
  keywords, `days_order="calendar"`) gets those variants on top.
* `ionoscr_emulator_session` (session scope): the shared server itself, not reset.

`pytest --ionoscr-variant NAME=VALUE` (repeatable) starts the shared server with those variants,
so a whole suite can be run against another plausible answer of the API.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import RunningEmulator, run_emulator
from ._variants import parse_choices

__all__ = ["ionoscr_emulator", "ionoscr_emulator_session"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ionoscr")
    # Registered twice when a conftest also lists this module beside the package's pytest11
    # entry point (pulumi_ionoscr.testing): the option must be added once only.
    if any("--ionoscr-variant" in option.names() for option in group.options):
        return
    group.addoption(
        "--ionoscr-variant",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="start the ionoscr emulator fixture with this variant (repeatable;"
        " ionoscr-emulator --list-variants lists them)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ionoscr_variants(*choices, **choices): the ionoscr_emulator fixture answers with these"
        " variants ('NAME=VALUE' strings or NAME_WITH_UNDERSCORES=VALUE keywords)",
    )


@pytest.fixture(scope="session")
def ionoscr_emulator_session(pytestconfig: pytest.Config) -> Iterator[RunningEmulator]:
    variants = parse_choices(pytestconfig.getoption("ionoscr_variant") or [])
    with run_emulator(variants=variants) as running:
        yield running


@pytest.fixture
def ionoscr_emulator(
    ionoscr_emulator_session: RunningEmulator, request: pytest.FixtureRequest
) -> RunningEmulator:
    ionoscr_emulator_session.admin.reset()
    marker = request.node.get_closest_marker("ionoscr_variants")
    if marker is not None:
        choices = {**parse_choices(marker.args), **parse_choices(marker.kwargs)}
        ionoscr_emulator_session.admin.set_variants(choices)
    return ionoscr_emulator_session
