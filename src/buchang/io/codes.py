"""Every code the import layer reports, with its meaning (stable: match on them)."""

from __future__ import annotations

from typing import Final

#: code → (severity, meaning). Identity codes come from :mod:`buchang.core.ids`.
CODES: Final[dict[str, tuple[str, str]]] = {
    "FILE_UNREADABLE": (
        "error",
        "not a readable .xlsx/.csv: missing, truncated zip, not a workbook, bad encoding",
    ),
    "FILE_UNSAFE": (
        "error",
        "refused before parsing: too many zip entries, too large, compression ratio, DTD",
    ),
    "CSV_ENCODING": ("info", "the CSV was decoded as GBK/GB18030"),
    "MISSING_SHEET": ("error", "a required sheet is absent"),
    "EMPTY_SHEET": ("error", "a required sheet has no data rows"),
    "UNKNOWN_SHEET": ("warning", "a sheet that is not part of the input kind, ignored"),
    "MISSING_COLUMN": ("error", "a required column header is absent"),
    "DUPLICATE_COLUMN": ("error", "two headers name the same column"),
    "UNKNOWN_COLUMN": ("warning", "a header that names no declared column, ignored"),
    "TOO_MANY_ROWS": ("error", "a one-row sheet (项目) has more rows"),
    "MISSING_VALUE": ("error", "a required cell is blank"),
    "WRONG_TYPE": ("error", "the cell is not of the column's type (number, date, yes/no, text …)"),
    "TOO_MANY_DECIMALS": ("error", "more decimals than the column declares: never rounded silently"),
    "OUT_OF_RANGE": ("error", "outside the column's declared range (newness > 1, review level 5 …)"),
    "NEGATIVE_AREA": ("error", "an area below zero"),
    "NEGATIVE_AMOUNT": ("error", "an amount below zero where not allowed"),
    "NEGATIVE_VALUE": ("error", "a count or quantity below zero"),
    "DATE_OUT_OF_RANGE": ("error", "a date outside the accepted range (CellOptions.min_date/max_date)"),
    "UNKNOWN_CATEGORY": ("error", "not one of the column's choices (category, legality, land class …)"),
    "ID_STORED_AS_NUMBER": ("error", "an ID or account in a number cell: digits are lost"),
    "ID_CHECK_DIGIT": ("error", "身份证号 check character wrong (GB 11643)"),
    "ID_LENGTH": ("error", "身份证号 not 18 characters"),
    "ID_CHARACTERS": ("error", "身份证号 not 17 digits + digit/X"),
    "ID_REGION": ("error", "身份证号 unknown province code"),
    "ID_BIRTH_DATE": ("error", "身份证号 birth date impossible"),
    "ID_15_DIGIT": ("error", "a 15-digit pre-1999 身份证号"),
    "USCC_LENGTH": ("error", "统一社会信用代码 not 18 characters"),
    "USCC_CHARACTERS": ("error", "统一社会信用代码 characters not allowed"),
    "USCC_REGION": ("error", "统一社会信用代码 region not digits"),
    "USCC_CHECK_DIGIT": ("error", "统一社会信用代码 check character wrong (GB 32100)"),
    "USCC_UNKNOWN_DEPARTMENT": ("warning", "统一社会信用代码 registering department unknown"),
    "ACCOUNT_CHARACTERS": ("error", "a bank account with non-digits"),
    "ACCOUNT_LENGTH": ("error", "a bank account not 6–32 digits"),
    "BANK_LUHN": ("warning", "a bank account failing Luhn (passbook/corporate accounts do)"),
    "DUPLICATE_ID": ("error", "an id (household, member, building, 身份证号, agreement, txn …) repeated"),
    "UNKNOWN_REFERENCE": ("error", "refers to a household, collective, parcel or list that does not exist"),
    "INCONSISTENT_VALUE": ("error", "values that contradict each other (sex vs ID, window end before start)"),
    "MODEL_INVALID": ("error", "rejected by the domain model (a safety net; should not happen)"),
}
