"""The ionoscr policy pack: every policy of `pulumi_ionoscr.policies`, served to the engine.

Pulumi CLIs start this file with a Python that must have pulumi-policy and pulumi-ionoscr
installed (see docs/policies.md):

* with the Python language host: ``<pack>/venv/bin/python <pack dir> [flags] <engine address>``;
* through the executable ``pulumi-analyzer-ionoscr`` beside this file (no language host);
* older CLIs: ``python -u -m pulumi.policy <engine address> .`` in this directory.

It takes no arguments of its own; `build_pack` prints the port and serves until stopped.
"""

import sys

try:
    from pulumi_ionoscr.policies import build_pack
except ImportError as error:
    sys.stderr.write(
        f"ionoscr policy pack: cannot import pulumi_ionoscr.policies ({error}) with "
        f"{sys.executable}. Run the pack with a Python that has pulumi-ionoscr[policy]: create "
        "the pack's venv (python -m venv venv && venv/bin/pip install -r requirements.txt), or "
        "set PULUMI_PYTHON_CMD for the pulumi-analyzer-ionoscr launcher.\n"
    )
    raise SystemExit(1) from None

build_pack("ionoscr")
