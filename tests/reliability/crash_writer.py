"""A journal writer meant to be killed (SIGKILL) by ``test_crash_consistency``.

Run as ``python -m tests.reliability.crash_writer JOURNAL FIRST [COUNT]`` from
the repository root. It appends batch ``FIRST``, ``FIRST + 1`` … of
:mod:`tests.reliability.workload`, each with one ``append_many``, and reports
on stdout, flushed line by line:

* ``begin k`` before the batch is submitted;
* ``done k`` only after ``append_many`` returned with it accepted — that is,
  after the COMMIT (``synchronous=FULL``) returned.

A batch with ``begin`` and no ``done`` was in flight when the process died: it
may or may not be in the journal, but never partly.
"""

from __future__ import annotations

import sys

from tests.reliability.workload import batch_commands

from buchang.funds.journal import Ledger


def main(argv: list[str]) -> int:
    path, first = argv[0], int(argv[1])
    count = int(argv[2]) if len(argv) > 2 else 1_000_000
    out = sys.stdout
    with Ledger.open(path) as ledger:
        for k in range(first, first + count):
            out.write(f"begin {k}\n")
            out.flush()
            result = ledger.append_many(batch_commands(k))
            if not result.ok:
                out.write(f"rejected {k} {' '.join(str(r) for r in result.rejections)}\n")
                out.flush()
                return 3
            out.write(f"done {k}\n")
            out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
