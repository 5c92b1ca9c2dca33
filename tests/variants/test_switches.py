"""How variants are chosen: the command line (`--variant`, `--list-variants`, the aliases),
`run_emulator(variants=...)`, the options JSON, the admin API and the pytest option; and
docs/emulator.md lists every one."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from pulumi_ionoscr.emulator import EmulatorOptions, RunningEmulator, run_emulator
from pulumi_ionoscr.emulator._cli import build_parser, options_from_args
from pulumi_ionoscr.emulator._variants import VARIANTS

REPO = Path(__file__).resolve().parents[2]


def emulator_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pulumi_ionoscr.emulator", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_list_variants_prints_every_name_value_default_and_evidence() -> None:
    listed = emulator_cli("--list-variants")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    for variant in VARIANTS.values():
        [header] = [line for line in lines if line.startswith(f"{variant.name}: ")]
        assert f"default {variant.default} " in header and "evidence: " in header
        others = [line.split("\t")[0] for line in lines if line.startswith(f"{variant.name}=")]
        assert others == [f"{variant.name}={value}" for value in variant.choices[1:]]
    # Nothing else: one header per variant, one line per other value.
    assert len(lines) == sum(len(v.choices) for v in VARIANTS.values())


@pytest.mark.parametrize(
    ("arg", "says"),
    [
        ("days-order", "NAME=VALUE"),
        ("no-such-thing=1", "unknown variant 'no-such-thing'"),
        ("days-order=weekly", "'weekly' is not one of reverse, calendar, as-sent"),
    ],
)
def test_a_bad_variant_is_refused_naming_it(arg: str, says: str) -> None:
    refused = emulator_cli("--variant", arg)
    assert refused.returncode == 2 and says in refused.stderr
    assert refused.stdout == ""


def test_variant_flags_and_their_aliases() -> None:
    args = build_parser().parse_args(
        [
            "--options-json",
            '{"variants": ["days-order=calendar", "limits=strict"]}',
            "--variant",
            "days_order=as-sent",
            "--duplicate-name-status",
            "409",
            "--update-state",
            "none",
        ]
    )
    assert options_from_args(args, env={}).variants == {
        "days-order": "as-sent",  # flags override the JSON
        "limits": "strict",
        "duplicate-name-status": "409",
        "update-state": "none",
    }


def test_options_refuse_unknown_variants() -> None:
    with pytest.raises(ValueError, match="unknown variant"):
        EmulatorOptions(variants={"nope": "x"})
    with pytest.raises(ValueError, match="not one of"):
        EmulatorOptions.from_dict({"variants": {"limits": "huge"}})


def test_subprocess_emulator_gets_its_variants() -> None:
    with run_emulator(subprocess=True, variants=["days-order=calendar"]) as emu:
        assert emu.admin.variants()["days-order"] == "calendar"
        assert emu.admin.config()["variants"] == {"days-order": "calendar"}
        body = {
            "properties": {
                "name": "sub",
                "location": "de/fra",
                "garbageCollectionSchedule": {"days": ["Sunday", "Monday"], "time": "01:00:00"},
            }
        }
        created = httpx.post(f"{emu.base_url}/registries", json=body, auth=("a", "b")).json()
        assert created["properties"]["garbageCollectionSchedule"]["days"] == ["Monday", "Sunday"]


def test_admin_switches_variants_until_reset(ionoscr_emulator: RunningEmulator) -> None:
    admin = ionoscr_emulator.admin
    assert admin.set_variants(["error-body=numeric"])["error-body"] == "numeric"
    assert admin.variants()["days-order"] == "reverse"  # the others keep their values
    with pytest.raises(httpx.HTTPStatusError) as refused:
        admin.set_variants({"error-body": "poetry"})
    assert refused.value.response.status_code == 400
    assert "not one of" in refused.value.response.json()["messages"][0]["message"]
    admin.reset()
    assert admin.variants()["error-body"] == "slugs"


# A user's suite gets the plugin from the package's pytest11 entry point alone; older
# conftests also list the module, which then registers it a second time.
@pytest.mark.parametrize(
    "conftest",
    ["", 'pytest_plugins = ["pulumi_ionoscr.emulator.pytest_plugin"]\n'],
    ids=["entry-point", "entry-point-and-conftest"],
)
def test_pytest_option_starts_the_fixture_with_variants(tmp_path: Path, conftest: str) -> None:
    (tmp_path / "conftest.py").write_text(conftest)
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import pytest

            def test_option(ionoscr_emulator):
                assert ionoscr_emulator.admin.variants()["days-order"] == "calendar"

            @pytest.mark.ionoscr_variants("limits=strict", error_body="numeric")
            def test_marker_on_top(ionoscr_emulator):
                chosen = ionoscr_emulator.admin.variants()
                assert chosen["days-order"] == "calendar"
                assert (chosen["limits"], chosen["error-body"]) == ("strict", "numeric")
            """
        )
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--ionoscr-variant",
            "days-order=calendar",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout


def test_docs_table_lists_every_variant_and_value() -> None:
    docs = (REPO / "docs" / "emulator.md").read_text()
    table = docs.split("## Variants", 1)[1].split("\n## ", 1)[0]
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([a-z0-9-]+)` \|[^|]*\|([^\n]*)$", table, re.MULTILINE)
    }
    assert set(rows) == set(VARIANTS)
    for name, variant in VARIANTS.items():
        for value in variant.choices:
            assert f"`{value}`" in rows[name], (name, value)
