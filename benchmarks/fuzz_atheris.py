"""Coverage-guided fuzzing of the import layer with atheris (optional extra).

    pip install 'buchang[fuzz]'          # atheris; Linux/macOS, CPython 3.11+
    python benchmarks/fuzz_atheris.py -atheris_runs=200000 [CORPUS_DIR]

Each input picks an input kind and a file type (.xlsx or .csv) and becomes the
file's bytes; the seed corpus is every kind's template (valid workbooks) and
its sheets as CSV, so libFuzzer starts from files that import and mutates
towards the edges. The property checked on every input is the suite's oracle
(``tests/hostile``): the import returns a value and no error, or no value and
located errors — any exception escaping :func:`buchang.io.dispatch.import_kind`
is a crash that libFuzzer reports with the input that caused it.

Without atheris, ``python benchmarks/fuzz_atheris.py --seeds`` runs the
oracle once over the seed corpus (what ``tests/hostile`` does in CI).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

KIND_NAMES = ("survey", "agreements", "payment-list", "reviews", "bank-statement", "estimate")
SUFFIXES = (".xlsx", ".csv")


def seeds() -> Iterator[bytes]:
    """Valid inputs: each template as .xlsx (a selector byte pair first, see :func:`one_input`)."""
    from buchang.io.templates import write_template

    with tempfile.TemporaryDirectory() as tmp:
        for k, kind in enumerate(KIND_NAMES):
            path = Path(tmp) / f"{kind}.xlsx"
            write_template(kind, path)
            yield bytes([k, 0]) + path.read_bytes()


def make_one_input(check: Callable[[object, tuple[object, ...], str], None]) -> Callable[[bytes], None]:
    from buchang.io.dispatch import import_kind

    tmp = Path(tempfile.mkdtemp(prefix="buchang-fuzz-"))

    def one_input(data: bytes) -> None:
        if len(data) < 2:
            return
        kind = KIND_NAMES[data[0] % len(KIND_NAMES)]
        path = tmp / f"input{SUFFIXES[data[1] % len(SUFFIXES)]}"
        path.write_bytes(data[2:])
        value, issues = import_kind(kind, [path])
        check(value, tuple(issues), str(path))

    return one_input


def oracle(value: object, issues: tuple[object, ...], path: str) -> None:
    from buchang.core.errors import Issue, has_errors

    found = [i for i in issues if isinstance(i, Issue)]
    if (value is None) != has_errors(found):
        raise AssertionError(
            f"value {'absent' if value is None else 'present'} but errors={has_errors(found)}"
        )
    for issue in found:
        if issue.location.file != path:
            raise AssertionError(f"issue not located in the input: {issue}")


def main(argv: list[str]) -> int:
    if "--seeds" in argv:
        one_input = make_one_input(oracle)
        n = 0
        for seed in seeds():
            one_input(seed)
            n += 1
        print(f"{n} seeds: oracle holds")
        return 0
    try:
        import atheris  # type: ignore[import-not-found]
    except ImportError:
        print("atheris is not installed: pip install 'buchang[fuzz]' (or run with --seeds)", file=sys.stderr)
        return 2
    with atheris.instrument_imports():
        import buchang.io.dispatch  # noqa: F401  (instrumented for coverage)
    corpus = [a for a in argv[1:] if not a.startswith("-")]
    if corpus:  # write the seeds into the corpus folder once
        folder = Path(corpus[0])
        folder.mkdir(parents=True, exist_ok=True)
        if not any(folder.iterdir()):
            for k, seed in enumerate(seeds()):
                (folder / f"seed-{k}").write_bytes(seed)
    atheris.Setup(argv, make_one_input(oracle))
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
