"""Tests for the four-level review (四级审核, funds.md "The four-level review")."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from buchang.funds.records import Decision, PaymentLine, PaymentList, Review, ReviewConfig
from buchang.funds.review import (
    REVIEW_LEVEL_MISSING,
    REVIEW_LIMIT_EXCEEDED,
    REVIEW_OUT_OF_ORDER,
    REVIEW_REJECTED,
    REVIEW_STALE,
    REVIEWER_NOT_DISTINCT,
    ReviewOutcome,
    evaluate_reviews,
)

T0 = datetime(2024, 3, 1, 9, 0)
PASS, RETURN = Decision.PASS, Decision.RETURN


def make_list(amounts: tuple[int, ...] = (100_000_00, 50_000_00)) -> PaymentList:
    lines = tuple(
        PaymentLine("L1", i, f"A{i}", f"户{i}", f"62220000{i:04d}", "房屋补偿费", amt, date(2024, 4, 1))
        for i, amt in enumerate(amounts, start=1)
    )
    return PaymentList("L1", "P1", "prep", T0, lines)


def rv(plist: PaymentList, level: int, who: str, hours: int, decision: Decision = PASS) -> Review:
    return Review(
        plist.list_no, level, who, f"role{level}", decision, T0 + timedelta(hours=hours), plist.digest
    )


def clean(plist: PaymentList) -> list[Review]:
    return [rv(plist, k, f"r{k}", k) for k in range(1, 5)]


def only(outcome: ReviewOutcome) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.level, p.reviewer_id) for p in outcome.problems]


def test_clean_four_levels_approve_at_level_four_time() -> None:
    plist = make_list()
    out = evaluate_reviews(plist, clean(plist))
    assert out.approved
    assert out.approved_at == T0 + timedelta(hours=4)
    assert out.problems == ()


def test_missing_level() -> None:
    plist = make_list()
    out = evaluate_reviews(plist, [r for r in clean(plist) if r.level != 3])
    assert not out.approved and out.approved_at is None
    assert only(out) == [(REVIEW_LEVEL_MISSING, 3, None)]


def test_no_reviews_at_all_reports_every_level() -> None:
    out = evaluate_reviews(make_list(), [])
    assert only(out) == [(REVIEW_LEVEL_MISSING, k, None) for k in range(1, 5)]


def test_out_of_order() -> None:
    plist = make_list()
    reviews = clean(plist)
    reviews[2] = rv(plist, 3, "r3", 1)  # level 3 at +1h, before level 2 at +2h
    reviews[0] = rv(plist, 1, "r1", 0)
    out = evaluate_reviews(plist, reviews)
    assert only(out) == [(REVIEW_OUT_OF_ORDER, 3, None)]


def test_equal_times_are_in_order() -> None:
    plist = make_list()
    reviews = [rv(plist, k, f"r{k}", 5) for k in range(1, 5)]
    assert evaluate_reviews(plist, reviews).approved


def test_preparer_may_not_review() -> None:
    plist = make_list()
    reviews = clean(plist)
    reviews[0] = rv(plist, 1, "prep", 1)
    assert only(evaluate_reviews(plist, reviews)) == [(REVIEWER_NOT_DISTINCT, 1, "prep")]


def test_nobody_reviews_at_two_levels_and_no_bypass_for_leaders() -> None:
    plist = make_list()
    reviews = clean(plist)
    reviews[3] = rv(plist, 4, "r2", 4)  # the finance reviewer signs as leader too
    assert only(evaluate_reviews(plist, reviews)) == [(REVIEWER_NOT_DISTINCT, 4, "r2")]


def test_same_reviewer_re_passing_own_level_is_one_person() -> None:
    plist = make_list()
    reviews = [*clean(plist), rv(plist, 2, "r2", 5, RETURN), rv(plist, 2, "r2", 6)]
    # level 2 re-passed at +6h, after level 3 (+3h) and 4 (+4h): order is now broken
    assert only(evaluate_reviews(plist, reviews)) == [
        (REVIEW_OUT_OF_ORDER, 3, None),
    ]


def test_return_after_pass_voids_level_until_new_pass() -> None:
    plist = make_list()
    returned = [*clean(plist), rv(plist, 4, "r4", 5, RETURN)]
    assert only(evaluate_reviews(plist, returned)) == [(REVIEW_REJECTED, 4, "r4")]
    repassed = [*returned, rv(plist, 4, "r4", 6)]
    out = evaluate_reviews(plist, repassed)
    assert out.approved and out.approved_at == T0 + timedelta(hours=6)


def test_return_at_same_instant_as_pass_stands() -> None:
    plist = make_list()
    reviews = [*clean(plist), rv(plist, 2, "r2", 2, RETURN)]
    assert only(evaluate_reviews(plist, reviews)) == [(REVIEW_REJECTED, 2, "r2")]


def test_return_before_any_pass_then_pass() -> None:
    plist = make_list()
    reviews = [rv(plist, 1, "r1", 0, RETURN), *clean(plist)]
    assert evaluate_reviews(plist, reviews).approved


def test_changed_list_makes_reviews_stale() -> None:
    old = make_list()
    reviews = clean(old)
    new = replace(old, lines=(replace(old.lines[0], amount_fen=old.lines[0].amount_fen + 1), old.lines[1]))
    assert new.digest != old.digest
    out = evaluate_reviews(new, reviews)
    assert only(out) == [(REVIEW_STALE, k, None) for k in range(1, 5)]
    # re-reviewing the new content approves it; the stale reviews are then history
    out2 = evaluate_reviews(new, [*reviews, *[rv(new, k, f"r{k}", 10 + k) for k in range(1, 5)]])
    assert out2.approved and out2.approved_at == T0 + timedelta(hours=14)


def test_partly_stale_reports_stale_levels_only() -> None:
    old = make_list()
    new = replace(old, preparer="prep")  # same content: same digest
    assert new.digest == old.digest
    changed = replace(old, lines=old.lines[:1])
    reviews = [*clean(old)[:2], *[rv(changed, k, f"r{k}", k) for k in (3, 4)]]
    assert only(evaluate_reviews(changed, reviews)) == [(REVIEW_STALE, 1, None), (REVIEW_STALE, 2, None)]


def test_authority_limits() -> None:
    plist = make_list()  # total 150,000.00 yuan = 15,000,000 fen
    config = ReviewConfig(limits_fen=(None, None, 100_000_00, None))
    out = evaluate_reviews(plist, clean(plist), config)
    assert only(out) == [(REVIEW_LIMIT_EXCEEDED, 3, None)]
    at_limit = ReviewConfig(limits_fen=(None, None, plist.total_fen, None))
    assert evaluate_reviews(plist, clean(plist), at_limit).approved


def test_reviews_of_other_lists_are_ignored() -> None:
    plist = make_list()
    other = [replace(r, list_no="L2") for r in clean(plist)]
    assert only(evaluate_reviews(plist, other)) == [(REVIEW_LEVEL_MISSING, k, None) for k in range(1, 5)]


def test_state_at_a_moment() -> None:
    plist = make_list()
    reviews = [*clean(plist), rv(plist, 4, "r4", 5, RETURN), rv(plist, 4, "r4", 7)]
    assert evaluate_reviews(plist, reviews, at=T0 + timedelta(hours=4, minutes=30)).approved
    mid = evaluate_reviews(plist, reviews, at=T0 + timedelta(hours=6))
    assert only(mid) == [(REVIEW_REJECTED, 4, "r4")]
    assert only(evaluate_reviews(plist, reviews, at=T0 + timedelta(hours=2))) == [
        (REVIEW_LEVEL_MISSING, 3, None),
        (REVIEW_LEVEL_MISSING, 4, None),
    ]


def test_configurable_level_count() -> None:
    plist = make_list()
    three = ReviewConfig(level_names=("a", "b", "c"), limits_fen=(None, None, None))
    reviews = [r for r in clean(plist) if r.level <= 3]
    assert evaluate_reviews(plist, reviews, three).approved


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    extra=st.lists(
        st.tuples(
            st.integers(1, 4),
            st.sampled_from(["r1", "r2", "r3", "r4", "prep", "x"]),
            st.integers(0, 8),
            st.booleans(),
        ),
        max_size=6,
    ),
)
def test_independent_of_review_order(seed: int, extra: list[tuple[int, str, int, bool]]) -> None:
    plist = make_list()
    reviews = clean(plist) + [rv(plist, lv, who, h, PASS if ok else RETURN) for lv, who, h, ok in extra]
    expected = evaluate_reviews(plist, reviews)
    shuffled = list(reviews)
    random.Random(seed).shuffle(shuffled)
    assert evaluate_reviews(plist, shuffled) == expected
    assert expected.approved == (expected.problems == ())
