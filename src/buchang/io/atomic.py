"""Write outputs atomically: all of it, or nothing at the target.

Every writer puts its bytes in a fresh temporary file in the target's folder
— an unguessable name created exclusively (``O_EXCL``), so that a symlink
planted at a predictable name cannot redirect the write outside the folder —
and renames it over the target when complete; a rename replaces a symlink
standing at the target instead of writing through it. On any failure the
temporary file is removed and the target is untouched.

A name with a NUL byte cannot be a file name: it is refused with an
``OSError`` (``EINVAL``) like any other unwritable path, so that callers that
report ``OSError`` report it instead of crashing on Python's ``ValueError``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path


def check_output(path: str | Path) -> Path:
    """The output path, after checking it can name a file in an existing folder."""
    text = os.fspath(path)
    if "\x00" in text:
        raise OSError(errno.EINVAL, "文件名含NUL字符 / the file name contains a NUL byte", repr(text))
    target = Path(text)
    if not target.parent.is_dir():
        raise FileNotFoundError(f"输出目录不存在 / no such folder: {target.parent}")
    if target.is_dir():
        raise IsADirectoryError(f"输出路径是目录 / the output is a folder: {target}")
    return target


def temp_beside(target: Path) -> Path:
    """A new, empty, exclusively created temporary file in ``target``'s folder.

    Its mode follows the umask (as the target's would), not ``mkstemp``'s 0600.
    """
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        mask = os.umask(0o022)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
    finally:
        os.close(fd)
    return Path(name)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; ``OSError`` when it cannot."""
    target = check_output(path)
    tmp = temp_beside(target)
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target
