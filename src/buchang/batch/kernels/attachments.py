"""Kernel of :mod:`buchang.rules.attachments` — 青苗 and 地上附着物 (spec 4.2).

Per item: quantity × the row's price, the row found as ``code/spec`` first,
then ``code``; × 0 when planted or built after the notice (实施条例 Art. 26).
An item whose code is not in the table is routed to the exact path (it is an
``ITEM_NOT_IN_TABLE`` issue there).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

import numpy as np

from buchang.batch.kernels.common import Run, fen, lookup
from buchang.batch.lineblock import CATEGORY_CODE, SUBJECT_HOUSEHOLD, Item, LineBlock, PayeeTemplate
from buchang.batch.params import codes, days
from buchang.rules.attachments import ITEMS_KIND
from buchang.rules.lines import Category

FAMILY: Final = 0
RULE: Final = "attachments.unit_price"


def attachments_kernel(run: Run) -> list[LineBlock]:
    prep = run.prep
    df = prep.frames.attachments
    ch = prep.attachments
    if len(df) == 0:
        return []
    perm = ch.perm
    hh = ch.hh
    g = prep.hh_group[hh]
    proj = prep.hh_project[hh]
    runs = np.array([grp.runs("attachments") for grp in prep.groups], dtype=bool)
    live = runs[g]
    code, vocab = codes(ch.col(df, "item_code"))
    spec, svocab = codes(ch.col(df, "spec"))
    # ``if item.spec:`` — an empty spec is no spec.
    spec = np.where(np.isin(spec, [i for i, s in enumerate(svocab) if s == ""]), -1, spec)
    nc, ns = max(len(vocab), 1), len(svocab) + 1
    key = (g * nc + code) * ns + (spec + 1)
    crops = CATEGORY_CODE[Category.CROPS]
    other = CATEGORY_CODE[Category.ATTACHMENTS]

    def resolve(k: int) -> tuple[Fraction | None, int, int]:
        gi, rest = divmod(k, nc * ns)
        ci, si = divmod(rest, ns)
        if ci >= len(vocab):
            return None, -1, 0
        version = prep.groups[gi].family("attachments").snapshot.get(ITEMS_KIND)
        if version is None:
            return None, -1, 0
        row = None
        if si > 0:
            row = version.find_row(f"{vocab[ci]}/{svocab[si - 1]}")
        if row is None:
            row = version.find_row(vocab[ci])
        if row is None:
            return None, -1, 0
        cat = crops if str(row.values.get("category", "attachment")) == "crops" else other
        return Fraction(row.decimal("price")), run.ref_id((version.ref(row=row.key, name="price"),)), cat

    found = lookup(np.where(code >= 0, key, 0), len(prep.groups) * nc * ns, resolve)
    missing = live & (~found.valid | (code < 0))
    run.route(hh[missing], "ITEM_NOT_IN_TABLE")
    ok = live & ~missing
    qty = ch.arr(df, "quantity_c")
    since = ch.sort(days(df["since"]))
    idx = np.flatnonzero(ok)
    rows = perm[idx]
    after = since[idx] > prep.notice[proj[idx]]
    amount = fen(qty[idx], 100, [(found.num[idx], found.den[idx])])
    amount[after] = 0
    return [
        LineBlock.make(
            n=idx.size,
            subject_kind=SUBJECT_HOUSEHOLD,
            subject_pos=hh[idx],
            item_kind=Item.ATTACHMENT,
            item_pos=rows,
            category=found.extra[idx],
            rule=run.rule_id(RULE),
            payee=PayeeTemplate.OWNER,
            payee_pos=rows,
            amount_fen=amount,
            ref_set=found.ref[idx],
        )
    ]
