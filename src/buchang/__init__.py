"""buchang (补偿): exact land and house expropriation compensation and fund control.

Layers, dependencies pointing one way (``shared/spec/style.md``)::

    core (money, units, ids, errors)
      -> tables (standard tables: load, validate, resolve)
        -> rules (pure compensation rules: inputs + table snapshot -> lines)
          -> batch (the same rules vectorised over int64 fen)
      -> funds (journal, four-level review, reconciliation)
        -> io (spreadsheets, reports) -> cli

Nothing runs at import time: no files are read and no registries are filled.
"""

__version__ = "0.1.0"
