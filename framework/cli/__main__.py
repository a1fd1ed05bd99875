"""``python -m framework.cli --app APP COMMAND``: the framework's own command line."""

from framework.cli import cli

cli.main()
