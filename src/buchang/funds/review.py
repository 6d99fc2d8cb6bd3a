"""The four-level review of a payment list (四级审核).

Rules (``shared/spec/funds.md``, "The four-level review"; seed: 宝山 2021 — every
payment batch gets a 补偿款发放清单 that passes a four-level internal review
before money moves). A list is **approved** only when:

1. every level 1..n has a 通过 on the list's **current** content digest
   (``REVIEW_LEVEL_MISSING``; ``REVIEW_STALE`` when the level was passed only on
   an older digest — a change to the list after review voids those reviews);
2. levels were passed in order: the time of level k ≥ the time of level k−1
   (``REVIEW_OUT_OF_ORDER``);
3. the preparer (制表人) and the n reviewers are n+1 **distinct** people: no
   self-review, nobody reviews at two levels — and there is no bypass
   (``REVIEWER_NOT_DISTINCT``);
4. the list total is within each level's authority limit where one is set
   (``REVIEW_LIMIT_EXCEEDED``);
5. no 退回 on the current digest stands after the last 通过 of that level: a 退回
   after a 通过 voids the level until a new 通过 (``REVIEW_REJECTED``).

Precise semantics chosen here (documented so auditors can reproduce them):

* Only reviews of this list whose ``level`` is in 1..n are considered; reviews
  with another ``list_no`` are ignored, so a caller may pass all reviews.
* Per level, the current-digest reviews are ordered by (time, 通过 before 退回,
  reviewer id): a 退回 at the same instant as a 通过 is taken as coming after it,
  the conservative reading. The level's **effective pass** is the first 通过
  after the last 退回 (or the first 通过 when there is no 退回); its time is the
  level's time for the ordering rule and, at level n, the approval time.
* A missing level is reported once, with the most specific reason: a standing
  退回 (``REVIEW_REJECTED``), else a 通过 on an older digest (``REVIEW_STALE``),
  else ``REVIEW_LEVEL_MISSING``.
* Distinctness counts every current-digest review (通过 or 退回): a person
  appearing at a second level is reported at each higher level, the preparer at
  every level they reviewed. The same person repeating a decision at the same
  level (a re-pass after a 退回) is one reviewer, not two.
* ``at`` (optional) evaluates the state as it stood at that moment: only
  reviews made at or before ``at`` count. Reconciliation uses it to tell a
  payment made while a 退回 stood from one made before approval.

The result does not depend on the order of ``reviews``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from buchang.funds.records import Decision, PaymentList, Review, ReviewConfig

REVIEW_LEVEL_MISSING: Final = "REVIEW_LEVEL_MISSING"
REVIEW_OUT_OF_ORDER: Final = "REVIEW_OUT_OF_ORDER"
REVIEWER_NOT_DISTINCT: Final = "REVIEWER_NOT_DISTINCT"
REVIEW_STALE: Final = "REVIEW_STALE"
REVIEW_LIMIT_EXCEEDED: Final = "REVIEW_LIMIT_EXCEEDED"
REVIEW_REJECTED: Final = "REVIEW_REJECTED"

#: Problem codes in the order they are reported for one level.
PROBLEM_ORDER: Final = (
    REVIEW_REJECTED,
    REVIEW_STALE,
    REVIEW_LEVEL_MISSING,
    REVIEW_OUT_OF_ORDER,
    REVIEWER_NOT_DISTINCT,
    REVIEW_LIMIT_EXCEEDED,
)


@dataclass(frozen=True, slots=True)
class ReviewProblem:
    """Why a list is not (validly) approved.

    Attributes:
        code: one of the ``REVIEW_*`` / ``REVIEWER_NOT_DISTINCT`` codes above
            (``REVIEW_REJECTED`` = a 退回 stands; reconciliation reports it as
            ``REVIEW_REJECTED_PAID`` when the list was paid).
        level: the level concerned (1-based), ``None`` when not level-specific.
        reviewer_id: the person concerned, for ``REVIEWER_NOT_DISTINCT``.
        message: Chinese / English text.
    """

    code: str
    level: int | None
    reviewer_id: str | None
    message: str


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """The result of :func:`evaluate_reviews`.

    Attributes:
        approved: all rules hold.
        approved_at: time of the level-n pass that completed the approval
            (``None`` unless approved).
        problems: every problem found, sorted by (level, code order, reviewer).
    """

    approved: bool
    approved_at: datetime | None
    problems: tuple[ReviewProblem, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(p.code for p in self.problems)


def evaluate_reviews(
    plist: PaymentList,
    reviews: Sequence[Review],
    config: ReviewConfig = ReviewConfig(),  # noqa: B008 - frozen, immutable default
    *,
    at: datetime | None = None,
) -> ReviewOutcome:
    """Evaluate the four-level review of ``plist`` (see the module docstring)."""
    return evaluate_review_facts(
        plist.list_no, plist.digest, plist.preparer, plist.total_fen, reviews, config, at=at
    )


def _sort_key(r: Review) -> tuple[datetime, int, str, str]:
    return (r.at, 0 if r.decision is Decision.PASS else 1, r.reviewer_id, r.digest)


def evaluate_review_facts(
    list_no: str,
    digest: str,
    preparer: str,
    total_fen: int,
    reviews: Iterable[Review],
    config: ReviewConfig = ReviewConfig(),  # noqa: B008 - frozen, immutable default
    *,
    at: datetime | None = None,
) -> ReviewOutcome:
    """:func:`evaluate_reviews` on the facts of a list rather than a :class:`PaymentList`.

    The scalar reference used by reconciliation, which holds lists as frames:
    ``digest`` is the list's current content digest
    (:func:`buchang.funds.records.list_digest`), ``total_fen`` its total.
    """
    n = config.levels
    mine = sorted(
        (r for r in reviews if r.list_no == list_no and 1 <= r.level <= n and (at is None or r.at <= at)),
        key=_sort_key,
    )
    current = [r for r in mine if r.digest == digest]
    problems: list[ReviewProblem] = []

    # Rules 1 and 5: an effective pass per level on the current digest.
    pass_time: dict[int, datetime] = {}
    for level in range(1, n + 1):
        here = [r for r in current if r.level == level]
        last_return = max((i for i, r in enumerate(here) if r.decision is Decision.RETURN), default=-1)
        after = [r for r in here[last_return + 1 :] if r.decision is Decision.PASS]
        name = config.level_names[level - 1]
        if after:
            pass_time[level] = after[0].at
        elif last_return >= 0:
            problems.append(
                ReviewProblem(
                    REVIEW_REJECTED,
                    level,
                    here[last_return].reviewer_id,
                    f"第{level}级（{name}）退回后未重新通过 / level {level} ({name}) "
                    "was returned (退回) and has not passed again",
                )
            )
        elif any(r.level == level and r.decision is Decision.PASS for r in mine):
            problems.append(
                ReviewProblem(
                    REVIEW_STALE,
                    level,
                    None,
                    f"第{level}级（{name}）仅对清单旧版本通过，清单已变更 / level {level} ({name}) "
                    "passed an older version of the list only; the list has changed since",
                )
            )
        else:
            problems.append(
                ReviewProblem(
                    REVIEW_LEVEL_MISSING,
                    level,
                    None,
                    f"第{level}级（{name}）无通过记录 / level {level} ({name}) has no pass",
                )
            )

    # Rule 2: levels in order.
    for level in range(2, n + 1):
        lower, upper = pass_time.get(level - 1), pass_time.get(level)
        if lower is not None and upper is not None and upper < lower:
            problems.append(
                ReviewProblem(
                    REVIEW_OUT_OF_ORDER,
                    level,
                    None,
                    f"第{level}级于{upper:%Y-%m-%d %H:%M}通过，早于第{level - 1}级"
                    f"（{lower:%Y-%m-%d %H:%M}） / level {level} passed at {upper:%Y-%m-%d %H:%M}, "
                    f"before level {level - 1} ({lower:%Y-%m-%d %H:%M})",
                )
            )

    # Rule 3: preparer + reviewers distinct, no bypass.
    levels_of: dict[str, set[int]] = {}
    for r in current:
        levels_of.setdefault(r.reviewer_id, set()).add(r.level)
    for person in sorted(levels_of):
        levels = sorted(levels_of[person])
        if person == preparer:
            for level in levels:
                problems.append(
                    ReviewProblem(
                        REVIEWER_NOT_DISTINCT,
                        level,
                        person,
                        f"制表人{person}审核了自己编制的清单（第{level}级） / the preparer {person} "
                        f"reviewed their own list at level {level}",
                    )
                )
        else:
            for level in levels[1:]:
                problems.append(
                    ReviewProblem(
                        REVIEWER_NOT_DISTINCT,
                        level,
                        person,
                        f"{person}已在第{levels[0]}级审核，又在第{level}级审核 / {person} already "
                        f"reviewed at level {levels[0]} and reviewed again at level {level}",
                    )
                )

    # Rule 4: authority limits.
    for level, limit in enumerate(config.limits_fen, start=1):
        if limit is not None and total_fen > limit:
            problems.append(
                ReviewProblem(
                    REVIEW_LIMIT_EXCEEDED,
                    level,
                    None,
                    f"清单合计{total_fen}分超出第{level}级审批权限{limit}分 / list total "
                    f"{total_fen} fen exceeds level {level}'s authority limit of {limit} fen",
                )
            )

    order = {code: i for i, code in enumerate(PROBLEM_ORDER)}
    problems.sort(key=lambda p: (p.level or 0, order[p.code], p.reviewer_id or ""))
    approved = not problems
    return ReviewOutcome(approved, pass_time.get(n) if approved else None, tuple(problems))
