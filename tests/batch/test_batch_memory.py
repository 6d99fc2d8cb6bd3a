"""The retained heap of batch runs (:mod:`buchang.batch.memory`): where freed memory waits,
never what the run computes."""

from __future__ import annotations

import sys
import threading

import pytest

from buchang.batch.compute import compute_batch
from buchang.batch.parity import differences
from buchang.batch.synth import synth_frames
from buchang.core import memory

from .batch_kit import shipped


def test_results_do_not_depend_on_the_retained_heap() -> None:
    store = shipped()
    frames = synth_frames(300, store, seed=41, households_per_project=60, households_per_collective=10)
    kept = compute_batch(frames, store, retain_heap=True)
    plain = compute_batch(frames, store, retain_heap=False)
    assert kept.n_lines == plain.n_lines > 0
    assert differences(kept.lines_frame(), plain.lines_frame()).empty
    assert kept.totals().equals(plain.totals())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_glibc_is_detected_on_linux() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not a glibc system")
    assert memory.available()
    with memory.retained_heap() as on:
        assert on is True
    with memory.retained_heap(enabled=False) as on:
        assert on is False


def test_nested_and_concurrent_runs_restore_once() -> None:
    calls: list[tuple[str, int, int]] = []

    class FakeLibc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append(("mallopt", param, value))
            return 1

        def malloc_trim(self, pad: int) -> int:
            calls.append(("trim", pad, 0))
            return 1

    real = memory._LIBC
    memory._LIBC = FakeLibc()  # type: ignore[assignment]
    real_switch = memory._HUGEPAGE
    switched: list[bool] = []

    def switch(on: bool) -> bool:
        switched.append(on)
        return True

    memory._HUGEPAGE = switch  # type: ignore[misc]
    try:
        with memory.retained_heap():
            with memory.retained_heap():
                done = threading.Event()

                def other() -> None:
                    with memory.retained_heap():
                        pass
                    done.set()

                t = threading.Thread(target=other)
                t.start()
                t.join()
                assert done.is_set()
            # still inside the outer run: nothing restored yet
            assert calls == [
                ("mallopt", memory.M_MMAP_THRESHOLD, memory.RUN_MMAP_THRESHOLD),
                ("mallopt", memory.M_TRIM_THRESHOLD, memory.RUN_TRIM_THRESHOLD),
            ]
        assert calls[2:] == [
            ("mallopt", memory.M_MMAP_THRESHOLD, memory.DEFAULT_THRESHOLD),
            ("mallopt", memory.M_TRIM_THRESHOLD, memory.DEFAULT_THRESHOLD),
            ("trim", 0, 0),
        ]
        assert memory._depth == 0
        assert switched == [False, True]  # off for the run, numpy's previous setting after
    finally:
        memory._LIBC = real
        memory._HUGEPAGE = real_switch
