"""``python -m pulumi_ionoscr.policies init DIR``: see `pulumi_ionoscr.policies._init`."""

import sys

from ._init import main

sys.exit(main())
