"""Review findings for lists that have payments (``shared/spec/funds.md``).

The scalar rules of :mod:`buchang.funds.review` are applied per list (lists are
few relative to lines). For a list with valid payments:

* if the list is not approved now, each problem code becomes one finding for
  the list (a standing 退回 as ``REVIEW_REJECTED_PAID``), holding the list's
  payments;
* if it is approved, each payment made before the approval time is checked
  against the review state at that moment: ``REVIEW_REJECTED_PAID`` when a
  退回 stood then, else ``PAYMENT_BEFORE_APPROVAL`` — one finding per list and
  code, holding those payments.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import numpy.typing as npt

from buchang.funds import findings as F
from buchang.funds import review as R
from buchang.funds.reconcile.ledger import Ledger
from buchang.funds.reconcile.matching import Matching
from buchang.funds.reconcile.prep import Prepared
from buchang.funds.reconcile.sink import Sink, groups, time_text
from buchang.funds.records import ReviewConfig

I64 = npt.NDArray[np.int64]

_CODE = {
    R.REVIEW_LEVEL_MISSING: F.REVIEW_LEVEL_MISSING,
    R.REVIEW_OUT_OF_ORDER: F.REVIEW_OUT_OF_ORDER,
    R.REVIEWER_NOT_DISTINCT: F.REVIEWER_NOT_DISTINCT,
    R.REVIEW_STALE: F.REVIEW_STALE,
    R.REVIEW_LIMIT_EXCEEDED: F.REVIEW_LIMIT_EXCEEDED,
    R.REVIEW_REJECTED: F.REVIEW_REJECTED_PAID,
}


def _seconds(t: datetime) -> int:
    return int(np.datetime64(t, "s").astype(np.int64))


def list_outcomes(p: Prepared, config: ReviewConfig) -> list[R.ReviewOutcome]:
    """The current review outcome of every list (canonical list order)."""
    digests = p.s_digest
    return [
        R.evaluate_review_facts(
            str(no),
            str(digests[i]),
            str(p.s_preparer[i]),
            int(p.s_total[i]),
            p.reviews.get(str(no), ()),
            config,
        )
        for i, no in enumerate(p.s_no.tolist())
    ]


def review_findings(
    p: Prepared, m: Matching, led: Ledger, sink: Sink, outcomes: list[R.ReviewOutcome], config: ReviewConfig
) -> None:
    """Emit the review findings (see the module docstring)."""
    valid_idx = np.flatnonzero(led.valid).astype(np.int64)
    for li, txns in groups(p.l_list[m.line[valid_idx]], valid_idx):
        out = outcomes[li]
        no = str(p.s_no[li])
        paid = int(p.t_amount[txns].sum())
        if not out.approved:
            by_code: dict[str, list[R.ReviewProblem]] = {}
            for prob in out.problems:
                by_code.setdefault(_CODE[prob.code], []).append(prob)
            for code, probs in by_code.items():
                zh = "；".join(pr.message.split(" / ")[0] for pr in probs)
                en = "; ".join(pr.message.split(" / ")[-1] for pr in probs)
                expected = None
                actual = paid
                if code == F.REVIEW_LIMIT_EXCEEDED:
                    limits = [config.limits_fen[pr.level - 1] for pr in probs if pr.level is not None]
                    expected = min(lim for lim in limits if lim is not None)
                    actual = int(p.s_total[li])
                sink.add(
                    code,
                    f"清单{no}已支付但未有效审核：{zh}",
                    f"list {no} was paid without a valid review: {en}",
                    txns,
                    list_idx=li,
                    expected_fen=expected,
                    actual_fen=actual,
                )
            continue
        assert out.approved_at is not None
        approved_s = _seconds(out.approved_at)
        early = txns[p.t_at[txns] < approved_s]
        if not len(early):
            continue
        rejected: list[int] = []
        before: list[int] = []
        reviews = p.reviews.get(no, [])
        cache: dict[int, bool] = {}
        for ti in early.tolist():
            at = int(p.t_at[ti])
            if at not in cache:
                then = R.evaluate_review_facts(
                    no,
                    str(p.s_digest[li]),
                    str(p.s_preparer[li]),
                    int(p.s_total[li]),
                    reviews,
                    config,
                    at=np.datetime64(at, "s").astype(datetime),
                )
                cache[at] = R.REVIEW_REJECTED in then.codes
            (rejected if cache[at] else before).append(ti)
        when = time_text(approved_s)
        if rejected:
            amount = int(p.t_amount[rejected].sum())
            sink.add(
                F.REVIEW_REJECTED_PAID,
                f"清单{no}在退回未重新通过期间支付{len(rejected)}笔",
                f"list {no}: {len(rejected)} payment(s) made while a 退回 (return) stood",
                rejected,
                list_idx=li,
                actual_fen=amount,
            )
        if before:
            amount = int(p.t_amount[before].sum())
            sink.add(
                F.PAYMENT_BEFORE_APPROVAL,
                f"清单{no}于{when}完成四级审核，此前已支付{len(before)}笔",
                f"list {no} was approved at {when}; {len(before)} payment(s) were made before",
                before,
                list_idx=li,
                actual_fen=amount,
            )
