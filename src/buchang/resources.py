"""Where the bundled data lives: the shipped ``tables/`` and ``scenarios/`` folders.

They sit at the top of the source tree (the layout is fixed), so an editable
install finds them beside the package; ``BUCHANG_TABLES`` and
``BUCHANG_SCENARIOS`` point elsewhere (a wheel install, an office's copy).
"""

from __future__ import annotations

import os
from pathlib import Path


def source_root() -> Path:
    """The repository root of an editable install (``src/buchang/`` → ``../..``)."""
    return Path(__file__).resolve().parents[2]


def scenarios_dir() -> Path:
    """The bundled ``scenarios/`` folder (``BUCHANG_SCENARIOS`` overrides it)."""
    env = os.environ.get("BUCHANG_SCENARIOS")
    return Path(env) if env else source_root() / "scenarios"


def example_project() -> Path:
    """The bundled example project the demo computes."""
    return scenarios_dir() / "examples" / "songjiang_small.yaml"
