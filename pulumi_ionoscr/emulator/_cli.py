"""`ionoscr-emulator`: run the IONOS Container Registry API emulator from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import uvicorn

from ._app import API_PREFIX, build_app
from ._emulator import Emulator
from ._faults import ERROR_STATUSES, LOST_MODES, FaultConfig, FaultConfigError
from ._options import EmulatorOptions
from ._server import OPTIONS_ENV, _uvicorn_config, bind_socket, check_loopback
from ._state import DEFAULT_LOCATIONS, ApiProblem, Timing
from ._store import StateFileError
from ._variants import VARIANTS, parse_choices, variant_lines

__all__ = ["build_parser", "main", "options_from_args"]

DESCRIPTION = """\
Local emulator of the IONOS Cloud Container Registry management API (and a minimal OCI
registry v2 data plane). The API is served under /containerregistries, exactly like
https://api.ionos.com/containerregistries, so a client only changes the origin. The first line
printed on stdout is the base URL (e.g. http://127.0.0.1:41234/containerregistries).

Admin API (no auth): /_emulator/requests (GET, DELETE), /_emulator/reset (POST),
/_emulator/state (GET), /_emulator/faults (GET, PUT), /_emulator/timing (GET, PUT),
/_emulator/variants (GET, PUT), /_emulator/registries/{id}/state (POST {"state": "Failed"}),
/_emulator/registries/{id}/repositories (POST, seed),
/_emulator/registries/{id}/vulnerabilities (PUT, an artifact's scan findings),
/_emulator/vulnerabilities (GET, the advisory catalogue). See docs/emulator.md.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ionoscr-emulator",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g = p.add_argument_group("server")
    g.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to bind (127.0.0.1, ::1 or localhost; default 127.0.0.1)",
    )
    g.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free port (default 0)"
    )
    g.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug", "trace"],
        help="uvicorn log level, on stderr (default warning)",
    )
    g.add_argument(
        "--state-file",
        metavar="PATH",
        help="persist all state in PATH (loaded at start, rewritten atomically after"
        " every change; blobs included, base64). Default: in memory only",
    )
    g.add_argument(
        "--options-json",
        metavar="JSON",
        help="all options as one JSON object (keys: locations, users, tokens, timing,"
        " faults, state_file, variants); other flags override it."
        f" Also read from the environment variable {OPTIONS_ENV}",
    )

    g = p.add_argument_group("API behaviour")
    g.add_argument(
        "--location",
        action="append",
        metavar="ID",
        dest="locations",
        help="a location id served by GET /locations (repeatable; default "
        + ", ".join(DEFAULT_LOCATIONS)
        + ")",
    )
    g.add_argument(
        "--user",
        action="append",
        metavar="NAME:PASSWORD",
        dest="users",
        help="accept only these Basic credentials (repeatable). Without --user and"
        " --token any non-empty credentials are accepted",
    )
    g.add_argument(
        "--token",
        action="append",
        metavar="TOKEN",
        dest="tokens",
        help="accept only these Bearer tokens (repeatable)",
    )
    g.add_argument(
        "--variant",
        action="append",
        metavar="NAME=VALUE",
        dest="variants",
        help="answer an UNCERTAIN point of the API reference this way instead of the default"
        " (repeatable); --list-variants lists every NAME=VALUE",
    )
    g.add_argument(
        "--list-variants",
        action="store_true",
        help="print every variant (name, question, default, evidence), then one line per"
        " other value starting with NAME=VALUE, and exit",
    )
    g.add_argument(
        "--duplicate-name-status",
        type=int,
        choices=[400, 409],
        help="alias of --variant duplicate-name-status=400|409",
    )

    g = p.add_argument_group(
        "timing",
        "A registry transition completes when BOTH at least N seconds have passed AND the"
        " registry was read (GET, list, HEAD /names) at least N times since the change.",
    )
    g.add_argument(
        "--timing",
        choices=["default", "immediate"],
        help="preset: 'default' (POST New, 1st read WaitingForStorage, 2nd Running;"
        " PATCH/PUT Updating until next read; DELETE: one read as Deleting,"
        " then gone) or 'immediate' (done by the first read; PATCH/PUT answer Running)",
    )
    g.add_argument("--create-seconds", type=float, metavar="S", help="seconds from POST to Running")
    g.add_argument("--create-reads", type=int, metavar="N", help="reads from POST to Running")
    g.add_argument(
        "--update-seconds", type=float, metavar="S", help="seconds a PATCH/PUT stays transitional"
    )
    g.add_argument(
        "--update-reads", type=int, metavar="N", help="reads a PATCH/PUT stays transitional"
    )
    g.add_argument(
        "--update-state",
        choices=list(VARIANTS["update-state"].choices),
        help="alias of --variant update-state=Updating|none",
    )
    g.add_argument(
        "--delete-seconds", type=float, metavar="S", help="seconds until a deleted registry is gone"
    )
    g.add_argument(
        "--delete-reads", type=int, metavar="N", help="reads until a deleted registry is gone"
    )

    g = p.add_argument_group(
        "fault injection",
        "Seeded: the same seed and the same request sequence give the same faults.",
    )
    g.add_argument(
        "--error-rate",
        type=float,
        metavar="F",
        help="fraction (0-1) of requests answered with an injected error, unhandled",
    )
    g.add_argument(
        "--error-status",
        type=int,
        action="append",
        choices=list(ERROR_STATUSES),
        dest="error_statuses",
        help="statuses to inject (repeatable; default 500, 503, 429; 429 and 503"
        " carry Retry-After: 0 or 1)",
    )
    g.add_argument("--latency-ms", type=float, metavar="MS", help="latency added to every request")
    g.add_argument(
        "--latency-jitter-ms", type=float, metavar="MS", help="random extra latency, up to this"
    )
    g.add_argument(
        "--lost-response-rate",
        type=float,
        metavar="F",
        help="fraction (0-1) of requests that are handled (committed) but whose response is lost",
    )
    g.add_argument(
        "--lost-mode",
        action="append",
        choices=list(LOST_MODES),
        dest="lost_modes",
        help="how a response is lost: 502, 503 or drop (the connection); repeatable, default all",
    )
    g.add_argument("--seed", type=int, metavar="N", help="random seed for fault decisions")
    g.add_argument(
        "--fault-method",
        action="append",
        metavar="METHOD",
        dest="fault_methods",
        help="only inject faults into these methods (repeatable)",
    )
    g.add_argument(
        "--fault-path",
        metavar="REGEX",
        help="only inject faults into paths matching REGEX (re.search, raw path)",
    )
    g.add_argument(
        "--fault-data-plane",
        action="store_true",
        help="inject faults into the OCI data plane (/v2/) too",
    )
    return p


def options_from_args(
    args: argparse.Namespace, env: dict[str, str] | None = None
) -> EmulatorOptions:
    """Options from flags (on top of --options-json / the environment). Raises ValueError."""
    env = dict(os.environ) if env is None else env
    raw = args.options_json or env.get(OPTIONS_ENV)
    opts = EmulatorOptions.from_dict(json.loads(raw)) if raw else EmulatorOptions()
    if args.locations:
        opts.locations = [loc for item in args.locations for loc in item.split(",") if loc]
    if args.users:
        users: dict[str, str] = {}
        for item in args.users:
            name, sep, password = item.partition(":")
            if not sep or not name or not password:
                raise ValueError(f"--user {item!r}: expected NAME:PASSWORD")
            users[name] = password
        opts.users = users
    if args.tokens:
        opts.tokens = list(args.tokens)
    choices = dict(opts.variants)
    if args.duplicate_name_status is not None:
        choices["duplicate-name-status"] = str(args.duplicate_name_status)
    if args.update_state is not None:
        choices["update-state"] = args.update_state
    choices.update(parse_choices(args.variants))
    opts.variants = choices
    if args.state_file:
        opts.state_file = args.state_file

    timing: dict[str, object] = {}
    if args.timing:
        timing["preset"] = args.timing
    for key in (
        "create_seconds",
        "create_reads",
        "update_seconds",
        "update_reads",
        "delete_seconds",
        "delete_reads",
    ):
        value = getattr(args, key)
        if value is not None:
            timing[key] = value
    if timing:
        try:
            opts.timing = Timing.from_dict(timing, base=opts.timing)
        except ApiProblem as problem:
            raise ValueError(f"timing: {problem.message}") from None

    faults = opts.faults.to_dict()
    changed = False
    for key, value in (
        ("error_rate", args.error_rate),
        ("error_statuses", args.error_statuses),
        ("latency_ms", args.latency_ms),
        ("latency_jitter_ms", args.latency_jitter_ms),
        ("lost_response_rate", args.lost_response_rate),
        ("lost_modes", args.lost_modes),
        ("seed", args.seed),
        ("methods", args.fault_methods),
        ("path_pattern", args.fault_path),
    ):
        if value is not None:
            faults[key] = value
            changed = True
    if args.fault_data_plane:
        faults["include_data_plane"] = True
        changed = True
    if changed:
        try:
            opts.faults = FaultConfig.from_dict(faults)
        except FaultConfigError as exc:
            raise ValueError(f"faults: {exc}") from None
    return opts


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_variants:
        print("\n".join(variant_lines()))
        return 0
    try:
        host = check_loopback(args.host)
        opts = options_from_args(args)
        emu = Emulator(opts)
    except (ValueError, StateFileError) as exc:
        parser.error(str(exc))
    try:
        sock = bind_socket(host, args.port)
    except OSError as exc:
        parser.error(f"cannot bind {host}:{args.port}: {exc}")
    port = sock.getsockname()[1]
    url_host = f"[{host}]" if ":" in host else host
    print(f"http://{url_host}:{port}{API_PREFIX}", flush=True)
    server = uvicorn.Server(_uvicorn_config(build_app(emu), args.log_level))
    try:
        server.run(sockets=[sock])
    finally:
        emu.persist()
        sock.close()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
