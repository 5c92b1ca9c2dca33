"""What-if for the benchmarks only (never part of the package): every httpx client in this
process shares one SSL context per (verify, cert, trust_env), instead of building one (and
loading the CA bundle) per client. run.py's `--what-if-shared-ssl` puts this directory first on
PYTHONPATH of the Pulumi processes, so the provider process picks it up at start."""

from __future__ import annotations

import functools
from typing import Any

try:
    import httpx._transports.default as _default
except ImportError:  # pragma: no cover - httpx is a dependency of the package
    pass
else:
    _build = getattr(_default, "create_ssl_context")  # noqa: B009 (not exported)

    @functools.lru_cache(maxsize=8)
    def _shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        return _build(verify=verify, cert=cert, trust_env=trust_env)

    def _create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        try:
            return _shared(verify, cert, trust_env)
        except TypeError:  # an unhashable argument: build it as usual
            return _build(verify=verify, cert=cert, trust_env=trust_env)

    setattr(_default, "create_ssl_context", _create_ssl_context)  # noqa: B010
