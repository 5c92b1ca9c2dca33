"""Drive the real Pulumi CLI from tests.

`PulumiStack` runs the CLI as a subprocess with an isolated environment: a temporary
`PULUMI_HOME`, the local file backend in a temporary directory, a passphrase secrets provider,
no update checks, no plugin downloads, and PATH with the CLI directory and this interpreter's
`bin` first. Every command returns a `CommandResult` (arguments, exit code, stdout, stderr and
parsed JSON where the command prints JSON) or raises `PulumiCommandError` with the full output.

Programs run in one of two ways:

* ``inline``: a Python callable runs in this process behind a language-runtime gRPC server,
  and the CLI connects to it with ``--client`` (the Automation API's inline path). Needs no
  Python language host, so it works with a CLI built from the Go module proxy.
* ``language-host``: a project directory with ``Pulumi.yaml`` and ``__main__.py`` is run by
  the CLI through ``pulumi-language-python`` as ``pulumi up`` would in a user's CI.

`PulumiStack.from_directory` copies a project directory into the stack's work directory (so
``Pulumi.<stack>.yaml`` never lands in the source tree) and picks ``language-host`` when the
host is installed, else runs the directory's ``__main__.py`` inline. A project that declares a
virtualenv (``runtime.options.virtualenv``, as ``pulumi new python`` writes it) gets that venv
(a link to this interpreter's, or the one given) and runs as a user's would: no
``PULUMI_PYTHON_CMD``, nothing of the harness on PATH or PYTHONPATH.

The CLI directory holds one Python language host: Pulumi's own (``upstream``, built by
``scripts/install-pulumi.sh`` from its source) or the project's fallback (``project``);
`bootstrap_cli(language_host=...)` asks for either.
"""

from __future__ import annotations

import json
import os
import runpy
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

REPO_ROOT = Path(__file__).resolve().parents[2]
ENGINE_TESTS_DIR = Path(__file__).resolve().parent
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi.sh"

PASSPHRASE = "pulumi-ionoscr-engine-tests"
DEFAULT_TIMEOUT = 600.0
# The project's own host launcher carries this mark (scripts/install-pulumi.sh writes it).
PROJECT_HOST_MARK = b"written by pulumi-ionoscr's scripts/install-pulumi.sh"

Mode = Literal["inline", "language-host"]
Program = Callable[[], None]
LanguageHost = Literal["auto", "upstream", "project"]


@dataclass(frozen=True)
class PulumiCli:
    """A usable Pulumi CLI: the directory that holds `pulumi` and its Python language host."""

    bin_dir: Path
    version: str

    @property
    def pulumi(self) -> Path:
        return self.bin_dir / "pulumi"

    @property
    def has_language_host(self) -> bool:
        """Whether `pulumi-language-python` is beside the CLI or on PATH."""
        if (self.bin_dir / "pulumi-language-python").exists():
            return True
        return shutil.which("pulumi-language-python") is not None

    @property
    def language_host(self) -> Literal["upstream", "project"] | None:
        """Which Python language host the CLI runs programs and packs with: ``upstream``
        (Pulumi's own, built from source or shipped with a release), ``project``
        (scripts/pulumi_language_python.py), or None."""
        host = self.bin_dir / "pulumi-language-python"
        if not host.exists():
            found = shutil.which("pulumi-language-python")
            if found is None:
                return None
            host = Path(found)
        with host.open("rb") as launcher:
            head = launcher.read(4096)
        return "project" if PROJECT_HOST_MARK in head else "upstream"

    def describe(self) -> str:
        """One line for reports: version, host and directory."""
        host = {
            "upstream": "the upstream Python language host (pulumi-language-python)",
            "project": "the project's Python language host (scripts/pulumi_language_python.py)",
            None: "no Python language host",
        }[self.language_host]
        return f"Pulumi CLI {self.version} with {host}, in {self.bin_dir}"


class CliUnavailable(Exception):
    """No Pulumi CLI can be had; `str()` is the one-line reason."""


def bootstrap_cli(
    timeout: float = 3600.0, *, build: bool = True, language_host: LanguageHost | None = None
) -> PulumiCli:
    """Run `scripts/install-pulumi.sh` (which finds, reuses or builds a CLI and its host).

    With `build=False` only what is on PATH or in the cache is accepted (takes milliseconds).
    `language_host` picks the Python language host (default: `$PULUMI_LANGUAGE_HOST`, else
    ``auto``; docs/engine.md); each comes in its own directory, so a test can run one CLI under
    either.
    Raises `CliUnavailable` with a one-line reason when the script cannot provide one.
    """
    env = dict(os.environ)
    env.setdefault("PYTHON", sys.executable)
    args = ["--language-host", language_host] if language_host else []
    args += [] if build else ["--no-build"]
    try:
        proc = subprocess.run(
            ["bash", str(INSTALL_SCRIPT), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CliUnavailable(f"install-pulumi.sh did not finish within {timeout:.0f}s") from exc
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        last = [line for line in proc.stderr.splitlines() if line.strip()][-1:] or ["no output"]
        reason = last[0].strip().removeprefix("install-pulumi: ")
        raise CliUnavailable(f"no Pulumi CLI (install-pulumi.sh exit {proc.returncode}: {reason})")
    bin_dir = Path(lines[-1].strip())
    version = subprocess.run(
        [str(bin_dir / "pulumi"), "version"],
        capture_output=True,
        text=True,
        env={**env, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        check=False,
    ).stdout.strip()
    if not version:
        raise CliUnavailable(f"the Pulumi CLI in {bin_dir} does not run")
    return PulumiCli(bin_dir=bin_dir, version=version)


@dataclass
class CommandResult:
    """What one CLI command printed and returned."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    json: Any = None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (
            f"$ pulumi {' '.join(self.args)}\n"
            f"exit code: {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )


class PulumiCommandError(AssertionError):
    """A CLI command ended unexpectedly; the message holds the command and its full output."""

    def __init__(self, result: CommandResult, expectation: str) -> None:
        super().__init__(f"{expectation}\n{result.describe()}")
        self.result = result


@dataclass
class PulumiStack:
    """One project + stack in an isolated Pulumi home and file backend.

    Create it with `PulumiStack.inline(...)` or `PulumiStack.from_directory(...)`; use it as a
    context manager (or call `close()`) to remove the temporary directories. `init()` is
    called on construction by both factories.
    """

    cli: PulumiCli
    project: str
    work_dir: Path
    program: Program | None
    mode: Mode
    stack: str = "dev"
    # The project's declared virtualenv option (None: the harness's interpreter runs it).
    virtualenv: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    history: list[CommandResult] = field(default_factory=list)
    _root: Path | None = None

    # ----------------------------------------------------------------- construction

    @classmethod
    def inline(
        cls,
        cli: PulumiCli,
        program: Program,
        *,
        project: str = "engine-test",
        stack: str = "dev",
        root: Path | None = None,
        env: Mapping[str, str] | None = None,
        config: Mapping[str, str] | None = None,
        secret_config: Mapping[str, str] | None = None,
    ) -> PulumiStack:
        """A stack whose program is `program`, run in this process (Automation API style)."""
        base = cls._make_root(root)
        work_dir = base / "project"
        work_dir.mkdir(parents=True)
        (work_dir / "Pulumi.yaml").write_text(
            f"name: {project}\nruntime: python\ndescription: engine test (inline)\n"
        )
        result = cls(
            cli=cli,
            project=project,
            work_dir=work_dir,
            program=program,
            mode="inline",
            stack=stack,
            extra_env=dict(env or {}),
            _root=base,
        )
        result._setup(config, secret_config)
        return result

    @classmethod
    def from_directory(
        cls,
        cli: PulumiCli,
        directory: Path | str,
        *,
        mode: Mode | Literal["auto"] = "auto",
        stack: str = "dev",
        root: Path | None = None,
        env: Mapping[str, str] | None = None,
        config: Mapping[str, str] | None = None,
        secret_config: Mapping[str, str] | None = None,
        virtualenv: Path | str | None = None,
    ) -> PulumiStack:
        """A stack for a project directory (`Pulumi.yaml` + `__main__.py`), copied to a temp dir.

        mode ``auto`` uses the Python language host when installed, else runs the copied
        `__main__.py` inline in this process. When the project declares a virtualenv, the copy
        gets it as a link to `virtualenv` (default: this interpreter's venv).
        """
        source = Path(directory).resolve()
        project_file = source / "Pulumi.yaml"
        if not project_file.is_file():
            raise FileNotFoundError(f"{project_file} does not exist")
        project = _project_name(project_file)
        base = cls._make_root(root)
        work_dir = base / "project"
        shutil.copytree(
            source,
            work_dir,
            ignore=shutil.ignore_patterns(
                "__pycache__", "venv", ".venv", "Pulumi.*.yaml", "node_modules"
            ),
        )
        declared = _declared_virtualenv(project_file)
        if declared is not None:
            link = work_dir / declared
            if not link.exists():
                link.symlink_to(Path(virtualenv or sys.prefix).resolve(), target_is_directory=True)
        if mode == "auto":
            mode = "language-host" if cli.has_language_host else "inline"
        program = None if mode == "language-host" else _directory_program(work_dir)
        result = cls(
            cli=cli,
            project=project,
            work_dir=work_dir,
            program=program,
            mode=mode,
            stack=stack,
            virtualenv=declared,
            extra_env=dict(env or {}),
            _root=base,
        )
        result._setup(config, secret_config)
        return result

    @staticmethod
    def _make_root(root: Path | None) -> Path:
        if root is None:
            return Path(tempfile.mkdtemp(prefix="pulumi-engine-"))
        root.mkdir(parents=True, exist_ok=True)
        return root

    def _setup(
        self, config: Mapping[str, str] | None, secret_config: Mapping[str, str] | None
    ) -> None:
        self.home_dir.mkdir(parents=True, exist_ok=True)
        self.backend_dir.mkdir(parents=True, exist_ok=True)
        self.init()
        for key, value in (config or {}).items():
            self.config_set(key, value)
        for key, value in (secret_config or {}).items():
            self.config_set(key, value, secret=True)

    def close(self) -> None:
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self) -> PulumiStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- environment

    @property
    def root(self) -> Path:
        assert self._root is not None
        return self._root

    @property
    def home_dir(self) -> Path:
        return self.root / "pulumi-home"

    @property
    def backend_dir(self) -> Path:
        return self.root / "backend"

    @property
    def backend_url(self) -> str:
        return self.backend_dir.as_uri()

    def env(self) -> dict[str, str]:
        """The environment every CLI command runs with."""
        env = dict(os.environ)
        # Never let a developer's own Pulumi settings leak into a test.
        for key in list(env):
            if key.startswith("PULUMI_") and not key.startswith("PULUMI_IONOSCR_"):
                del env[key]
        venv_bin = str(Path(sys.executable).parent)
        if self.virtualenv is None:
            python_path = [str(ENGINE_TESTS_DIR), str(REPO_ROOT)]
            if os.environ.get("PYTHONPATH"):
                python_path.append(os.environ["PYTHONPATH"])
            env.update(
                {
                    "PATH": os.pathsep.join([str(self.cli.bin_dir), venv_bin, env.get("PATH", "")]),
                    # The language host and the dynamic-provider launcher run this interpreter.
                    "PULUMI_PYTHON_CMD": sys.executable,
                    # Provider processes unpickle providers by reference: make test-only and
                    # project modules importable there.
                    "PYTHONPATH": os.pathsep.join(python_path),
                }
            )
        else:
            # Shaped like `pulumi new python`: the project's venv runs the program and its
            # providers, as for a user; the harness's interpreter is nowhere to be found.
            env.pop("VIRTUAL_ENV", None)
            rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
            env["PATH"] = os.pathsep.join([str(self.cli.bin_dir), *rest])
        env.update(
            {
                "PULUMI_HOME": str(self.home_dir),
                "PULUMI_BACKEND_URL": self.backend_url,
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_SKIP_CONFIRMATIONS": "true",
                "PYTHONUNBUFFERED": "1",
                "NO_COLOR": "1",
            }
        )
        env.update(self.extra_env)
        return env

    # ----------------------------------------------------------------- running

    def run(
        self,
        args: Sequence[str],
        *,
        check: bool = True,
        expect_failure: bool = False,
        parse_json: bool = False,
        timeout: float | None = None,
        stdin: str | None = None,
    ) -> CommandResult:
        """Run `pulumi <args>` in the work dir. Raises `PulumiCommandError` when the exit code is
        not the expected one (`check=False` returns whatever happened)."""
        full = list(args)
        # Flags must precede a "--" that ends option parsing (config set -- key value).
        cut = full.index("--") if "--" in full else len(full)
        full[cut:cut] = ["--non-interactive"]
        proc = subprocess.run(
            [str(self.cli.pulumi), *full],
            cwd=self.work_dir,
            env=self.env(),
            capture_output=True,
            text=True,
            input=stdin,
            timeout=timeout or self.timeout,
            check=False,
        )
        result = CommandResult(
            args=full, returncode=proc.returncode, stdout=proc.stdout, stderr=proc.stderr
        )
        self.history.append(result)
        if check and expect_failure and result.returncode == 0:
            raise PulumiCommandError(result, "expected the command to fail, it succeeded")
        if check and not expect_failure and result.returncode != 0:
            raise PulumiCommandError(result, "the command failed")
        if parse_json and result.returncode == 0:
            try:
                result.json = json.loads(result.stdout)
            except json.JSONDecodeError as exc:
                raise PulumiCommandError(result, f"stdout is not JSON: {exc}") from exc
        return result

    def _run_program(
        self,
        args: Sequence[str],
        *,
        check: bool,
        expect_failure: bool,
        parse_json: bool = False,
    ) -> CommandResult:
        """Run a command that executes the program (up, preview, refresh with program)."""
        if self.mode == "language-host":
            return self.run(args, check=check, expect_failure=expect_failure, parse_json=parse_json)
        assert self.program is not None
        with _language_server(self.program) as address:
            return self.run(
                [*args, f"--client={address}", "--exec-kind", "auto.inline"],
                check=check,
                expect_failure=expect_failure,
                parse_json=parse_json,
            )

    # ----------------------------------------------------------------- commands

    def init(self) -> CommandResult:
        """`pulumi stack init` with the passphrase secrets provider (idempotent)."""
        listed = self.run(["stack", "ls", "--json"], parse_json=True)
        if any(s.get("name") == self.stack for s in listed.json or []):
            return self.run(["stack", "select", self.stack])
        return self.run(["stack", "init", self.stack, "--secrets-provider", "passphrase"])

    def up(
        self,
        *,
        policy_packs: Sequence[Path | str] = (),
        policy_pack_configs: Sequence[Path | str] = (),
        refresh: bool = False,
        targets: Sequence[str] = (),
        replaces: Sequence[str] = (),
        extra_args: Sequence[str] = (),
        check: bool = True,
        expect_failure: bool = False,
    ) -> CommandResult:
        """`pulumi up --yes --skip-preview`."""
        args = ["up", "--yes", "--skip-preview", "--stack", self.stack, "--color", "never"]
        args += _policy_args(policy_packs, policy_pack_configs)
        if refresh:
            args.append("--refresh")
        args += [f"--target={t}" for t in targets]
        args += [f"--replace={r}" for r in replaces]
        args += list(extra_args)
        return self._run_program(args, check=check, expect_failure=expect_failure)

    def preview(
        self,
        *,
        expect_no_changes: bool = False,
        diff: bool = False,
        json_output: bool = False,
        policy_packs: Sequence[Path | str] = (),
        policy_pack_configs: Sequence[Path | str] = (),
        refresh: bool = False,
        extra_args: Sequence[str] = (),
        check: bool = True,
        expect_failure: bool = False,
    ) -> CommandResult:
        """`pulumi preview`; with `expect_no_changes` the CLI itself fails on any change.

        With `json_output` the result's `.json` is the CLI's JSON preview (steps, diagnostics,
        policy violations) — parsed even when the command fails.
        """
        args = ["preview", "--stack", self.stack, "--color", "never"]
        if expect_no_changes:
            args.append("--expect-no-changes")
        if diff:
            args.append("--diff")
        if json_output:
            args.append("--json")
        if refresh:
            args.append("--refresh")
        args += _policy_args(policy_packs, policy_pack_configs)
        args += list(extra_args)
        result = self._run_program(args, check=check, expect_failure=expect_failure)
        if json_output and result.stdout.strip():
            try:
                result.json = json.loads(result.stdout)
            except json.JSONDecodeError as exc:
                raise PulumiCommandError(result, f"preview --json printed no JSON: {exc}") from exc
        return result

    def refresh(
        self,
        *,
        expect_no_changes: bool = False,
        extra_args: Sequence[str] = (),
        check: bool = True,
        expect_failure: bool = False,
    ) -> CommandResult:
        """`pulumi refresh --yes --skip-preview` (reads every resource through its provider)."""
        args = ["refresh", "--yes", "--skip-preview", "--stack", self.stack, "--color", "never"]
        if expect_no_changes:
            args.append("--expect-no-changes")
        args += list(extra_args)
        return self.run(args, check=check, expect_failure=expect_failure)

    def destroy(
        self,
        *,
        extra_args: Sequence[str] = (),
        check: bool = True,
        expect_failure: bool = False,
    ) -> CommandResult:
        """`pulumi destroy --yes --skip-preview` (runs no program)."""
        args = ["destroy", "--yes", "--skip-preview", "--stack", self.stack, "--color", "never"]
        args += list(extra_args)
        return self.run(args, check=check, expect_failure=expect_failure)

    def export(self, *, show_secrets: bool = False) -> CommandResult:
        """`pulumi stack export`; `.json` is the deployment (version, deployment.resources...)."""
        args = ["stack", "export", "--stack", self.stack]
        if show_secrets:
            args.append("--show-secrets")
        return self.run(args, parse_json=True)

    def resources(self) -> list[dict[str, Any]]:
        """The resources of the exported state (secrets stay ciphertext)."""
        state = self.export().json
        return list(state.get("deployment", {}).get("resources") or [])

    def outputs(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """`pulumi stack output --json` parsed (secrets as "[secret]" unless shown)."""
        return self.stack_output(json_output=True, show_secrets=show_secrets).json or {}

    def stack_output(
        self, name: str | None = None, *, json_output: bool = False, show_secrets: bool = False
    ) -> CommandResult:
        """`pulumi stack output [name] [--json] [--show-secrets]` as printed."""
        args = ["stack", "output", "--stack", self.stack]
        if name is not None:
            args.append(name)
        if json_output:
            args.append("--json")
        if show_secrets:
            args.append("--show-secrets")
        return self.run(args, parse_json=json_output)

    def config_set(
        self, key: str, value: str, *, secret: bool = False, path: bool = False
    ) -> CommandResult:
        """`pulumi config set key value [--secret] [--path]` (value passed on stdin-safe argv)."""
        args = ["config", "set", "--stack", self.stack]
        if secret:
            args.append("--secret")
        if path:
            args.append("--path")
        args += ["--", key, value]
        return self.run(args)

    def config_get(self, key: str) -> str:
        return self.run(["config", "get", "--stack", self.stack, key]).stdout.rstrip("\n")

    def config(self, *, show_secrets: bool = False) -> dict[str, Any]:
        args = ["config", "--stack", self.stack, "--json"]
        if show_secrets:
            args.append("--show-secrets")
        return self.run(args, parse_json=True).json or {}


# --------------------------------------------------------------------- helpers


def _policy_args(packs: Sequence[Path | str], configs: Sequence[Path | str]) -> list[str]:
    if configs and len(configs) != len(packs):
        raise ValueError("policy_pack_configs needs one file per policy pack")
    args: list[str] = []
    for pack in packs:
        args += ["--policy-pack", str(Path(pack).resolve())]
    for config in configs:
        args += ["--policy-pack-config", str(Path(config).resolve())]
    return args


def _project_name(project_file: Path) -> str:
    for line in project_file.read_text().splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    raise ValueError(f"{project_file} has no name")


def _declared_virtualenv(project_file: Path) -> str | None:
    """The project's `runtime.options.virtualenv`, if it declares one."""
    import yaml

    runtime = (yaml.safe_load(project_file.read_text()) or {}).get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = (options or {}).get("virtualenv")
    return str(venv) if venv else None


def init_policy_pack(directory: Path, *, virtualenv: Path | str | None = None) -> Path:
    """The ionoscr pack written by `python -m pulumi_ionoscr.policies init directory` (as a user
    gets it), its declared venv a link to `virtualenv` (default: this interpreter's)."""
    subprocess.run(
        [sys.executable, "-m", "pulumi_ionoscr.policies", "init", str(directory)],
        check=True,
        capture_output=True,
        text=True,
    )
    declared = _declared_virtualenv(directory / "PulumiPolicy.yaml")
    if declared is not None:
        (directory / declared).symlink_to(
            Path(virtualenv or sys.prefix).resolve(), target_is_directory=True
        )
    return directory


def _directory_program(work_dir: Path) -> Program:
    """Run a project's `__main__.py` as an inline program (no language host needed)."""
    main = work_dir / "__main__.py"
    if not main.is_file():
        raise FileNotFoundError(f"{main} does not exist (only Python projects are supported)")

    def program() -> None:
        sys.path.insert(0, str(work_dir))
        try:
            runpy.run_path(str(main), run_name="__main__")
        finally:
            with _SYS_PATH_LOCK:
                if str(work_dir) in sys.path:
                    sys.path.remove(str(work_dir))

    return program


_SYS_PATH_LOCK = threading.Lock()


@contextmanager
def _language_server(program: Program) -> Iterator[str]:
    """Serve `program` as a Pulumi language runtime on 127.0.0.1; yield its address.

    This is what the Automation API does for inline programs; the class lives in a private
    module of the Pulumi SDK, so import it here only.
    """
    import grpc
    from pulumi.automation._server import LanguageServer
    from pulumi.runtime.proto import language_pb2_grpc

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        options=[
            ("grpc.max_receive_message_length", 400 * 1024 * 1024),
            ("grpc.max_send_message_length", 400 * 1024 * 1024),
        ],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(LanguageServer(program), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(0)
