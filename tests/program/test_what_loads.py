"""What each process imports: a program that declares resources, and a provider process that
only checks and diffs (an unchanged preview), never load httpx, pydantic or the API models.

Every case runs in a fresh interpreter and reads `sys.modules` there: this test process has
long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

# What only the API work needs.
HEAVY = ("httpx", "pydantic", "pydantic_core", "pulumi_ionoscr._models", "pulumi_ionoscr._client")

_REPORT = f"""
import json, sys
heavy = {HEAVY!r}
print(json.dumps(sorted(
    m for m in sys.modules
    if m in heavy or m.split(".")[0] in heavy or m.startswith("pulumi_ionoscr._operations")
)))
"""


def _loaded_after(script: str) -> list[str]:
    """The heavy modules in `sys.modules` once `script` has run in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script) + _REPORT],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
    return loaded


PROGRAM = """
import pulumi
import pulumi_ionoscr as cr

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}, []

pulumi.runtime.set_mocks(Mocks(), preview=False)

@pulumi.runtime.test
def program():
    reg = cr.Registry(
        "main",
        location="de/fra",
        garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["Sunday"], time="02:30"),
    )
    token = cr.RegistryToken(
        "ci",
        registry_id=reg.registry_id,
        scopes=[cr.TokenScope(name="*", actions=["pull"])],
        expiry_date="2030-01-01",
    )
    repo = cr.Repository("app", registry_id=reg.registry_id, name="team/app")
    seen = cr.Registry.get("seen", "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11")
    ids = pulumi.Output.all(reg.id, token.id, repo.id, seen.id)
    return ids.apply(lambda v: print("registered", len(v)))

program()
"""


def test_a_program_declaring_every_resource_loads_no_client() -> None:
    assert _loaded_after(PROGRAM) == []


def test_the_policies_and_the_rules_load_no_client() -> None:
    assert _loaded_after("import pulumi_ionoscr.policies, pulumi_ionoscr._validation") == []


# What the provider process does before the first check: unpickle the provider from the
# `__provider` property (pickled by reference) and configure it with the stack config.
PROVIDER_PROCESS = """
import base64, dill
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr._token import RegistryTokenProvider

def provider(cls):
    loaded = dill.loads(base64.b64decode(serialize_provider(cls())))
    loaded.configure(ConfigureRequest(Config({"ionoscr:token": "t"}, "proj")))
    return loaded

registry = {"name": "acme-prod", "location": "de/fra"}
token = {"registry_id": "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11", "name": "ci", "scopes": []}
repository = {"registry_id": token["registry_id"], "name": "team/app"}
for cls, inputs in [
    (RegistryProvider, registry),
    (RegistryTokenProvider, token),
    (RepositoryProvider, repository),
]:
    checked = provider(cls).check(inputs, dict(inputs))  # as in a preview of an unchanged stack
    assert not checked.failures, checked.failures
    assert not provider(cls).diff("id", checked.inputs, checked.inputs).changes
"""


def test_checks_and_diffs_of_an_unchanged_stack_load_no_client() -> None:
    assert _loaded_after(PROVIDER_PROCESS) == []


def test_the_first_api_work_loads_the_client() -> None:
    """The same process as above: the probe does see the client once a provider needs it."""
    loaded = _loaded_after(PROVIDER_PROCESS + "\nRegistryProvider.operations()\n")
    assert {"httpx", "pydantic", "pulumi_ionoscr._models", "pulumi_ionoscr._client"} <= set(loaded)
    assert "pulumi_ionoscr._operations.registry" in loaded
