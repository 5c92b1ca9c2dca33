"""Test helpers for Pulumi programs that use pulumi-ionoscr, at two levels:

* **Unit tests under mocks** (milliseconds, no CLI, no API): `IonosCrMocks` for
  `pulumi.runtime.set_mocks` checks every input with the providers' own rules and answers with
  the outputs the providers would give (ids, hostname, username, password, docker config).
* **Your program against the emulator** (seconds, the real engine): the pytest fixture
  `ionoscr_emulator` (registered for pytest by this package: no conftest.py line needed; it
  needs the `emulator` extra) and `emulator_stack()`, which runs your project directory with
  the Automation API against it: `up`, `preview`, `destroy` in a few lines.

Importing `pulumi_ionoscr` never imports this module.
"""

from .._exceptions import CheckFailedError
from ._mocks import IonosCrMocks, MockedResource
from ._pytest_plugin import ionoscr_emulator, ionoscr_emulator_session
from ._stack import CLI_ENV, emulator_stack

__all__ = [
    "CLI_ENV",
    "CheckFailedError",
    "IonosCrMocks",
    "MockedResource",
    "emulator_stack",
    "ionoscr_emulator",
    "ionoscr_emulator_session",
]
