"""The ready pack served by a real analyzer process, driven over gRPC as the engine drives it.

The engine reads the port from the first line of the pack's stdout and calls GetAnalyzerInfo,
Configure (with the config reconciled against the schemas), Analyze per resource and
AnalyzeStack at the end. The pack is started the way both Python language hosts start it (the
upstream one and scripts/pulumi_language_python.py, RunPlugin of kind analyzer):
``<python> -u -m pulumi.policy [flags] <engine address> <pack dir>`` in the pack directory,
where ``<python>`` is the pack's venv (``PulumiPolicy.yaml`` names it).

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


def launch_command(address: str) -> list[str]:
    """The command a language host runs for the pack (in the pack directory)."""
    return [sys.executable, "-u", "-m", "pulumi.policy", "-v=9", address, str(PACK_DIR)]


@pytest.fixture(scope="module")
def analyzer(engine) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    address, _ = engine
    env = {
        **os.environ,
        "PULUMI_PROJECT": "shop",
        "PULUMI_STACK": "dev",
        "PULUMI_DRY_RUN": "true",
    }
    process = subprocess.Popen(
        launch_command(address),
        cwd=PACK_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
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


def test_the_pack_names_its_virtualenv():
    # Pulumi's Python language host runs a pack with the ambient `python3` unless the pack names
    # a virtualenv (it defaults to `venv` only for other plugins): without this, a pip user's
    # pack fails with "No module named 'pulumi'".
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    assert project["version"] and project["description"]


def test_the_pack_names_the_interpreter_that_cannot_import_it(tmp_path):
    # A Python without pulumi-ionoscr (no site-packages): the pack says so, which interpreter
    # it was, and how to create its venv.
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(PACK_DIR), "127.0.0.1:1"],
        cwd=PACK_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot import pulumi_ionoscr.policies" in result.stderr
    assert "pip install -r requirements.txt" in result.stderr
    assert result.stdout == ""
