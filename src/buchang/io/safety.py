"""Refuse hostile .xlsx files before any XML parser sees them.

An .xlsx is a zip of XML parts. Two classic attacks:

* **decompression bombs** — a few kilobytes that inflate to gigabytes. The zip
  *central directory* declares every entry's compressed and uncompressed size;
  :func:`check_xlsx` reads only that directory and refuses a file with too
  many entries, too large a declared total, or an entry whose declared ratio
  is absurd (:class:`Limits`, defaults below). A lying directory (declared
  sizes smaller than the real stream) is caught by the second line of defence:
  every read is bounded — the DOCTYPE scan below reads a fixed prefix, and
  Python's :mod:`zipfile` stops with a CRC/size error at the declared size.
* **XML entity expansion** ("billion laughs", external entities) — a part
  declaring a DTD. No legitimate OOXML part carries a ``<!DOCTYPE``; we scan the
  first 4 KiB of every XML part (the prolog, where a DTD must stand) and refuse
  the file. openpyxl additionally parses through ``defusedxml`` when it is
  installed (it is a dependency; ``openpyxl.xml.DEFUSEDXML`` is True), which
  forbids entity declarations; python-calamine's Rust XML reader does not
  expand custom entities at all.

The defaults suit a 100,000-household survey (a few hundred MB of sheet XML)
and refuse any plausible bomb:

=====================  ============  =========================================
limit                  default       why
=====================  ============  =========================================
``max_entries``        10,000        a workbook has a few dozen parts
``max_total_bytes``    2 GiB         total declared uncompressed size
``max_ratio``          200           per entry, for entries above 1 MiB; real
                                     sheet XML compresses 5–50×, zeros ~1000×
``max_file_bytes``     512 MiB       the .xlsx (or .csv) itself
``max_sheet_cells``    50,000,000    rows × columns of one sheet's used range:
                                     a stray cell at ``XFD1048576`` would
                                     otherwise make a reader build a grid of
                                     17 billion cells
=====================  ============  =========================================
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from buchang.core.errors import Issue, Location

FILE_UNSAFE: Final = "FILE_UNSAFE"
FILE_UNREADABLE: Final = "FILE_UNREADABLE"

_MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps checked before parsing (see the module table)."""

    max_entries: int = 10_000
    max_total_bytes: int = 2048 * _MIB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = _MIB
    max_file_bytes: int = 512 * _MIB
    prolog_bytes: int = 4096
    max_sheet_cells: int = 50_000_000


DEFAULT_LIMITS: Final = Limits()


def _issue(code: str, message: str, file: str) -> Issue:
    return Issue(code, message, location=Location(file=file))


def check_file_size(path: Path, limits: Limits, label: str) -> Issue | None:
    """FILE_UNREADABLE when the file is missing, FILE_UNSAFE when too large."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _issue(FILE_UNREADABLE, f"无法读取文件 / cannot read the file: {exc.strerror or exc}", label)
    if not path.is_file():
        return _issue(FILE_UNREADABLE, "不是文件 / not a file", label)
    if size > limits.max_file_bytes:
        return _issue(
            FILE_UNSAFE,
            f"文件{size}字节，超过上限{limits.max_file_bytes} / file larger than the limit",
            label,
        )
    return None


def check_xlsx(path: Path, limits: Limits = DEFAULT_LIMITS, *, label: str | None = None) -> list[Issue]:
    """Check an .xlsx from its zip directory (and XML prologs) before parsing.

    Returns ``[]`` when safe, else one located issue: ``FILE_UNREADABLE`` (not
    a zip, truncated, encrypted, no workbook part) or ``FILE_UNSAFE`` (a cap
    exceeded, a DTD in a part).
    """
    name = label if label is not None else str(path)
    problem = check_file_size(path, limits, name)
    if problem is not None:
        return [problem]
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_entries:
                return [
                    _issue(
                        FILE_UNSAFE,
                        f"压缩包含{len(infos)}个条目，超过上限{limits.max_entries} / too many zip entries",
                        name,
                    )
                ]
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > limits.ratio_floor_bytes:
                    ratio = info.file_size / max(info.compress_size, 1)
                    if ratio > limits.max_ratio:
                        return [
                            _issue(
                                FILE_UNSAFE,
                                f"条目{info.filename}压缩比{ratio:.0f}:1，超过上限{limits.max_ratio:.0f}:1"
                                " （疑似压缩炸弹） / compression ratio too high: a decompression bomb?",
                                name,
                            )
                        ]
            if total > limits.max_total_bytes:
                return [
                    _issue(
                        FILE_UNSAFE,
                        f"解压后共{total}字节，超过上限{limits.max_total_bytes} / uncompressed size above the limit",
                        name,
                    )
                ]
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
                return [
                    _issue(
                        FILE_UNREADABLE, "不是Excel工作簿（缺少workbook.xml） / not an xlsx workbook", name
                    )
                ]
            if any(info.flag_bits & 0x1 for info in infos):
                return [_issue(FILE_UNREADABLE, "文件已加密 / the workbook is encrypted", name)]
            for info in infos:
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    continue
                with zf.open(info) as part:
                    head = part.read(limits.prolog_bytes)
                probe = head.replace(b"\x00", b"").upper()  # UTF-16 parts too
                if b"<!DOCTYPE" in probe or b"<!ENTITY" in probe:
                    return [
                        _issue(
                            FILE_UNSAFE,
                            f"条目{info.filename}含DTD/实体声明（XML实体攻击） / a part declares a DTD or entities",
                            name,
                        )
                    ]
    except zipfile.BadZipFile as exc:
        return [
            _issue(FILE_UNREADABLE, f"不是有效的xlsx文件（压缩包损坏或截断） / not a valid xlsx: {exc}", name)
        ]
    except (OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error) as exc:
        return [_issue(FILE_UNREADABLE, f"无法读取xlsx / cannot read the xlsx: {exc}", name)]
    return []
