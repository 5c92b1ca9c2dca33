"""A small Pulumi language host for Python, written for pulumi-ionoscr's engine tests and demo.

The Pulumi CLI built from the Go module proxy comes without `pulumi-language-python` (that
module is untagged upstream and not served), and recent CLIs start Python policy packs only
through a language host. `scripts/install-pulumi.sh` copies this file beside the CLI and writes
a `pulumi-language-python` one-liner that runs it with the project's interpreter.

It implements the part of the LanguageRuntime service the engine needs to

* run a Python program directory (`Run`): each run is a child process of this interpreter that
  configures `pulumi.runtime` from the request and runs the project's `__main__.py`;
* start plugins written in Python (`RunPlugin`): policy packs (`python -m pulumi.policy`) and
  provider directories, streaming their stdout/stderr back to the engine.

It installs nothing and ignores the `virtualenv`/`toolchain` runtime options: the interpreter is
the one this host runs with ($PULUMI_PYTHON_CMD or the one recorded by install-pulumi.sh).

Usage (by the engine): pulumi-language-python [flags...] <engine address>
"""

from __future__ import annotations

import asyncio
import os
import queue
import runpy
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator
from concurrent import futures
from typing import Any

HOST_VERSION = "0.1.0"
_RUN_FLAG = "--pulumi-ionoscr-run-program"


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


# --------------------------------------------------------------------------- the server


def _serve(engine_address: str) -> None:
    import grpc
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

    class Host(language_pb2_grpc.LanguageRuntimeServicer):
        def Handshake(self, request: Any, context: Any) -> Any:
            return language_pb2.LanguageHandshakeResponse()

        def GetPluginInfo(self, request: Any, context: Any) -> Any:
            return plugin_pb2.PluginInfo(version=_pulumi_version())

        def About(self, request: Any, context: Any) -> Any:
            return language_pb2.AboutResponse(
                executable=sys.executable,
                version=".".join(map(str, sys.version_info[:3])),
                metadata={"host": f"pulumi-ionoscr language host {HOST_VERSION}"},
            )

        def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
            return language_pb2.GetRequiredPluginsResponse()

        def GetRequiredPackages(self, request: Any, context: Any) -> Any:
            return language_pb2.GetRequiredPackagesResponse()

        def GetProgramDependencies(self, request: Any, context: Any) -> Any:
            return language_pb2.GetProgramDependenciesResponse()

        def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:
            # Dependencies come from the project's own environment; nothing to install.
            return iter(())

        def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:
            return language_pb2.RuntimeOptionsResponse()

        def Run(self, request: Any, context: Any) -> Any:
            with tempfile.TemporaryDirectory(prefix="pulumi-ionoscr-run-") as tmp:
                request_path = os.path.join(tmp, "request.pb")
                response_path = os.path.join(tmp, "response.pb")
                with open(request_path, "wb") as f:
                    f.write(request.SerializeToString())
                cmd = [
                    sys.executable,
                    "-u",
                    os.path.abspath(__file__),
                    _RUN_FLAG,
                    request_path,
                    response_path,
                    engine_address,
                ]
                proc = subprocess.Popen(cmd, cwd=request.pwd or None)
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
            program_dir = request.info.program_directory or request.program or request.pwd
            env = dict(item.split("=", 1) for item in request.env if "=" in item) or None
            if request.kind == "analyzer":
                # pulumi.policy takes <engine address> <program>, runs the pack's __main__.py.
                cmd = [sys.executable, "-u", "-m", "pulumi.policy", *request.args, program_dir]
            else:
                entry = os.path.join(program_dir, request.info.entry_point or ".")
                cmd = [sys.executable, "-u", os.path.normpath(entry), *request.args]
            proc = subprocess.Popen(
                cmd,
                cwd=request.pwd or program_dir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            context.add_callback(proc.kill)
            chunks: queue.Queue[tuple[str, bytes]] = queue.Queue()

            def pump(name: str, stream: Any) -> None:
                while True:
                    data = os.read(stream.fileno(), 65536)
                    chunks.put((name, data))
                    if not data:
                        return

            for name, stream in (("stdout", proc.stdout), ("stderr", proc.stderr)):
                threading.Thread(target=pump, args=(name, stream), daemon=True).start()
            open_streams = 2
            while open_streams:
                name, data = chunks.get()
                if not data:
                    open_streams -= 1
                    continue
                if name == "stdout":
                    yield language_pb2.RunPluginResponse(stdout=data)
                else:
                    yield language_pb2.RunPluginResponse(stderr=data)
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

    def stop(signum: int, frame: Any) -> None:
        server.stop(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.wait_for_termination()


def main(argv: list[str]) -> int:
    if argv[:1] == [_RUN_FLAG]:
        return _run_program_child(argv[1], argv[2], argv[3])
    # The engine passes its address as the last argument, after any flags.
    _serve(argv[-1] if argv and not argv[-1].startswith("-") else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
