"""``--mask`` for publication (公示): no full ID number and no full account anywhere
in a masked workbook or CSV (issue 8 item 7), while content hashes and amounts
stay intact."""

from __future__ import annotations

import re
from pathlib import Path

from tests.io.reports_kit import ACCOUNT_H1, ACCOUNT_H2, ID_NUMBER, all_cells, compute, load, sheet_xml

from buchang.core.errors import Issue, Location, Severity
from buchang.io.reports import compute_report as cr
from buchang.io.reports import mask_secret, mask_text, write_compute_report
from buchang.io.reports.csvout import write_compute_csv

SECRETS = (ID_NUMBER, ACCOUNT_H1, ACCOUNT_H2)
#: Anything that looks like a whole ID (18) or a long account (16–19 digits) unmasked.
_LONG_RUN = re.compile(r"(?<![0-9])[0-9]{15,}[0-9Xx]?")


def test_mask_secret_keeps_four_and_four() -> None:
    assert mask_secret("310101199001011234") == "3101**********1234"
    assert mask_secret(ID_NUMBER) == "1101**********002X"
    assert mask_secret(ACCOUNT_H1) == "6222***********3446"
    assert mask_secret("6222020200") == "62******00"  # a short account keeps two and two
    assert mask_secret("12345678") == "********"


def test_mask_text_masks_identifiers_in_free_text_only() -> None:
    text = f"成员{ID_NUMBER}的身份证号校验码错误；账号{ACCOUNT_H1}；金额 54000000 分"
    masked = mask_text(text)
    assert ID_NUMBER not in masked and ACCOUNT_H1 not in masked
    assert "1101**********002X" in masked and "6222***********3446" in masked
    assert "54000000" in masked  # amounts (8 digits) are not identifiers
    digest = "sha256:" + "0123456789" * 6 + "abcd"
    assert mask_text(digest) == digest  # a content hash is not an identifier


def _issues() -> tuple[Issue, ...]:
    # an import message quoting a full ID (real messages mask it already; the report must not rely on that)
    return (
        Issue(
            "ID_CHECK_DIGIT",
            f"身份证号{ID_NUMBER}校验码错误 / check digit",
            Severity.ERROR,
            Location("survey.xlsx", "成员", "C3"),
        ),
    )


def test_masked_workbook_contains_no_full_id_or_account(tmp_path: Path) -> None:
    project, result = compute()
    plain = write_compute_report(result, tmp_path / "plain.xlsx", project=project, input_issues=_issues())
    masked = write_compute_report(
        result, tmp_path / "masked.xlsx", project=project, input_issues=_issues(), mask=True
    )
    plain_xml, masked_xml = sheet_xml(plain), sheet_xml(masked)
    for secret in SECRETS:
        assert secret in plain_xml  # the test is meaningful: the unmasked report has them
        assert secret not in masked_xml
    for cell in all_cells(load(masked)):
        if isinstance(cell.value, str):
            assert not any(s in cell.value for s in SECRETS), cell.coordinate
            if not cell.value.startswith("sha256:"):
                assert not _LONG_RUN.search(cell.value), (cell.coordinate, cell.value)
    wb = load(masked)
    ws = wb["明细"]
    assert ws.cell(3, cr.DETAIL_INDEX["account"] + 1).value == "6222***********3446"
    assert ws.cell(3, cr.DETAIL_INDEX["amount"] + 1).value == 7000  # amounts untouched
    params = {r[0].value: r[1].value for r in wb["参数"].iter_rows(min_row=3)}
    assert params[cr.P_MASKED] == cr.YES
    hashes = [r[6].value for r in wb["参数"].iter_rows(min_row=3) if str(r[6].value).startswith("sha256:")]
    assert hashes and all(len(h) == len("sha256:") + 64 for h in hashes)  # hashes are not masked
    issues = [c.value for c in wb["异常"]["F"] if isinstance(c.value, str)]
    assert any("1101**********002X" in m for m in issues)


def test_masked_csv_contains_no_full_account(tmp_path: Path) -> None:
    _, result = compute()
    text = write_compute_csv(result, tmp_path / "m.csv", mask=True).read_text(encoding="utf-8-sig")
    assert not any(s in text for s in SECRETS)
    assert "6222***********3446" in text
    plain = write_compute_csv(result, tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    assert ACCOUNT_H1 in plain
