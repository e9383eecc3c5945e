"""``python -m viz``: draw, explain or play the backward pass of an expression (see ``viz.cli``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
