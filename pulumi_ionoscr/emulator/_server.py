"""`run_emulator()`: a real uvicorn server on a loopback address and a free port."""

from __future__ import annotations

import ipaddress
import json
import os
import queue
import socket
import subprocess as _subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import uvicorn

from ._admin import EmulatorAdmin
from ._app import API_PREFIX, build_app
from ._emulator import Emulator
from ._faults import FaultConfig
from ._options import EmulatorOptions
from ._state import Timing
from ._variants import parse_choices

__all__ = ["OPTIONS_ENV", "RunningEmulator", "bind_socket", "check_loopback", "run_emulator"]

#: Environment variable through which a parent hands options (JSON) to a child emulator.
OPTIONS_ENV = "IONOSCR_EMULATOR_OPTIONS_JSON"


@dataclass
class RunningEmulator:
    """A started emulator.

    * `base_url`: `http://127.0.0.1:<port>/containerregistries` — use as the API base URL.
    * `origin`: `http://127.0.0.1:<port>`.
    * `oci_host`: `127.0.0.1:<port>`, the registry host for OCI clients (plain HTTP).
    * `admin`: an `EmulatorAdmin` for the admin API.
    * `emulator`: the in-process `Emulator` (thread mode only; None for a subprocess).
    * `process`: the child process (subprocess mode only).
    """

    base_url: str
    origin: str
    host: str
    port: int
    admin: EmulatorAdmin
    options: EmulatorOptions
    emulator: Emulator | None = None
    process: _subprocess.Popen[bytes] | None = None

    @property
    def oci_host(self) -> str:
        return f"{_url_host(self.host)}:{self.port}"


def check_loopback(host: str) -> str:
    """Only loopback addresses are served; anything else is refused."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"host {host!r} is not a loopback address (use 127.0.0.1 or ::1)")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def bind_socket(host: str, port: int) -> socket.socket:
    host = check_loopback(host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY on accepted connections only then
    # (without it every response waits ~40 ms for a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _uvicorn_config(app: Any, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
    )


def _merge_options(
    options: EmulatorOptions | None,
    *,
    locations: Sequence[str] | None,
    users: Mapping[str, str] | None,
    tokens: Sequence[str] | None,
    timing: Timing | Mapping[str, Any] | None,
    faults: FaultConfig | Mapping[str, Any] | None,
    state_file: str | os.PathLike[str] | None,
    variants: Mapping[str, str] | Sequence[str] | None,
) -> EmulatorOptions:
    opts = replace(options) if options is not None else EmulatorOptions()
    if locations is not None:
        opts.locations = list(locations)
    if users is not None:
        opts.users = dict(users)
    if tokens is not None:
        opts.tokens = list(tokens)
    if timing is not None:
        opts.timing = timing if isinstance(timing, Timing) else Timing.from_dict(timing)
    if faults is not None:
        opts.faults = faults if isinstance(faults, FaultConfig) else FaultConfig.from_dict(faults)
    if state_file is not None:
        opts.state_file = os.fspath(state_file)
    if variants is not None:
        opts.variants = {**opts.variants, **parse_choices(variants)}
    return opts


@contextmanager
def run_emulator(
    options: EmulatorOptions | None = None,
    *,
    subprocess: bool = False,
    host: str = "127.0.0.1",
    port: int = 0,
    locations: Sequence[str] | None = None,
    users: Mapping[str, str] | None = None,
    tokens: Sequence[str] | None = None,
    timing: Timing | Mapping[str, Any] | None = None,
    faults: FaultConfig | Mapping[str, Any] | None = None,
    state_file: str | os.PathLike[str] | None = None,
    variants: Mapping[str, str] | Sequence[str] | None = None,
    startup_timeout: float = 30.0,
    log_level: str = "warning",
) -> Iterator[RunningEmulator]:
    """Start an emulator, yield a `RunningEmulator`, stop it on exit.

    Keyword options override the fields of `options`. `timing` and `faults` may be given as
    dicts (the admin API's JSON); `variants` as `{"days-order": "calendar"}` or
    `["days-order=calendar"]`, on top of the options' own. With `subprocess=True` the emulator
    runs as `python -m pulumi_ionoscr.emulator` in a child process; the base URL is read from
    the child's first stdout line.
    """
    opts = _merge_options(
        options,
        locations=locations,
        users=users,
        tokens=tokens,
        timing=timing,
        faults=faults,
        state_file=state_file,
        variants=variants,
    )
    host = check_loopback(host)
    if subprocess:
        with _run_subprocess(opts, host, port, startup_timeout, log_level) as running:
            yield running
    else:
        with _run_thread(opts, host, port, startup_timeout, log_level) as running:
            yield running


@contextmanager
def _run_thread(
    opts: EmulatorOptions, host: str, port: int, startup_timeout: float, log_level: str
) -> Iterator[RunningEmulator]:
    emu = Emulator(opts)
    sock = bind_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = uvicorn.Server(_uvicorn_config(build_app(emu), log_level))
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    thread = threading.Thread(target=serve, name=f"ionoscr-emulator-{actual_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if errors or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"emulator failed to start: {errors[0] if errors else 'exited'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise TimeoutError("emulator did not start in time")
        time.sleep(0.01)
    origin = f"http://{_url_host(host)}:{actual_port}"
    running = RunningEmulator(
        base_url=origin + API_PREFIX,
        origin=origin,
        host=host,
        port=actual_port,
        admin=EmulatorAdmin(origin),
        options=opts,
        emulator=emu,
    )
    try:
        yield running
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        emu.persist()


def _package_root() -> str:
    # .../pulumi_ionoscr/emulator/_server.py -> the directory holding pulumi_ionoscr/
    return str(Path(__file__).resolve().parents[2])


@contextmanager
def _run_subprocess(
    opts: EmulatorOptions, host: str, port: int, startup_timeout: float, log_level: str
) -> Iterator[RunningEmulator]:
    env = dict(os.environ)
    env[OPTIONS_ENV] = json.dumps(opts.to_dict())
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (_package_root(), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONUNBUFFERED"] = "1"
    cmd = [
        sys.executable,
        "-m",
        "pulumi_ionoscr.emulator",
        "--host",
        host,
        "--port",
        str(port),
        "--log-level",
        log_level,
    ]
    proc = _subprocess.Popen(cmd, stdout=_subprocess.PIPE, env=env)
    assert proc.stdout is not None
    lines: queue.Queue[bytes] = queue.Queue()
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True)
    reader.start()
    try:
        try:
            first = lines.get(timeout=startup_timeout).decode().strip()
        except queue.Empty:
            raise TimeoutError("emulator subprocess printed no base URL in time") from None
        if not first.startswith("http://"):
            raise RuntimeError(
                f"emulator subprocess failed to start (exit code {proc.poll()}): {first!r}"
            )
        base_url = first
        origin = base_url[: -len(API_PREFIX)] if base_url.endswith(API_PREFIX) else base_url
        actual_port = int(origin.rsplit(":", 1)[1])
        admin = EmulatorAdmin(origin)
        running = RunningEmulator(
            base_url=base_url,
            origin=origin,
            host=host,
            port=actual_port,
            admin=admin,
            options=opts,
            process=proc,
        )
        yield running
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except _subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        stdout.close()
