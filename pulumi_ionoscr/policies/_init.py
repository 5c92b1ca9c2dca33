"""``python -m pulumi_ionoscr.policies init DIR``: write the ready ionoscr policy pack.

The pack's files are package data (``pack/``). Next to them goes a ``requirements.txt`` that
installs the same pulumi-ionoscr as the one running this command, with its ``policy`` extra:
the released version, or (read from the install's PEP 610 ``direct_url.json``) the wheel,
directory or VCS revision it was installed from. Standard library only, so it works before the
``policy`` extra is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

DISTRIBUTION = "pulumi-ionoscr"
EXTRA = "policy"
#: The pack's own files, in the order they are reported.
PACK_FILES = ("PulumiPolicy.yaml", "__main__.py", ".gitignore")
REQUIREMENTS = "requirements.txt"


class InitError(Exception):
    """The pack cannot be written as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Source:
    """Where the pack's venv gets pulumi-ionoscr from."""

    line: str  # the requirements.txt line
    description: str  # for the user
    local_path: Path | None = None  # a wheel or directory on this machine


def _local_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL, else None."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


def _installed() -> metadata.Distribution:
    """The installed pulumi-ionoscr: the first one an installer recorded (a source checkout's
    ``*.egg-info`` build metadata may come first on sys.path, e.g. from the checkout's root)."""
    found = list(metadata.distributions(name=DISTRIBUTION))
    if not found:
        raise metadata.PackageNotFoundError(DISTRIBUTION)
    return next((d for d in found if d.read_text("INSTALLER") is not None), found[0])


def requirement(pack_dir: Path) -> Source:
    """How the pack's venv installs the pulumi-ionoscr that runs this, with its policy extra.

    A local directory inside which the pack sits is written relative to the pack directory
    (pip resolves it from there: run pip in the pack directory); any other path is absolute.
    """
    dist = _installed()
    named = f"{DISTRIBUTION}[{EXTRA}]"
    direct_url = dist.read_text("direct_url.json")
    if not direct_url:
        return Source(f"{named}=={dist.version}", f"the package index, version {dist.version}")
    origin = json.loads(direct_url)
    url: str = origin["url"]
    if "vcs_info" in origin:
        vcs = origin["vcs_info"]
        revision = vcs.get("commit_id") or vcs.get("requested_revision")
        spec = f"{vcs['vcs']}+{url}" + (f"@{revision}" if revision else "")
        if origin.get("subdirectory"):
            spec += f"#subdirectory={origin['subdirectory']}"
        return Source(f"{named} @ {spec}", spec)
    path = _local_path(url)
    if "dir_info" in origin and path is not None:
        inside = pack_dir.resolve().is_relative_to(path.resolve())
        location = os.path.relpath(path, pack_dir.resolve()) if inside else str(path)
        editable = origin["dir_info"].get("editable", False)
        kind = "the editable checkout" if editable else "the directory"
        return Source(f"{'-e ' if editable else ''}{location}[{EXTRA}]", f"{kind} {path}", path)
    return Source(f"{named} @ {url}", str(path or url), path)


def pack_files(source: Source) -> dict[str, bytes]:
    """Every file of the pack, by name, as `init` writes them."""
    templates = resources.files("pulumi_ionoscr.policies") / "pack"
    files = {name: (templates / name).read_bytes() for name in PACK_FILES}
    files[REQUIREMENTS] = f"{source.line}\n".encode()
    return files


def init(pack_dir: Path, *, force: bool = False) -> Source:
    """Write the pack into `pack_dir` (created if needed) and say where its requirements.txt
    installs pulumi-ionoscr from. Files that exist with other content are only replaced with
    `force`; the pack's venv is never touched."""
    source = requirement(pack_dir)
    files = pack_files(source)
    differing = [
        name
        for name, content in files.items()
        if (pack_dir / name).exists() and (pack_dir / name).read_bytes() != content
    ]
    if differing and not force:
        raise InitError(
            f"{pack_dir} already has {', '.join(differing)} with other content; "
            "choose an empty directory, or pass --force to overwrite them"
        )
    pack_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (pack_dir / name).write_bytes(content)
    return source


def _next_steps(pack_dir: Path, source: Source) -> str:
    where = shlex.quote(str(pack_dir))
    gone = source.local_path is not None and not source.local_path.exists()
    warning = (
        f"\nWarning: {source.local_path} no longer exists; point requirements.txt at "
        f"{DISTRIBUTION} another way (a wheel, a checkout, or a version from an index)."
        if gone
        else ""
    )
    return (
        f"Wrote the ionoscr policy pack to {pack_dir}: {', '.join([*PACK_FILES, REQUIREMENTS])}.\n"
        f"Its venv needs {DISTRIBUTION} with the '{EXTRA}' extra (pulumi-policy); "
        f"requirements.txt installs it from {source.description}.{warning}\n"
        "Next, create the venv that PulumiPolicy.yaml names, then run the pack:\n"
        f"  (cd {where} && python3 -m venv venv && venv/bin/pip install -r requirements.txt)\n"
        f"  pulumi preview --policy-pack {where}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_ionoscr.policies",
        description="Tools for the ionoscr policy pack.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    init_parser = commands.add_parser(
        "init",
        help="write the ready ionoscr policy pack into DIR",
        description="Write the ready ionoscr policy pack (PulumiPolicy.yaml, __main__.py, "
        ".gitignore and a requirements.txt for this pulumi-ionoscr) into DIR.",
    )
    init_parser.add_argument("dir", type=Path, metavar="DIR")
    init_parser.add_argument(
        "--force", action="store_true", help="overwrite pack files that exist with other content"
    )
    args = parser.parse_args(argv)
    try:
        source = init(args.dir, force=args.force)
    except (InitError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(_next_steps(args.dir, source), end="")
    return 0
