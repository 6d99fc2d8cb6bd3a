"""Reports: the workbooks (and CSV files) buchang writes for people.

* :mod:`.xlsx` — shared conventions: typed columns, exact numeric cells
  formatted ``0.00``, the banner row, formula-injection neutralisation,
  masking, atomic save; the openpyxl (write-only) writer;
* :mod:`.fastxlsx` — the same workbook streamed directly (``engine="fast"``,
  chosen automatically above 5,000 rows: openpyxl writes ~20,000 cells/s);
* :mod:`.compute_report` — 汇总 / 明细 / 异常 / 参数 of a compensation result;
* :mod:`.estimate_report` — the upfront-funds estimate (low / expected / high);
* :mod:`.reconcile_report` — findings, line states, outflow buckets and control
  totals of a reconciliation;
* :mod:`.csvout` — the same rows as CSV, neutralised the same way;
* :mod:`.masking` — ``--mask`` for publication (公示).

:mod:`buchang.io.audit` reads a compute report back and re-checks it.
"""

from buchang.io.reports.compute_report import InputFile, input_file, write_compute_report
from buchang.io.reports.csvout import write_compute_csv, write_csv
from buchang.io.reports.estimate_report import write_estimate_report
from buchang.io.reports.masking import mask_secret, mask_text
from buchang.io.reports.reconcile_report import write_reconcile_report
from buchang.io.reports.xlsx import Engine, neutralise

__all__ = [
    "Engine",
    "InputFile",
    "input_file",
    "mask_secret",
    "mask_text",
    "neutralise",
    "write_compute_csv",
    "write_compute_report",
    "write_csv",
    "write_estimate_report",
    "write_reconcile_report",
]
