"""python -m otopi "STATEMENT" ..."""

import sys

from otopi import main

sys.exit(main.main())
