"""run_emulator (thread and subprocess), the CLI, the state file, the pytest fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator
from pulumi_ionoscr.emulator._cli import build_parser, options_from_args

AUTH = ("alice@example.com", "secret")
ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("IONOSCR_EMULATOR_OPTIONS_JSON", None)
    return env


def test_thread_mode_urls() -> None:
    with run_emulator() as emu:
        assert emu.base_url == f"http://127.0.0.1:{emu.port}/containerregistries"
        assert emu.origin == f"http://127.0.0.1:{emu.port}"
        assert emu.oci_host == f"127.0.0.1:{emu.port}"
        assert httpx.get(f"{emu.base_url}/locations", auth=AUTH).status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{emu.base_url}/locations", auth=AUTH)


def test_subprocess_mode_with_options() -> None:
    with run_emulator(
        subprocess=True, locations=["gb/lhr"], users={"ci": "pw"}, timing={"preset": "immediate"}
    ) as emu:
        assert emu.process is not None and emu.emulator is None
        body = httpx.get(f"{emu.base_url}/locations", auth=("ci", "pw")).json()
        assert [i["id"] for i in body["items"]] == ["gb/lhr"]
        assert httpx.get(f"{emu.base_url}/locations", auth=AUTH).status_code == 401
        assert emu.admin.timing()["update_reads"] == 0
        proc = emu.process
    assert proc.poll() is not None


def test_non_loopback_host_is_refused() -> None:
    with pytest.raises(ValueError, match="loopback"), run_emulator(host="0.0.0.0"):
        pass


def test_cli_prints_base_url_first_and_serves() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pulumi_ionoscr.emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--location",
            "de/fra",
            "--timing",
            "immediate",
        ],
        stdout=subprocess.PIPE,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().decode().strip()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/containerregistries")
        body = httpx.get(f"{first}/locations", auth=AUTH, timeout=10).json()
        assert [i["id"] for i in body["items"]] == ["de/fra"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_cli_help_documents_every_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pulumi_ionoscr.emulator", "--help"],
        capture_output=True,
        text=True,
        env=_env(),
        check=True,
    ).stdout
    for flag in (
        "--host",
        "--port",
        "--location",
        "--user",
        "--token",
        "--timing",
        "--create-seconds",
        "--create-reads",
        "--update-state",
        "--delete-seconds",
        "--delete-reads",
        "--error-rate",
        "--error-status",
        "--latency-ms",
        "--lost-response-rate",
        "--lost-mode",
        "--seed",
        "--fault-method",
        "--fault-path",
        "--state-file",
        "--options-json",
        "--duplicate-name-status",
    ):
        assert flag in out, flag
    # every argparse option has help text
    for action in build_parser()._actions:
        assert action.help, action.option_strings


def test_cli_options_map_to_emulator_options() -> None:
    args = build_parser().parse_args(
        [
            "--location",
            "de/fra,gb/lhr",
            "--user",
            "a:b",
            "--token",
            "t",
            "--create-reads",
            "5",
            "--update-state",
            "none",
            "--error-rate",
            "0.5",
            "--error-status",
            "503",
            "--seed",
            "9",
            "--lost-mode",
            "drop",
            "--fault-method",
            "post",
            "--duplicate-name-status",
            "409",
        ]
    )
    opts = options_from_args(args, env={})
    assert list(opts.locations) == ["de/fra", "gb/lhr"]
    assert opts.users == {"a": "b"} and opts.tokens == ["t"]
    assert opts.timing.create_reads == 5
    assert opts.faults.error_rate == 0.5 and opts.faults.error_statuses == [503]
    assert opts.faults.seed == 9 and opts.faults.lost_modes == ["drop"]
    assert opts.faults.methods == ["POST"]
    # The single-purpose flags are aliases of --variant.
    assert opts.variants == {"update-state": "none", "duplicate-name-status": "409"}
    with pytest.raises(ValueError):
        options_from_args(build_parser().parse_args(["--user", "nopassword"]), env={})


def test_cli_refuses_bad_options() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "pulumi_ionoscr.emulator", "--host", "10.1.2.3"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=30,
    )
    assert r.returncode != 0 and "loopback" in r.stderr


def test_state_file_survives_restart(tmp_path: Path) -> None:
    state = tmp_path / "state" / "emulator.json"
    with run_emulator(state_file=state) as emu:
        c = httpx.Client(base_url=emu.base_url, auth=AUTH)
        rid = c.post(
            "/registries", json={"properties": {"name": "keep", "location": "de/fra"}}
        ).json()["id"]
        tok = c.post(f"/registries/{rid}/tokens", json={"properties": {"name": "ci"}}).json()
        emu.admin.seed_repository(rid, "team/app", [{"tags": ["v1"]}])
    data = json.loads(state.read_text())
    assert data["version"] == 1
    assert tok["properties"]["credentials"]["password"] not in state.read_text()
    assert [p.name for p in state.parent.iterdir()] == ["emulator.json"]  # no temp files left
    with run_emulator(state_file=state, subprocess=True) as emu:
        c = httpx.Client(base_url=emu.base_url, auth=AUTH)
        assert c.get(f"/registries/{rid}").json()["properties"]["name"] == "keep"
        assert c.get(f"/registries/{rid}/tokens/{tok['id']}").status_code == 200
        assert c.get(f"/registries/{rid}/repositories/team%2Fapp").status_code == 200
        assert c.head("/names/keep").status_code == 200


def test_corrupt_state_file_is_refused(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{half a file")
    with pytest.raises(RuntimeError, match="state file"), run_emulator(state_file=state):
        pass


def test_fixture_gives_a_clean_emulator(ionoscr_emulator: RunningEmulator) -> None:
    assert ionoscr_emulator.admin.state()["registries"] == []
    c = httpx.Client(base_url=ionoscr_emulator.base_url, auth=AUTH)
    assert (
        c.post(
            "/registries", json={"properties": {"name": "fixture", "location": "de/fra"}}
        ).status_code
        == 201
    )


def test_fixture_was_reset_between_tests(ionoscr_emulator: RunningEmulator) -> None:
    # runs after test_fixture_gives_a_clean_emulator in file order
    assert ionoscr_emulator.admin.state()["registries"] == []
    assert ionoscr_emulator.admin.requests() == []
