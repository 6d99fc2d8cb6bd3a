"""Write the broken survey workbooks, one per error code, to a folder.

    python tests/io/broken/make_broken.py [FOLDER]   # default: tests/io/broken/out

The tests generate the same files into a temporary folder (``io_kit.CASES``),
deterministically, so nothing binary needs committing; this script is for
looking at them in Excel.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root

from tests.io.io_kit import CASES, write_all


def main(folder: Path) -> None:
    for code, path in write_all(folder).items():
        case = CASES[code]
        print(f"{path}  [{code}] at {case.where or '(file)'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "out")
