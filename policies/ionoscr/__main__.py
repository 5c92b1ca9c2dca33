"""The ionoscr policy pack: every policy of `pulumi_ionoscr.policies`, served to the engine.

The engine starts this as ``python -u -m pulumi.policy <engine address> .`` in this directory,
with whatever Python the ``pulumi-analyzer-policy-python`` plugin runs; that Python must have
pulumi-policy and pulumi-ionoscr installed (see docs/policies.md).
"""

import sys

try:
    from pulumi_ionoscr.policies import build_pack
except ImportError as error:  # pragma: no cover - exercised only with a wrong interpreter
    sys.stderr.write(
        f"ionoscr policy pack: cannot import pulumi_ionoscr.policies ({error}) with "
        f"{sys.executable}. Run the pack with a Python that has pulumi-ionoscr[policy] installed "
        "(e.g. set PULUMI_PYTHON_CMD to that virtualenv's python, or `pip install -r "
        "requirements.txt` into it).\n"
    )
    raise SystemExit(1) from None

build_pack("ionoscr")
