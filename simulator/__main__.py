"""``python -m simulator`` is the ``escalation`` command."""

import sys

from simulator.cli import command

if __name__ == "__main__":
    sys.exit(command())
