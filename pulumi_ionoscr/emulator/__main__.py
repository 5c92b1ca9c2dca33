"""`python -m pulumi_ionoscr.emulator`: same as `ionoscr-emulator`."""

from __future__ import annotations

import sys

from ._cli import main

sys.exit(main())
