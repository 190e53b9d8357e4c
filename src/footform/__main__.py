import sys

from footform.apps.cli import main

sys.exit(main())
