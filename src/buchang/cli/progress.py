"""Progress display for long commands (rich), on stderr and only for a person at a terminal.

Shown when both stdout and stderr are terminals and ``--no-progress`` was not
given (a pipe, a file, CI logs and ``--json`` consumers never see it). The
display is transient: it disappears when the work is done, leaving only the
command's own output. ``BUCHANG_NO_PROGRESS=1`` turns it off too.

Three shapes of work::

    with Progress.for_args(args) as progress:
        with progress.stage("导入 / import"):          # one call: a spinner and the elapsed time
            project = import_survey(path)
        for item in progress.track(items, "写出 / write"):  # a loop: a bar with N/M
            ...
        with progress.counter("计算 / compute", total=n) as advance:  # a library call that
            compute_project_parallel(project, store, progress=advance)  # reports as it goes

Library calls that take a ``progress`` callback (``compute_project_parallel``:
households done; ``write_compute_report``: 明细 lines written) are shown as a
bar with N/M; the others as a stage with its elapsed time.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self, TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

T = TypeVar("T")


def progress_wanted(
    args: argparse.Namespace | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> bool:
    """Whether to show progress: not ``--no-progress``, not ``BUCHANG_NO_PROGRESS``,
    and both streams are terminals."""
    if args is not None and getattr(args, "no_progress", False):
        return False
    if os.environ.get("BUCHANG_NO_PROGRESS", "") not in ("", "0"):
        return False
    for stream in (stdout or sys.stdout, stderr or sys.stderr):
        isatty = getattr(stream, "isatty", None)
        try:
            if isatty is None or not isatty():
                return False
        except ValueError:  # a closed stream
            return False
    return True


def _ignore(_n: int) -> None:
    """The ``advance`` of a progress display that is off."""


class _CountColumn(MofNCompleteColumn):
    """``N/M`` for a counted loop; nothing for a stage (whose total is unknown)."""

    def render(self, task: Task) -> Text:
        return Text("") if task.total is None else super().render(task)


class Progress:
    """A transient rich progress display on stderr, or nothing when disabled."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: RichProgress | None = None

    @classmethod
    def for_args(cls, args: argparse.Namespace | None) -> Progress:
        """Enabled as :func:`progress_wanted` decides for these arguments."""
        return cls(progress_wanted(args))

    def __enter__(self) -> Self:
        if self.enabled:
            bar = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                _CountColumn(),
                TimeElapsedColumn(),
                console=Console(file=sys.stderr),
                transient=True,
            )
            bar.start()
            self._bar = bar
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        bar = self._bar
        self._bar = None
        if bar is not None:
            bar.stop()

    @contextmanager
    def stage(self, description: str) -> Iterator[None]:
        """One step of work: a spinner with its elapsed time while it runs."""
        bar = self._bar
        if bar is None:
            yield
            return
        task = bar.add_task(description, total=None)
        try:
            yield
        finally:
            bar.remove_task(task)

    @contextmanager
    def counter(self, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        """A bar with N/M for a call that reports its own progress: yields
        ``advance(n)`` (a no-op when the display is off)."""
        bar = self._bar
        if bar is None:
            yield _ignore
            return
        task = bar.add_task(description, total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)

        try:
            yield advance
        finally:
            bar.remove_task(task)

    def track(self, items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
        """Iterate ``items`` with a bar (N/M when the total is known)."""
        bar = self._bar
        if bar is None:
            yield from items
            return
        if total is None and hasattr(items, "__len__"):
            total = len(items)  # type: ignore[arg-type]
        task = bar.add_task(description, total=total)
        try:
            for item in items:
                yield item
                bar.advance(task)
        finally:
            bar.remove_task(task)
