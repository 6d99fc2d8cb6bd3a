"""``--mask`` for publication (公示): ID numbers and bank accounts masked.

Two levels (``shared/spec`` issue 8 item 7: a masked output contains no full
ID number and no full account):

* a column that *is* an identity or an account (收款账号, 身份证号) is masked
  whole with :func:`buchang.core.ids.mask` — the first four and the last four
  characters kept: ``310101199001011234`` → ``3101**********1234``;
* every other text cell of a masked workbook goes through :func:`mask_text`,
  which masks any run of 12 or more digits (an ID, optionally ending in ``X``,
  or an account number quoted in a message). Amounts are numeric cells and are
  never touched; digit runs that long in free text are identifiers, not prices.

Content hashes (a whole cell ``sha256:<hex>`` or 64 hex digits) are the one kind of text exempt: the audit needs
them, and they identify table versions, not people.
"""

from __future__ import annotations

import re
from typing import Final

from buchang.core.ids import mask

#: A whole-cell content hash (``sha256:<hex>`` or bare hex): never masked.
_HASH: Final = re.compile(r"(?:sha256:)?[0-9a-f]{64}")
#: A run of 12+ digits (an ID may end in X), not part of a longer digit run.
_LONG_DIGITS: Final = re.compile(r"(?<![0-9])[0-9]{11,31}[0-9Xx](?![0-9])")


def mask_secret(value: str) -> str:
    """Mask an ID number or account (first four and last four kept).

    Short values keep less: fewer than 9 characters are masked whole, so that
    at most half of any value stays readable.

    >>> mask_secret("310101199001011234")
    '3101**********1234'
    >>> mask_secret("62220202")
    '********'
    """
    text = value.strip()
    if len(text) < 9:
        return "*" * len(text)
    if len(text) < 12:  # keep 2 + 2 of a short account
        return mask(text, 2, 2)
    return mask(text)


def mask_text(text: str) -> str:
    """Mask every identifier-like digit run inside free text.

    >>> mask_text("成员身份证号11010519491231002X有误 / account 6222020200112233446")
    '成员身份证号1101**********002X有误 / account 6222***********3446'
    """
    if _HASH.fullmatch(text):
        return text
    return _LONG_DIGITS.sub(lambda m: mask(m.group(0)), text)
