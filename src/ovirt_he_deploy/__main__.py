"""python -m ovirt_he_deploy: the ovirt-he-deploy command line."""

import sys

from .cli import main

sys.exit(main())
