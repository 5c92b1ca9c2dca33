"""The ready pack served by a real analyzer process, driven over gRPC as the engine drives it.

The engine reads the port from the first line of the pack's stdout and calls GetAnalyzerInfo,
Configure (with the config reconciled against the schemas), Analyze per resource and
AnalyzeStack at the end. The pack is started in each of the ways a Pulumi CLI starts it:

* ``language-host``: ``pulumi-language-python`` (RunPlugin) runs ``python <pack dir> [flags]
  <engine address>`` from the program's directory: the pack's ``__main__.py`` runs as a script.
  This is how ``pulumi preview --policy-pack policies/ionoscr`` runs it (CLI 3.274 and later).
* ``executable``: ``--policy-pack policies/ionoscr/pulumi-analyzer-ionoscr`` names an
  executable, which the CLI runs directly with ``[flags] <engine address>`` (no language host
  needed).
* ``legacy``: older CLIs without a language host run ``pulumi-analyzer-policy-python <engine
  address> .`` in the pack directory, i.e. ``python -u -m pulumi.policy <engine address> .``.

A minimal engine servicer listens at the address (the pack would log to it).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc

from pulumi_ionoscr.policies import POLICIES, REGISTRY_TYPE, REPOSITORY_TYPE, TOKEN_TYPE

from ._support import UNKNOWN, registry_props, token_props, urn

PACK_DIR = Path(__file__).resolve().parents[2] / "policies" / "ionoscr"
MANDATORY = analyzer_pb2.MANDATORY
ADVISORY = analyzer_pb2.ADVISORY


class _Engine(engine_pb2_grpc.EngineServicer):
    """Records what the pack logs (the SDK logs to the engine only when it has an address)."""

    def __init__(self) -> None:
        self.logs: list[Any] = []

    def Log(self, request, context):
        self.logs.append(request)
        return empty_pb2.Empty()


@pytest.fixture(scope="module")
def engine() -> Iterator[tuple[str, _Engine]]:
    servicer = _Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine_pb2_grpc.add_EngineServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}", servicer
    server.stop(0)


LAUNCH_MODES = ("language-host", "executable", "legacy")


def launch_command(mode: str, address: str) -> tuple[list[str], Path]:
    """The command and working directory a CLI uses to start the pack in `mode`."""
    if mode == "language-host":
        return [sys.executable, "-u", str(PACK_DIR), "-v=9", address], PACK_DIR.parents[1]
    if mode == "executable":
        return [str(PACK_DIR / "pulumi-analyzer-ionoscr"), address], PACK_DIR.parents[1]
    return [sys.executable, "-u", "-m", "pulumi.policy", address, "."], PACK_DIR


@pytest.fixture(scope="module", params=LAUNCH_MODES)
def analyzer(request, engine) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    address, _ = engine
    env = {
        **os.environ,
        "PULUMI_PROJECT": "shop",
        "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true",
        "PULUMI_PYTHON_CMD": sys.executable,  # for the executable launcher
    }
    command, cwd = launch_command(request.param, address)
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        first = lines.get(timeout=60)
    except queue.Empty:
        process.kill()
        pytest.fail("the policy pack printed no port within 60 s")
    if not first.strip().isdigit():
        process.kill()
        pytest.fail(f"expected a port, got {first!r}; stderr: {process.stderr.read()}")
    channel = grpc.insecure_channel(f"127.0.0.1:{first.strip()}")
    grpc.channel_ready_future(channel).result(timeout=30)
    try:
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        channel.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stub(analyzer) -> analyzer_pb2_grpc.AnalyzerStub:
    """The analyzer with its config reset (Configure replaces the whole config)."""
    analyzer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={}))
    return analyzer


def struct(value: dict[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(value)
    return result


def analyze(stub, resource_type: str, props: dict[str, Any], name: str = "main"):
    response = stub.Analyze(
        analyzer_pb2.AnalyzeRequest(
            type=resource_type,
            properties=struct(props),
            urn=urn(resource_type, name),
            name=name,
            options=analyzer_pb2.AnalyzerResourceOptions(),
        )
    )
    return list(response.diagnostics)


def configure(stub, config: dict[str, tuple[int, dict[str, Any]]]) -> None:
    stub.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(enforcementLevel=level, properties=struct(props))
                for name, (level, props) in config.items()
            }
        )
    )


BAD_REGISTRY = registry_props(
    name="Shop_Main",
    location="us/nyc",
    vulnerability_scanning=None,
    garbage_collection_schedule=None,
    api_subnet_allow_list=["0.0.0.0/0"],
)


def test_analyzer_info_lists_every_policy_with_level_and_schema(stub):
    info = stub.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "ionoscr" and info.supportsConfig
    assert "IONOS Container Registry" in info.description
    served = {p.name: p for p in info.policies}
    assert list(served) == [p.name for p in POLICIES]
    for policy in POLICIES:
        entry = served[policy.name]
        assert entry.description == policy.description
        assert entry.enforcementLevel == (
            MANDATORY if policy.enforcement_level.value == "mandatory" else ADVISORY
        )
        schema = json_format.MessageToDict(entry.configSchema.properties)
        assert schema.keys() == policy.config_schema.properties.keys()
        for key, spec in schema.items():
            assert spec["default"] == policy.config_schema.properties[key]["default"]
        assert entry.remediation_steps
    assert served["ionoscr-registry-gc-schedule"].enforcementLevel == ADVISORY
    assert served["ionoscr-registry-location"].enforcementLevel == MANDATORY
    assert served["ionoscr-tokens-per-registry"].policy_type == analyzer_pb2.POLICY_TYPE_STACK
    assert served["ionoscr-registry-name"].policy_type == analyzer_pb2.POLICY_TYPE_RESOURCE


def test_analyze_reports_a_violating_registry_with_defaults(stub):
    diagnostics = analyze(stub, REGISTRY_TYPE, BAD_REGISTRY)
    by_policy = {d.policyName: d for d in diagnostics}
    assert sorted(by_policy) == sorted(
        [
            "ionoscr-registry-name",
            "ionoscr-registry-location",
            "ionoscr-registry-vulnerability-scanning",
            "ionoscr-registry-gc-schedule",
            "ionoscr-registry-api-allow-list",
        ]
    )
    assert len(diagnostics) == 5
    location = by_policy["ionoscr-registry-location"]
    assert location.enforcementLevel == MANDATORY
    assert location.policyPackName == "ionoscr"
    assert "`location` = 'us/nyc'" in location.message and "de/fra" in location.message
    assert "Shop_Main" in location.message
    assert by_policy["ionoscr-registry-gc-schedule"].enforcementLevel == ADVISORY
    assert by_policy["ionoscr-registry-vulnerability-scanning"].enforcementLevel == ADVISORY


def test_analyze_passes_a_good_registry_and_ignores_other_types(stub):
    assert analyze(stub, REGISTRY_TYPE, registry_props()) == []
    assert analyze(stub, "aws:s3/bucket:Bucket", {"name": "Shop_Main", "location": "us/nyc"}) == []


def test_unknowns_during_preview_produce_no_diagnostic_at_all(stub):
    props = {key: UNKNOWN for key in BAD_REGISTRY}
    # Not even the SDK's advisory "can't run policy ... during preview".
    assert analyze(stub, REGISTRY_TYPE, props) == []
    token = token_props(expiry_date=UNKNOWN, scopes=[{"name": UNKNOWN, "actions": ["push"]}])
    assert analyze(stub, TOKEN_TYPE, token, name="ci") == []


def test_configure_changes_levels_and_properties(stub):
    configure(
        stub,
        {
            "ionoscr-registry-location": (MANDATORY, {"allowedLocations": ["us/nyc"]}),
            "ionoscr-registry-gc-schedule": (MANDATORY, {}),
            "ionoscr-registry-name": (analyzer_pb2.DISABLED, {}),
        },
    )
    by_policy = {d.policyName: d for d in analyze(stub, REGISTRY_TYPE, BAD_REGISTRY)}
    assert "ionoscr-registry-location" not in by_policy  # us/nyc allowed now
    assert "ionoscr-registry-name" not in by_policy  # disabled
    assert by_policy["ionoscr-registry-gc-schedule"].enforcementLevel == MANDATORY
    # Numbers arrive as floats; a config of 30 days still works.
    configure(stub, {"ionoscr-token-expiry": (MANDATORY, {"maxDays": 30})})
    [diagnostic] = analyze(stub, TOKEN_TYPE, token_props(expiry_date="2999-01-01"), name="ci")
    assert diagnostic.policyName == "ionoscr-token-expiry" and "at most 30" in diagnostic.message


def stack_resource(resource_type, name, props, deps=None):
    return analyzer_pb2.AnalyzerResource(
        type=resource_type,
        urn=urn(resource_type, name),
        name=name,
        properties=struct(props),
        options=analyzer_pb2.AnalyzerResourceOptions(),
        dependencies=list(deps or []),
        propertyDependencies={
            "registry_id": analyzer_pb2.AnalyzerPropertyDependencies(urns=list(deps))
        }
        if deps
        else {},
    )


def test_analyze_stack_reports_undeclared_scopes_and_too_many_tokens(stub):
    reg_urn = urn(REGISTRY_TYPE, "shop-main")
    # A preview of a new stack: every id unknown, tied together by property dependencies.
    resources = [
        stack_resource(REGISTRY_TYPE, "shop-main", registry_props(registry_id=UNKNOWN)),
        stack_resource(REPOSITORY_TYPE, "app", {"registry_id": UNKNOWN, "name": "app"}, [reg_urn]),
        *[
            stack_resource(
                TOKEN_TYPE,
                f"t{i}",
                token_props(
                    name=f"t{i}",
                    registry_id=UNKNOWN,
                    scopes=[{"name": "app" if i else "ap", "actions": ["pull"]}],
                ),
                [reg_urn],
            )
            for i in range(3)
        ],
    ]
    configure(stub, {"ionoscr-tokens-per-registry": (MANDATORY, {"maxTokensPerRegistry": 2})})
    response = stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
    by_policy = {d.policyName: d for d in response.diagnostics}
    assert sorted(by_policy) == ["ionoscr-token-scopes-declared", "ionoscr-tokens-per-registry"]
    scopes = by_policy["ionoscr-token-scopes-declared"]
    assert scopes.urn == urn(TOKEN_TYPE, "t0") and scopes.enforcementLevel == ADVISORY
    assert "`scopes[0].name` = 'ap'" in scopes.message
    count = by_policy["ionoscr-tokens-per-registry"]
    assert count.urn == reg_urn and count.enforcementLevel == MANDATORY
    assert "has 3 tokens" in count.message and "at most 2" in count.message
    # With the defaults (10 tokens) only the scope remains.
    stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={}))
    response = stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources))
    assert [d.policyName for d in response.diagnostics] == ["ionoscr-token-scopes-declared"]


def test_nothing_was_logged_to_the_engine(stub, engine):
    stub.GetAnalyzerInfo(empty_pb2.Empty())
    assert engine[1].logs == []


def test_the_pack_declares_no_runtime_options():
    # Older CLIs pass each runtime option to the legacy plugin as `-key=value`, and
    # pulumi.policy's argparse reads `-virtualenv=venv` as `-v irtualenv=venv` and exits before
    # serving. The language host needs no option either: it defaults to the pack's `venv`.
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == "python"
    assert project["version"] and project["description"]
    broken = subprocess.run(
        [sys.executable, "-m", "pulumi.policy", "127.0.0.1:1", ".", "-virtualenv=venv"],
        cwd=PACK_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert broken.returncode == 2 and "invalid int value" in broken.stderr


def test_the_launcher_names_the_interpreter_that_cannot_import_the_pack(tmp_path):
    # A Python without pulumi-ionoscr: the pack says so and which interpreter it was.
    bare = tmp_path / "python"
    bare.write_text(f'#!/bin/sh\nexec {sys.executable} -I -S "$@"\n')
    bare.chmod(0o755)
    result = subprocess.run(
        [str(PACK_DIR / "pulumi-analyzer-ionoscr"), "127.0.0.1:1"],
        env={**os.environ, "PULUMI_PYTHON_CMD": str(bare)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot import pulumi_ionoscr.policies" in result.stderr
    assert result.stdout == ""
