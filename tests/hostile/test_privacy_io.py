"""Private data in the import, report, audit and reconcile paths (issue 8 item 7, io half).

* Invalid rows carrying valid-looking 身份证号 and bank accounts (a bad check
  character, a duplicate, a number cell, sex contradicting the ID, an unknown
  household, letters in an account …) are imported through the library and the
  CLI (``import``, ``compute``, ``report compute``, ``audit``, ``reconcile``);
  stdout, stderr, every log record and every issue's text are captured; no
  planted ID (18 characters) and no planted account appears whole.
* ``--mask`` outputs — the compute report (xlsx and csv) and the
  reconciliation report — contain no full ID or account in any cell, nor
  anywhere in the raw XML of any part of the workbook.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from tests.hostile.conftest import Figures
from tests.hostile.kit import fresh, survey_book
from tests.hostile.test_fuzz_csv import clean_folder
from tests.io.io_kit import GOOD_ACCOUNT, VALID_ID, base, write_survey

from buchang.cli.main import main
from buchang.io.dispatch import import_kind
from buchang.io.synth import resident_id

#: Valid-looking secrets planted in the inputs (IDs with a correct check character unless noted).
ID_A = VALID_ID  # 11010519491231002X
ID_B = resident_id(date(1980, 5, 6), 17)
ID_C = resident_id(date(1975, 1, 2), 3)
ID_BAD_CHECK = ID_C[:-1] + ("0" if ID_C[-1] != "0" else "1")
ACCOUNT_A = GOOD_ACCOUNT
ACCOUNT_B = "6217000010001234567"
ACCOUNT_C = "6228480402564890018"
SECRETS = (ID_A, ID_B, ID_C, ID_BAD_CHECK, ACCOUNT_A, ACCOUNT_B, ACCOUNT_C)


def leaks(text: str, secrets: tuple[str, ...] | set[str] = SECRETS) -> list[str]:
    return sorted(s for s in secrets if s and s in text)


def run(argv: list[str]) -> tuple[int, str]:
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = main(["--no-progress", *argv])
    return code, sink.getvalue()


def hostile_survey(path: Path) -> Path:
    """A survey whose every row is wrong somewhere, next to IDs and accounts."""
    s = base()
    s["households"][0]["account"] = ACCOUNT_A
    s["households"][1]["account"] = ACCOUNT_B + "Z"  # letters: ACCOUNT_CHARACTERS
    s["households"].append(
        {"household_id": "H3", "head_name": "王五", "collective": "C01", "account": ACCOUNT_C}
    )
    s["households"].append({"household_id": "H3", "head_name": "赵六", "account": ACCOUNT_C})  # duplicate
    s["members"] = [
        {"household_id": "H1", "name": "张三", "id_number": ID_A, "sex": "男"},  # sex contradicts the ID
        {"household_id": "H2", "name": "李四", "id_number": ID_B},
        {"household_id": "H2", "name": "李四二", "id_number": ID_B},  # duplicate ID
        {"household_id": "H9", "name": "无户", "id_number": ID_C},  # unknown household
        {"household_id": "H3", "name": "错号", "id_number": ID_BAD_CHECK},  # check character
        {"household_id": "H3", "name": "数字", "id_number": int(ID_C[:-1] + "1")},  # number cell
    ]
    return write_survey(path, s)


def hostile_agreements(path: Path) -> Path:
    book = fresh("agreements")
    head, row = book.sheets[0][1]
    cols = {h: j for j, h in enumerate(head)}

    def with_(**kv: object) -> list[object]:
        r = list(row)
        for h, v in kv.items():
            r[next(j for name, j in cols.items() if h in str(name))] = v
        return r

    book.sheets[0][1].extend(
        [
            with_(证件号=ID_BAD_CHECK, 账号=ACCOUNT_B),
            with_(证件号=ID_A, 账号=ACCOUNT_C + "X"),
            with_(证件号=ID_A, 账号=ACCOUNT_C),
        ]
    )
    return book.write(path)


class Captured:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Captured:
    caplog.set_level(logging.DEBUG)
    return Captured()


def test_import_issues_never_carry_a_full_id_or_account(
    tmp_path: Path, captured: Captured, caplog: pytest.LogCaptureFixture, figures: Figures
) -> None:
    survey = hostile_survey(tmp_path / "survey.xlsx")
    agreements = hostile_agreements(tmp_path / "agreements.xlsx")
    for engine in ("calamine", "openpyxl"):
        for kind, path in (("survey", survey), ("agreements", agreements)):
            value, issues = import_kind(kind, [path], engine=engine)  # type: ignore[arg-type]
            assert value is None and issues
            for issue in issues:
                captured.add(str(issue))
                captured.add(repr(issue.to_dict()))
                figures.add("privacy cases: issues checked")
    codes = {t.split("[")[1].split("]")[0] for t in captured.parts if "[" in t}
    assert {"ID_CHECK_DIGIT", "DUPLICATE_ID", "ID_STORED_AS_NUMBER", "ACCOUNT_CHARACTERS"} <= codes, codes
    captured.add(caplog.text)
    assert leaks(captured.text) == [], leaks(captured.text)


@pytest.mark.parametrize(
    "argv",
    [
        ["import", "survey", "{survey}"],
        ["import", "survey", "{survey}", "--json"],
        ["import", "agreements", "{agreements}"],
        ["compute", "{survey}"],
        ["report", "compute", "{survey}", "-o", "{out}/r.xlsx", "--json"],
        ["audit", "{survey}"],
    ],
    ids=lambda a: " ".join(a[:2]) + (" --json" if "--json" in a else ""),
)
def test_cli_output_and_logs_never_carry_a_full_id_or_account(
    argv: list[str], tmp_path: Path, captured: Captured, caplog: pytest.LogCaptureFixture, figures: Figures
) -> None:
    survey = hostile_survey(tmp_path / "survey.xlsx")
    agreements = hostile_agreements(tmp_path / "agreements.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(survey=survey, agreements=agreements, out=out) for a in argv]
    code, text = run(args)
    assert code in (1, 2), text
    captured.add(text)
    captured.add(caplog.text)
    assert leaks(captured.text) == [], (leaks(captured.text), text[-3000:])
    figures.add("privacy cases: CLI runs checked")


def _funds_with_bad_rows(folder: Path) -> tuple[Path, set[str]]:
    clean_folder(folder)
    secrets: set[str] = set()
    for name in ("agreements.csv", "lists.csv", "statement.csv", "projects.csv"):
        path = folder / name
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        for r in rows:
            # people's IDs and accounts; the project's own escrow account (专户, projects.csv
            # and statement.csv "account") is the office's, printed in the account totals
            for k in ("payee_id", "payee_account", "counterparty_account"):
                if r.get(k):
                    secrets.add(r[k])
        bad = dict(rows[0])
        for k in ("amount", "required_upfront"):
            if k in bad:
                bad[k] = "12.345"  # a bad amount on a row that carries accounts and IDs
        for k in ("payee_account", "counterparty_account"):
            if k in bad:
                bad[k] = bad[k] + "Z"
        rows.append(bad)
        with path.open("w", encoding="utf-8", newline="") as handle:
            w = csv.DictWriter(handle, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
    return folder, {s for s in secrets if len(s) >= 12}


def test_reconcile_messages_never_carry_a_full_account(
    tmp_path: Path, captured: Captured, caplog: pytest.LogCaptureFixture, figures: Figures
) -> None:
    folder, secrets = _funds_with_bad_rows(tmp_path / "funds")
    assert secrets
    for argv in (
        ["reconcile", str(folder), "--as-of", "2030-01-01"],
        ["reconcile", str(folder), "--as-of", "2030-01-01", "--json"],
    ):
        code, text = run(argv)
        assert code == 1
        # the --json body is the full report (records included, as the reconciliation's data);
        # what must not leak are the messages: the findings' and issues' text and stderr
        if "--json" in argv:
            import json

            body = json.loads(text[text.index("{") :])
            messages = [f.get("message", "") for f in body.get("findings", [])]
            messages += [i.get("message", "") for i in body.get("input_issues", [])]
            messages += [i.get("message", "") for i in body.get("issues", [])]
            captured.add("\n".join(str(m) for m in messages))
        else:
            captured.add(text)
        figures.add("privacy cases: CLI runs checked")
    captured.add(caplog.text)
    assert leaks(captured.text, secrets) == [], leaks(captured.text, secrets)[:5]


# --- --mask outputs ------------------------------------------------------------------------


def _every_text(path: Path) -> str:
    """Every cell value of every sheet, and every part of the zip as text."""
    chunks: list[str] = []
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        chunks.append(ws.title)
        for row in ws.iter_rows(values_only=True):
            chunks.extend("" if v is None else str(v) for v in row)
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            chunks.append(zf.read(name).decode("utf-8", errors="replace"))
    return "\n".join(chunks)


def _survey_secrets() -> set[str]:
    book = survey_book()
    return {
        str(v)
        for _, rows in book.sheets
        for r in rows
        for v in r
        if isinstance(v, str) and len(v) >= 12 and v[:6].isdigit()
    }


def test_masked_compute_report_and_csv_hold_no_full_id_or_account(tmp_path: Path, figures: Figures) -> None:
    s = base()
    s["households"][1]["account"] = ACCOUNT_B
    s["members"][1]["id_number"] = ID_B
    s["members"][1].pop("birth_date", None)
    s["members"][1].pop("sex", None)
    survey = write_survey(tmp_path / "survey.xlsx", s)
    secrets = {ID_A, ID_B, ACCOUNT_A, ACCOUNT_B}
    for command in (["compute"], ["report", "compute"]):
        out = tmp_path / ("-".join(command))
        out.mkdir()
        code, text = run(
            [*command, str(survey), "-o", str(out / "r.xlsx"), "--csv", str(out / "r.csv"), "--mask"]
        )
        assert code in (0, 1) and (out / "r.xlsx").exists() and (out / "r.csv").exists(), text
        run([*command, str(survey), "-o", str(out / "plain.xlsx")])
        plain = _every_text(out / "plain.xlsx")
        assert leaks(plain, secrets), "control: the unmasked report does carry them"
        for name in ("r.xlsx", "r.csv"):
            content = (
                _every_text(out / name) if name.endswith(".xlsx") else (out / name).read_text("utf-8-sig")
            )
            assert leaks(content, secrets) == [], (name, leaks(content, secrets))
            assert not re.search(r"(?<![0-9])\d{17}[\dX](?![0-9])", content), name
            figures.add("privacy cases: masked outputs scanned")


def _unscheduled_payment(folder: Path) -> str:
    """Add an outflow to ACCOUNT_C that no list schedules (a PAYMENT_UNSCHEDULED finding)."""
    path = folder / "statement.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    out = next(r for r in rows if r["direction"].lower() in ("out", "debit", "支出", "出"))
    extra = dict(out, txn_id="T-PRIVACY-1", counterparty_account=ACCOUNT_C, reference="", balance_after="")
    rows.append(extra)
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.DictWriter(handle, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return ACCOUNT_C


def test_masked_reconcile_report_holds_no_full_account(tmp_path: Path, figures: Figures) -> None:
    folder = clean_folder(tmp_path / "funds")
    planted = _unscheduled_payment(folder)
    bad, secrets = _funds_with_bad_rows(tmp_path / "bad")
    escrow = {r["account"] for r in csv.DictReader((folder / "projects.csv").open(encoding="utf-8"))}
    secrets |= {planted} | escrow  # under --mask even the office's escrow account is masked
    for src in (folder, bad):
        report = tmp_path / f"{src.name}.json"
        _code, text = run(["reconcile", str(src), "--as-of", "2030-01-01", "--json", str(report)])
        assert report.exists(), text
        out = tmp_path / f"{src.name}.xlsx"
        _code, text = run(["report", "reconcile", str(report), "-o", str(out), "--mask"])
        assert out.exists(), text
        content = _every_text(out)
        if src is folder:
            plain = tmp_path / f"{src.name}-plain.xlsx"
            run(["report", "reconcile", str(report), "-o", str(plain)])
            assert leaks(_every_text(plain), escrow), "control: the unmasked report carries the account"
        assert leaks(content, secrets) == [], leaks(content, secrets)[:5]
        figures.add("privacy cases: masked outputs scanned")
    _ = _survey_secrets
