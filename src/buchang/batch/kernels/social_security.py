"""Kernel of :mod:`buchang.rules.social_security` — 被征地人员社会保障 (spec 4.5).

One line per named land-lost member (``land_lost``): the amount of the age
group (under the minimum age / working age / at or above the retirement age
of the member's sex, in completed years at the approval date). Routed to the
exact path (which reports the issue): a household whose project has no
approval date, a named member who is not agricultural population (a warning
there), an age group missing from the table.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Final

import numpy as np

from buchang.batch.intmath import I64
from buchang.batch.kernels.common import Run, fen, lookup
from buchang.batch.lineblock import CATEGORY_CODE, SUBJECT_HOUSEHOLD, Item, LineBlock, PayeeTemplate
from buchang.batch.params import NO_DATE, Prepared, codes, day_of, days
from buchang.rules.lines import Category
from buchang.rules.social_security import GROUPS_KIND, RETIRED, UNDER_16, WORKING_AGE

FAMILY: Final = 2
RULE: Final = "social_security.age_groups"
_GROUPS: Final = (UNDER_16, WORKING_AGE, RETIRED)


def _cut(on: date, years: int) -> int:
    """Day number of the last birth date with ``age_on(birth, on) >= years``."""
    y = on.year - years
    try:
        last = on.replace(year=y)
    except ValueError:  # 29 February in a common year: the 28th is the last day before 1 March
        last = date(y, 2, 28)
    return day_of(last)


def _cutoffs(prep: Prepared, minimum: I64, ret_m: I64, ret_f: I64) -> tuple[I64, I64]:
    """Per project: the last birth day of an adult, and of a retired person per sex (column 0
    female, 1 male) at the project's approval date (``NO_DATE`` without one)."""
    n = len(prep.project_group)
    adult = np.full(max(n, 1), NO_DATE, dtype=np.int64)
    retire = np.full((max(n, 1), 2), NO_DATE, dtype=np.int64)
    cache: dict[tuple[int, int], int] = {}

    def cut(on_day: int, years: int) -> int:
        found = cache.get((on_day, years))
        if found is None:
            found = _cut(date(1970, 1, 1) + timedelta(days=on_day), years)
            cache[(on_day, years)] = found
        return found

    for p in range(n):
        on_day = int(prep.approval[p])
        if on_day == NO_DATE:
            continue
        gi = int(prep.project_group[p])
        adult[p] = cut(on_day, int(minimum[gi]))
        retire[p, 0] = cut(on_day, int(ret_f[gi]))
        retire[p, 1] = cut(on_day, int(ret_m[gi]))
    return adult, retire


def social_security_kernel(run: Run) -> list[LineBlock]:
    prep = run.prep
    df = prep.frames.members
    ch = prep.members
    if len(df) == 0:
        return []
    named = ch.flags(df, "land_lost")
    g_all = prep.hh_group[ch.hh]
    runs = np.array([grp.runs("social_security") for grp in prep.groups], dtype=bool)
    sel = np.flatnonzero(named & runs[g_all])  # sorted positions of the named persons
    hh = ch.hh[sel]
    g = g_all[sel]
    proj = prep.hh_project[hh]
    approval = prep.approval[proj]
    agricultural = ch.flags(df, "agricultural")[sel]
    run.route(hh[approval == NO_DATE], "APPROVAL_DATE_MISSING")
    run.route(hh[~agricultural], "NOT_AGRICULTURAL")
    live = approval != NO_DATE
    n_groups = len(prep.groups)
    # Per group: minimum age and retirement ages (table values, read once).
    minimum = np.full(max(n_groups, 1), 16, dtype=np.int64)
    ret_m = np.zeros(max(n_groups, 1), dtype=np.int64)
    ret_f = np.zeros(max(n_groups, 1), dtype=np.int64)
    for gi, grp in enumerate(prep.groups):
        v = grp.family("social_security").snapshot.get(GROUPS_KIND)
        if v is None:
            continue
        if v.has("minimum_age"):
            minimum[gi] = int(v.decimal("minimum_age"))
        ret_m[gi] = int(v.decimal("retirement_age_male")) if v.has("retirement_age_male") else 0
        ret_f[gi] = int(v.decimal("retirement_age_female")) if v.has("retirement_age_female") else 0
    birth = ch.sort(days(df["birth_date"]))[sel]
    sex, sex_vocab = codes(ch.col(df, "sex"))
    male = (sex[sel] == (sex_vocab.index("M") if "M" in sex_vocab else -2)).astype(np.int64)
    # Completed years at the approval date, as the exact ``age_on``: age ≥ k ⇔ born on or
    # before the k-th anniversary cutoff, computed once per project and sex.
    adult_cut, retire_cut = _cutoffs(prep, minimum, ret_m, ret_f)
    group = np.where(birth > adult_cut[proj], 0, np.where(birth > retire_cut[proj, male], 1, 2))
    key = (g * 3 + group) * 2 + male

    def resolve(k: int) -> tuple[Fraction | None, int, int]:
        gi, rest = divmod(k, 6)
        gk, is_male = divmod(rest, 2)
        v = prep.groups[gi].family("social_security").snapshot.get(GROUPS_KIND)
        if v is None:
            return None, -1, 0
        row = v.find_row(_GROUPS[gk])
        if row is None:
            return None, -1, 0
        name = "retirement_age_male" if is_male else "retirement_age_female"
        refs = (v.ref(row=_GROUPS[gk], name="amount"), v.ref(name=name))
        return Fraction(row.decimal("amount")), run.ref_id(refs), 0

    found = lookup(np.where(live, key, 0), n_groups * 6, resolve)
    run.route(hh[live & ~found.valid], "GROUP_NOT_IN_TABLE")
    ok = live & found.valid
    idx = np.flatnonzero(ok)
    rows = ch.perm[sel[idx]]
    one = np.ones(idx.size, dtype=np.int64)
    return [
        LineBlock.make(
            n=idx.size,
            subject_kind=SUBJECT_HOUSEHOLD,
            subject_pos=hh[idx],
            item_kind=Item.MEMBER,
            item_pos=rows,
            category=CATEGORY_CODE[Category.SOCIAL_SECURITY],
            rule=run.rule_id(RULE),
            payee=PayeeTemplate.SOCIAL_SECURITY_MEMBER,
            payee_pos=rows,
            amount_fen=fen(one, 1, [(found.num[idx], found.den[idx])]),
            ref_set=found.ref[idx],
        )
    ]
