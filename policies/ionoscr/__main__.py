"""The ionoscr policy pack: every policy of `pulumi_ionoscr.policies`, served to the engine.

`python -m pulumi_ionoscr.policies init DIR` writes this pack. Pulumi's Python language host
runs it as ``DIR/venv/bin/python -u -m pulumi.policy [flags] <engine address> DIR`` (the venv
that `PulumiPolicy.yaml` names, with `requirements.txt` installed: pulumi-ionoscr[policy]).
It takes no arguments of its own; `build_pack` prints the port and serves until stopped.
"""

import sys

try:
    from pulumi_ionoscr.policies import build_pack
except ImportError as _error:
    sys.stderr.write(
        f"ionoscr policy pack: cannot import pulumi_ionoscr.policies ({_error}) with "
        f"{sys.executable}. Create the pack's venv with pulumi-ionoscr[policy] in it: in the "
        "pack directory, python3 -m venv venv && venv/bin/pip install -r requirements.txt\n"
    )
    raise SystemExit(1) from None

build_pack("ionoscr")
