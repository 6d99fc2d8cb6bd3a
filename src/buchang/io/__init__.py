"""Spreadsheets in and out: templates, safe and exact import.

The import pipeline, in five steps:

1. :mod:`~buchang.io.safety` — refuse hostile files from the zip directory and
   the XML prologs, before any parser runs (``FILE_UNSAFE``/``FILE_UNREADABLE``);
2. :mod:`~buchang.io.reader` — .xlsx (python-calamine, or openpyxl read-only)
   and .csv (UTF-8 with/without BOM, UTF-16, GBK) → raw cells with positions;
3. :mod:`~buchang.io.headers` + :mod:`~buchang.io.binding` — find the header
   (NFKC, aliases, merged cells), convert every cell exactly
   (:mod:`~buchang.io.cells`), collect every problem as
   ``file:sheet!C12: [CODE] message``;
4. :mod:`~buchang.io.survey`, :mod:`~buchang.io.fundsio`,
   :mod:`~buchang.io.estimate` — cross-row checks and the typed records;
5. the value comes back only when no issue is an error: ``(value | None, issues)``.

The declarations of every sheet and column are in :mod:`~buchang.io.schema`;
:mod:`~buchang.io.templates` writes templates from them. The stable codes are
listed in :data:`buchang.io.codes.CODES`.
"""
