"""Keep freed memory inside the process while a vectorised run works (glibc only).

Used by batch mode (:func:`buchang.batch.compute.compute_batch`) and by reconciliation
(:func:`buchang.funds.reconcile.reconcile_frames`): both allocate and free large
temporary arrays by the thousand.

A batch run allocates and frees thousands of large temporary int64 arrays
(a million households make ~15 million lines; every step gathers, masks and
multiplies full-length columns). With glibc's default settings each large
block is ``mmap``-ed, returned to the operating system when freed and faulted
in again — zeroed page by page — by the next allocation. Measured on the
1,000,000-household benchmark population (2-core machine, other work
running): 0.13–2.0 s of *system* time per run, against 0.01 s when freed
blocks stay in the heap, for the same ~1.7 s of user time.

:func:`retained_heap` raises glibc's ``M_MMAP_THRESHOLD`` and
``M_TRIM_THRESHOLD`` for the duration of a run and afterwards puts both back
to glibc's documented defaults (128 KiB; the dynamic mmap threshold, once set
explicitly, stays fixed — ``mallopt(3)``) and calls ``malloc_trim(0)``, so
the memory goes back to the operating system when the run ends. Nested and
concurrent runs share one setting (a counter under a lock). On other C
libraries (musl, macOS, Windows) it does nothing. The results never depend on
it: only where freed memory waits.

It also turns off numpy's ``madvise(MADV_HUGEPAGE)`` on its large buffers for
the run (restored afterwards). With the kernel's transparent huge pages in
``madvise`` mode, every first touch of such a buffer makes the kernel find and
zero a 2 MiB page, compacting memory when none is free: on the cold first run
of the benchmark this cost 2.9 s of system time (5.0 s wall) against 0.5 s
(2.6 s wall) without it, on the same loaded machine.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

M_TRIM_THRESHOLD: Final = -1
M_MMAP_THRESHOLD: Final = -3
#: glibc's defaults (``mallopt(3)``: DEFAULT_MMAP_THRESHOLD / DEFAULT_TRIM_THRESHOLD).
DEFAULT_THRESHOLD: Final = 128 * 1024
#: During a run: blocks up to 1 GiB come from the heap, and the heap is not trimmed below 2 GiB.
RUN_MMAP_THRESHOLD: Final = 1 << 30
RUN_TRIM_THRESHOLD: Final = (1 << 31) - 1

_lock = threading.Lock()
_depth = 0


def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version.restype = ctypes.c_char_p
        libc.gnu_get_libc_version()  # absent outside glibc (musl): AttributeError
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


_LIBC: Final = _glibc()


def _hugepage_switch() -> Any:
    """numpy's ``_set_madvise_hugepage`` (``numpy._core`` in numpy 2, ``numpy.core`` before)."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            module = __import__(name, fromlist=["_set_madvise_hugepage"])
        except ImportError:
            continue
        switch = getattr(module, "_set_madvise_hugepage", None)
        if switch is not None:
            return switch
    return None


_HUGEPAGE: Final = _hugepage_switch()
_hugepage_before = True


def available() -> bool:
    """True where :func:`retained_heap` has an effect (Linux with glibc)."""
    return _LIBC is not None


@contextmanager
def retained_heap(enabled: bool = True) -> Iterator[bool]:
    """Keep freed blocks in the heap while the ``with`` body runs; yields whether it did."""
    global _depth, _hugepage_before
    libc = _LIBC if enabled else None
    if libc is None:
        yield False
        return
    with _lock:
        if _depth == 0:
            libc.mallopt(M_MMAP_THRESHOLD, RUN_MMAP_THRESHOLD)
            libc.mallopt(M_TRIM_THRESHOLD, RUN_TRIM_THRESHOLD)
            if _HUGEPAGE is not None:
                _hugepage_before = bool(_HUGEPAGE(False))
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _HUGEPAGE is not None:
                    _HUGEPAGE(_hugepage_before)
                libc.mallopt(M_MMAP_THRESHOLD, DEFAULT_THRESHOLD)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_THRESHOLD)
                libc.malloc_trim(0)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while bulk work builds many acyclic objects.

    Each allocation burst otherwise triggers collections that rescan every long-lived
    object of the process: in the 1,000,000-household batch benchmark (run inside pytest,
    a large object graph) the best of three went from 1.99 s to 1.76 s with it paused;
    the survey import and the report rows gained several-fold (``bench_import.py``,
    ``bench_e2e.py``). The work creates no reference cycles, so nothing is lost by
    pausing; the previous state is restored on the way out.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
