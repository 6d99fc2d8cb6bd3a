"""The exit-code contract shared by every command, and the checks that decide "usage error".

* 0 — ok (warnings allowed);
* 1 — findings, or input that was read and found invalid (located issues);
* 2 — usage error: the command line itself cannot be carried out — a bad
  option or value (argparse), a named input file or folder that does not
  exist, an output folder that does not exist, an output the command refuses
  to overwrite without ``--force``.

The checks print ``buchang COMMAND: PATH: reason`` on stderr and return the
exit code, or ``None`` when the paths are fine.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_USAGE: Final = 2


def missing_inputs(command: str, *paths: str | Path | None) -> int | None:
    """``EXIT_USAGE`` (with the reason on stderr) when a named input does not exist."""
    for p in paths:
        if p is not None and not Path(p).exists():
            print(f"buchang {command}: {p}: 文件或目录不存在 / no such file or folder", file=sys.stderr)
            return EXIT_USAGE
    return None


def missing_output_folders(command: str, *targets: str | Path | None) -> int | None:
    """``EXIT_USAGE`` (with the reason on stderr) when an output's folder does not exist."""
    for t in targets:
        if t is not None and "\x00" in str(t):
            print(f"buchang {command}: {t!r}: 文件名含NUL字符 / NUL byte in the file name", file=sys.stderr)
            return EXIT_USAGE
        if t is not None and not Path(t).parent.is_dir():
            print(f"buchang {command}: 输出目录不存在 / no such folder: {Path(t).parent}", file=sys.stderr)
            return EXIT_USAGE
    return None
