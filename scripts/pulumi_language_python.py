"""A small Pulumi language host for Python: the fallback for pulumi-ionoscr's engine tests.

Pulumi's own `pulumi-language-python` (a Go program) is what users run. The engine tests use it
whenever its source is available (`scripts/install-pulumi.sh` builds it); where it is not,
the script installs this file beside the CLI with a `pulumi-language-python` one-liner that runs
it with Python. docs/engine.md lists how the two differ.

Like upstream it

* runs a program directory (`Run`) in a child process, with the interpreter of the project's
  `virtualenv` runtime option when it sets one, else the ambient Python (`$PULUMI_PYTHON_CMD`,
  else `python3` from PATH);
* starts plugins written in Python (`RunPlugin`): policy packs (`python -u -m pulumi.policy`,
  run in the pack directory) and provider directories; a pack gets the ambient Python unless
  its `PulumiPolicy.yaml` names a virtualenv, other plugins default to their `venv`;
* installs dependencies (`InstallDependencies`, e.g. `pulumi install`): creates the virtualenv
  and runs pip on `requirements.txt`; a program's missing virtualenv is made that way too before
  it runs;
* stops when the engine that started it is gone, and takes its child processes with it.

It supports the pip toolchain only: `toolchain: uv|poetry` and `typechecker` fail clearly.

Usage (by the engine): pulumi-language-python [flags...] <engine address>
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import runpy
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from typing import Any

HOST_VERSION = "0.2.0"
_RUN_FLAG = "--pulumi-ionoscr-run-program"
# How often the host checks that the engine that started it is still there.
_ENGINE_POLL_SECONDS = 0.5


def _pulumi_version() -> str:
    try:
        from importlib.metadata import version

        return version("pulumi")
    except Exception:  # the version is informational only
        return HOST_VERSION


# --------------------------------------------------------------------------- program runs


def _run_program_child(request_path: str, response_path: str, engine_address: str) -> int:
    """In a fresh interpreter: run one program for one RunRequest, write the RunResponse."""
    import logging

    import grpc
    import pulumi
    from pulumi.errors import RunError
    from pulumi.runtime import reset_options, run_in_stack, set_all_config
    from pulumi.runtime.proto import language_pb2

    request = language_pb2.RunRequest()
    with open(request_path, "rb") as src:
        request.ParseFromString(src.read())
    response = language_pb2.RunResponse()

    program_dir = request.info.program_directory or request.pwd or os.getcwd()
    entry = request.info.entry_point or "."
    main = os.path.normpath(os.path.join(program_dir, entry))
    if request.pwd:
        os.chdir(request.pwd)
    # Like `python <dir>`: the program directory is importable.
    sys.path.insert(0, program_dir if os.path.isdir(main) else os.path.dirname(main))
    sys.argv = [main, *request.args]

    reset_options(
        project=request.project,
        stack=request.stack,
        root_directory=request.info.root_directory or program_dir,
        parallel=request.parallel,
        engine_address=engine_address,
        monitor_address=request.monitor_address,
        preview=request.dryRun,
        organization=request.organization or "organization",
    )
    if request.config:
        set_all_config(dict(request.config), list(request.configSecretKeys) or None)

    # Unobserved task failures are reported through the engine already.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if request.parallel:
        loop.set_default_executor(
            futures.ThreadPoolExecutor(max_workers=max(request.parallel, 1) * 4)
        )

    def program() -> None:
        runpy.run_path(main, run_name="__main__")

    try:
        loop.run_until_complete(run_in_stack(program))
    except RunError as exc:
        pulumi.log.error(str(exc))
        response.bail = True
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.UNAVAILABLE:  # UNAVAILABLE: the engine is shutting down
            response.error = f"RPC error: {exc.details()}"
    except BaseException:
        pulumi.log.error(f"Program failed with an unhandled exception:\n{traceback.format_exc()}")
        response.bail = True
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.close()
        sys.stdout.flush()
        sys.stderr.flush()

    with open(response_path, "wb") as dst:
        dst.write(response.SerializeToString())
    return 0


# --------------------------------------------------------------------------- interpreters


class OptionError(Exception):
    """A runtime option this host cannot honour; the message is shown to the user."""


@dataclass(frozen=True)
class Python:
    """The interpreter a program or plugin runs with, and the environment to run it in."""

    executable: str
    virtualenv: str | None = None

    def env(self, base: dict[str, str]) -> dict[str, str]:
        """`base` with the virtualenv activated (as upstream does: PATH first, no PYTHONHOME)."""
        if self.virtualenv is None:
            return dict(base)
        env = {k: v for k, v in base.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
        venv_bin = os.path.join(self.virtualenv, "bin")
        env["PATH"] = os.pathsep.join(filter(None, [venv_bin, base.get("PATH")]))
        env["VIRTUAL_ENV"] = self.virtualenv
        return env


def _ambient_python() -> str:
    """`$PULUMI_PYTHON_CMD`, else `python3`, else `python`, looked up on PATH like upstream."""
    names = [os.environ["PULUMI_PYTHON_CMD"]] if os.environ.get("PULUMI_PYTHON_CMD") else []
    names = names or ["python3", "python"]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise OptionError(f"failed to locate any of {names} on your PATH")


def _virtualenv_option(info: Any, *, default_venv: bool) -> str | None:
    """The absolute virtualenv path the runtime options ask for (relative to the project root),
    or None for the ambient Python. Unsupported options raise OptionError."""
    options = dict(info.options.items()) if info.HasField("options") else {}
    toolchain = options.get("toolchain", "pip")
    if toolchain != "pip":
        raise OptionError(
            f"toolchain {toolchain!r}: this language host (pulumi-ionoscr's fallback) supports "
            "pip only; use the upstream pulumi-language-python"
        )
    if "typechecker" in options:
        raise OptionError(
            f"typechecker {options['typechecker']!r}: this language host (pulumi-ionoscr's "
            "fallback) runs no typechecker; use the upstream pulumi-language-python"
        )
    venv = options.get("virtualenv") or ("venv" if default_venv else None)
    if venv is None:
        return None
    if not isinstance(venv, str):
        raise OptionError("virtualenv option must be a string")
    root = info.root_directory or info.program_directory or os.getcwd()
    return venv if os.path.isabs(venv) else os.path.join(root, venv)


def _python_for(info: Any, *, default_venv: bool) -> Python:
    """The interpreter for a program or plugin, checked the way upstream checks it."""
    venv = _virtualenv_option(info, default_venv=default_venv)
    if venv is None:
        return Python(_ambient_python())
    python = os.path.join(venv, "bin", "python")
    if not os.path.isfile(python):
        exists = os.path.exists(venv)
        state = "doesn't appear to be a virtual environment" if exists else "doesn't exist"
        raise OptionError(
            f"The 'virtualenv' option in Pulumi.yaml is set to {venv!r}, but it {state}; "
            "run the following commands to create the virtual environment and install "
            f"dependencies into it:\n\n    1. python3 -m venv {venv}\n"
            f"    2. {python} -m pip install --upgrade pip setuptools wheel\n"
            f"    3. {python} -m pip install -r requirements.txt\n"
        )
    return Python(python, venv)


def _install_plan(info: Any, *, is_plugin: bool) -> tuple[Python, list[list[str]]]:
    """What upstream runs to install a project's dependencies with pip: create the virtualenv
    (with the ambient Python), update pip, setuptools and wheel, install requirements.txt."""
    venv = _virtualenv_option(info, default_venv=is_plugin)
    base = _ambient_python()
    python = Python(os.path.join(venv, "bin", "python") if venv else base, venv)
    steps = [[python.executable, "-m", "pip", "install", "--upgrade", "pip", "setuptools", "wheel"]]
    program_dir = info.program_directory or os.getcwd()
    if os.path.isfile(os.path.join(program_dir, "requirements.txt")):
        steps.append([python.executable, "-m", "pip", "install", "-r", "requirements.txt"])
    if venv:
        steps.insert(0, [base, "-m", "venv", venv])
    return python, steps


def _venv_missing(info: Any) -> bool:
    """Whether the program's declared virtualenv is absent or an empty directory (upstream
    then creates it before the program runs)."""
    venv = _virtualenv_option(info, default_venv=False)
    if venv is None or os.path.isfile(os.path.join(venv, "bin", "python")):
        return False
    return not os.path.exists(venv) or (os.path.isdir(venv) and not os.listdir(venv))


# --------------------------------------------------------------------------- children


class Children:
    """The processes this host started, so they end with it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()

    @contextlib.contextmanager
    def running(self, cmd: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
        """`cmd` started with `kwargs`, known to `stop_all` until the block ends."""
        proc = subprocess.Popen(cmd, **kwargs)
        with self._lock:
            self._procs.add(proc)
        try:
            yield proc
        finally:
            with self._lock:
                self._procs.discard(proc)

    def stop_all(self, grace: float = 2.0) -> None:
        """SIGTERM every child still running, then SIGKILL what is left after `grace` s."""
        with self._lock:
            procs = [p for p in self._procs if p.poll() is None]
        for proc in procs:
            proc.terminate()
        deadline = time.monotonic() + grace
        for proc in procs:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                proc.kill()


def _watch_engine(children: Children, stop: threading.Event) -> None:
    """Exit once the engine that started this host is gone (it is the parent process: when it
    dies, even by SIGKILL, the host is re-parented). Upstream's host checks the engine's health
    endpoint every 5 minutes instead."""
    parent = os.getppid()
    while not stop.wait(_ENGINE_POLL_SECONDS):
        if os.getppid() != parent:
            children.stop_all()
            os._exit(1)


def _pump(proc: subprocess.Popen[bytes]) -> Iterator[tuple[str, bytes]]:
    """(stream name, data) chunks of the child's stdout and stderr as they come."""
    chunks: queue.Queue[tuple[str, bytes]] = queue.Queue()

    def read(name: str, stream: Any) -> None:
        while True:
            data = os.read(stream.fileno(), 65536)
            chunks.put((name, data))
            if not data:
                return

    for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        threading.Thread(target=read, args=(name, stream), daemon=True).start()
    open_streams = 2
    while open_streams:
        name, data = chunks.get()
        if data:
            yield name, data
        else:
            open_streams -= 1


# --------------------------------------------------------------------------- the server


def _serve(engine_address: str) -> None:
    import grpc
    from google.protobuf import empty_pb2
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

    children = Children()

    class Host(language_pb2_grpc.LanguageRuntimeServicer):
        def Handshake(self, request: Any, context: Any) -> Any:
            return language_pb2.LanguageHandshakeResponse()

        def GetPluginInfo(self, request: Any, context: Any) -> Any:
            return plugin_pb2.PluginInfo(version=_pulumi_version())

        def About(self, request: Any, context: Any) -> Any:
            try:
                python = _python_for(request.info, default_venv=False).executable
            except OptionError:
                python = sys.executable
            version = subprocess.run(
                [python, "-c", "import platform; print(platform.python_version())"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
            return language_pb2.AboutResponse(
                executable=python,
                version=version,
                metadata={
                    "toolchain": "pip",
                    "host": f"pulumi-ionoscr language host {HOST_VERSION}",
                },
            )

        def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
            return language_pb2.GetRequiredPluginsResponse()

        def GetRequiredPackages(self, request: Any, context: Any) -> Any:
            # Like upstream: a missing virtualenv is created and filled before the program
            # runs (pip's output goes to this host's stderr). No packages are reported.
            try:
                if _venv_missing(request.info):
                    python, steps = _install_plan(request.info, is_plugin=False)
                    for _, data in self._install(steps, python, request.info, context):
                        sys.stderr.buffer.write(data)
            except OptionError as exc:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
            return language_pb2.GetRequiredPackagesResponse()

        def _install(
            self, steps: list[list[str]], python: Python, info: Any, context: Any
        ) -> Iterator[tuple[str, bytes]]:
            """Run the install steps in the program directory, yielding their output."""
            for step in steps:
                with children.running(
                    step,
                    cwd=info.program_directory or None,
                    env=python.env(dict(os.environ)),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                ) as proc:
                    yield from _pump(proc)
                    code = proc.wait()
                if code != 0:
                    context.abort(
                        grpc.StatusCode.UNKNOWN, f"{' '.join(step)} exited with code {code}"
                    )

        def GetProgramDependencies(self, request: Any, context: Any) -> Any:
            return language_pb2.GetProgramDependenciesResponse()

        def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:
            return language_pb2.RuntimeOptionsResponse()

        def Cancel(self, request: Any, context: Any) -> Any:
            children.stop_all()
            return empty_pb2.Empty()

        def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:
            """Like upstream with pip (`pulumi install`), streaming pip's output."""
            try:
                python, steps = _install_plan(request.info, is_plugin=request.is_plugin)
            except OptionError as exc:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
            yield language_pb2.InstallDependenciesResponse(stdout=b"Installing dependencies...\n\n")
            for name, data in self._install(steps, python, request.info, context):
                yield language_pb2.InstallDependenciesResponse(**{name: data})
            yield language_pb2.InstallDependenciesResponse(
                stdout=b"Finished installing dependencies\n\n"
            )

        def Run(self, request: Any, context: Any) -> Any:
            try:
                python = _python_for(request.info, default_venv=False)
            except OptionError as exc:
                return language_pb2.RunResponse(error=str(exc))
            with tempfile.TemporaryDirectory(prefix="pulumi-ionoscr-run-") as tmp:
                request_path = os.path.join(tmp, "request.pb")
                response_path = os.path.join(tmp, "response.pb")
                with open(request_path, "wb") as f:
                    f.write(request.SerializeToString())
                cmd = [
                    python.executable,
                    "-u",
                    os.path.abspath(__file__),
                    _RUN_FLAG,
                    request_path,
                    response_path,
                    engine_address,
                ]
                with children.running(
                    cmd, cwd=request.pwd or None, env=python.env(dict(os.environ))
                ) as proc:
                    context.add_callback(proc.terminate)
                    code = proc.wait()
                if not os.path.exists(response_path):
                    return language_pb2.RunResponse(
                        error=f"the Python program process exited with code {code}"
                    )
                response = language_pb2.RunResponse()
                with open(response_path, "rb") as f:
                    response.ParseFromString(f.read())
                return response

        def RunPlugin(self, request: Any, context: Any) -> Iterator[Any]:
            info = request.info
            analyzer = request.kind == "analyzer"
            try:
                python = _python_for(info, default_venv=not analyzer)
            except OptionError as exc:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
            program_dir = info.program_directory or request.pwd
            # As upstream: the activated environment, then the engine's variables over it.
            env = python.env(dict(os.environ))
            env.update(item.split("=", 1) for item in request.env if "=" in item)
            if analyzer:
                # pulumi.policy takes [flags] <engine address> <pack dir>; packs have always
                # run in their own directory.
                cmd = [python.executable, "-u", "-m", "pulumi.policy", *request.args, program_dir]
                cwd = program_dir
            else:
                cmd = [python.executable, program_dir, *request.args]
                cwd = request.pwd or program_dir
            with children.running(
                cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            ) as proc:
                context.add_callback(proc.kill)
                for name, data in _pump(proc):
                    yield language_pb2.RunPluginResponse(**{name: data})
                yield language_pb2.RunPluginResponse(exitcode=proc.wait())

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[
            ("grpc.max_receive_message_length", 400 * 1024 * 1024),
            ("grpc.max_send_message_length", 400 * 1024 * 1024),
        ],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(Host(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)

    stop = threading.Event()
    threading.Thread(target=_watch_engine, args=(children, stop), daemon=True).start()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        children.stop_all()
        server.stop(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.wait_for_termination()


def main(argv: list[str]) -> int:
    if argv[:1] == [_RUN_FLAG]:
        return _run_program_child(argv[1], argv[2], argv[3])
    # The engine passes its address as the last argument, after any flags.
    _serve(argv[-1] if argv and not argv[-1].startswith("-") else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
