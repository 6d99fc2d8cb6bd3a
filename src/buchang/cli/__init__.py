"""The command line: ``buchang COMMAND ...`` (see :mod:`buchang.cli.main`).

Each command module exposes ``register(subparsers)``, which adds its
sub-command(s) and sets ``func`` (``Namespace -> int``, the exit code):
0 ok, 1 findings or invalid input, 2 usage error.
"""
