"""Secrets under the real engine: what `pulumi stack export` and `pulumi stack output` show.

The state must hold the token password, the registry hostname (and everything built from it)
and the provider credential only as ciphertext, also inside the pickled `__provider`; the
revealed password must be a working credential of the registry.
"""

from __future__ import annotations

import base64
import json

import pytest
from _scenarios import (  # noqa: F401  (fixtures)
    REGISTRY_TYPE,
    TOKEN_TYPE,
    Cloud,
    RegistrySpec,
    StackFactory,
    TokenSpec,
    _cloud,
    _emulator_process,
    fleet_program,
    ionoscr_stack,
    revealed_resources,
)

pytestmark = pytest.mark.engine

SECRET_OUTPUTS = (
    "main_hostname",
    "ci_username",
    "ci_password",
    "ci_docker_config_json",
    "main_repo0_url",
)


def test_state_and_outputs_hold_secrets_as_ciphertext(
    inline_stack: StackFactory, cloud: Cloud
) -> None:
    fleet = [
        RegistrySpec(
            "main",
            "engine-secrets",
            tokens=[TokenSpec("ci", "ci-push")],
            repositories=["app"],
        )
    ]
    stack = ionoscr_stack(inline_stack, cloud, fleet_program(fleet), project="engine-secrets")
    stack.up()

    revealed = stack.outputs(show_secrets=True)
    password = revealed["ci_password"]
    hostname = revealed["main_hostname"]
    assert password and hostname.startswith("engine-secrets.")
    assert revealed["main_repo0_url"] == f"{hostname}/app"

    # The raw export: no password, hostname or credential in any spelling the state could
    # hold them in plain text, and only ciphertext where they belong.
    export = stack.export()
    raw = export.stdout
    for secret in (password, hostname, cloud.credential):
        assert secret not in raw
    registry = next(r for r in export.json["deployment"]["resources"] if r["type"] == REGISTRY_TYPE)
    token = next(r for r in export.json["deployment"]["resources"] if r["type"] == TOKEN_TYPE)
    assert "ciphertext" in registry["outputs"]["hostname"]
    for key in ("username", "password", "docker_config_json"):
        assert "ciphertext" in token["outputs"][key], key
    # The token took the hostname from the registry's (secret) output: an encrypted input.
    assert "ciphertext" in token["inputs"]["registry_hostname"]

    # `__provider` is ciphertext too; decrypted, the pickles name their class and carry no
    # credential, password or endpoint (providers are stateless).
    resources = export.json["deployment"]["resources"]
    ours = [r for r in resources if r["type"].startswith("pulumi-python:dynamic/ionoscr:")]
    assert len(ours) == 3
    assert all("ciphertext" in r["inputs"]["__provider"] for r in ours)
    # The default provider's inputs are the stack config: the credential stays ciphertext.
    default_provider = next(r for r in resources if r["type"] == "pulumi:providers:pulumi-python")
    assert "ciphertext" in default_provider["inputs"]["ionoscr:token"]
    providers = [
        base64.b64decode(r["inputs"]["__provider"])
        for r in revealed_resources(stack)
        if "__provider" in (r.get("inputs") or {})
    ]
    assert len(providers) == 3
    for pickled in providers:
        assert b"pulumi_ionoscr" in pickled
        assert cloud.credential.encode() not in pickled
        assert password.encode() not in pickled
        assert cloud.base_url.encode() not in pickled

    # The stack config holds the credential encrypted too.
    stack_file = (stack.work_dir / f"Pulumi.{stack.stack}.yaml").read_text()
    assert cloud.credential not in stack_file

    # `pulumi stack output`, as printed and as JSON.
    shown = stack.outputs()
    for key in SECRET_OUTPUTS:
        assert shown[key] == "[secret]", key
    assert shown["main_name"] == "engine-secrets"
    printed = stack.stack_output().stdout
    assert password not in printed and hostname not in printed
    assert stack.stack_output("ci_password").stdout.strip() == "[secret]"

    # --show-secrets reveals a password that really works, matching docker_config_json.
    assert cloud.login_status(revealed["ci_username"], password) == 200
    assert cloud.login_status(revealed["ci_username"], password + "x") == 401
    auths = json.loads(revealed["ci_docker_config_json"])["auths"]
    assert list(auths) == [hostname]
    entry = auths[hostname]
    assert (entry["username"], entry["password"]) == ("ci-push", password)
    assert base64.b64decode(entry["auth"]).decode() == f"ci-push:{password}"
