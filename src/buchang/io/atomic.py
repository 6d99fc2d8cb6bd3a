"""Write a text output atomically: all of it, or nothing at the target.

The text goes to a fresh temporary file in the target's folder (an
unpredictable name made with ``O_EXCL``, so a symlink planted at a guessable
name cannot redirect the write), then is renamed over the target — a rename
replaces a symlink standing at the target instead of writing through it.
On any failure the temporary file is removed and the target is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; ``OSError`` when it cannot."""
    target = Path(path)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"输出目录不存在 / no such folder: {target.parent}")
    if target.is_dir():
        raise IsADirectoryError(f"输出路径是目录 / the output is a folder: {target}")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target
