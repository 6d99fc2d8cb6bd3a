"""Write the broken estimate workbooks, one per case, to a folder.

    python tests/io/broken/make_broken_estimate.py [FOLDER]   # default: tests/io/broken/out-estimate

The tests generate the same files into a temporary folder (``estimate_kit.CASES``),
deterministically, so nothing binary needs committing; this script is for
looking at them in Excel.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root

from tests.io.estimate_kit import CASES, write_all


def main(folder: Path) -> None:
    for name, path in write_all(folder).items():
        case = CASES[name]
        print(f"{path}  [{case.code}] at {case.where} — {name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "out-estimate")
