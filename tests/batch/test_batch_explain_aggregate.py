"""Explain row i through the exact path; auditors' totals are exact sums of the lines."""

from __future__ import annotations

import pandas as pd
from tests.batch.batch_kit import shipped

from buchang.batch import aggregate as ag
from buchang.batch.compute import compute_batch
from buchang.batch.explain import explain_row
from buchang.batch.synth import synth_frames


def _result():  # type: ignore[no-untyped-def]
    store = shipped()
    frames = synth_frames(150, store, seed=21, households_per_project=30, households_per_collective=10)
    return store, compute_batch(frames, store)


def test_explain_any_row() -> None:
    store, res = _result()
    frame = res.lines_frame()
    n = len(frame)
    for i in (0, n // 3, n // 2, n - 1):
        e = explain_row(res, i, store)
        assert e.agrees, e.text
        assert e.line is not None and e.line.amount_fen == frame["amount_fen"].iloc[i]
        assert str(frame["subject_id"].iloc[i]) in e.text
        assert e.line.rule in e.text
    english = explain_row(res, 1, store, lang="en")
    assert "Batch line 1" in english.text


def test_aggregations_are_exact_sums() -> None:
    _, res = _result()
    lines = res.lines_frame()
    total = int(lines["amount_fen"].sum())
    assert total == res.total_fen()
    by_cat = ag.by_category(res)
    assert by_cat["amount_fen"].dtype == "int64"
    assert (
        dict(zip(by_cat["category"], by_cat["amount_fen"], strict=True))
        == lines.groupby("category")["amount_fen"].sum().to_dict()
    )
    for frame in (ag.by_collective(res), ag.by_payee(res)):
        assert int(frame["amount_fen"].sum()) == total
        assert int(frame["n_lines"].sum()) == len(lines)
    payees = (
        lines.assign(payee_account=lines["payee_account"].fillna(""))
        .groupby(["payee_kind", "payee_ref", "payee_name", "payee_account"])["amount_fen"]
        .sum()
    )
    assert len(payees) == len(ag.by_payee(res))
    versions = ag.by_table_version(res)
    cited = {(r.table_id, r.version) for refs in lines["refs"] for r in refs}
    assert set(zip(versions["table_id"], versions["version"], strict=True)) == cited


def test_combine_partial_aggregations() -> None:
    _, res = _result()
    whole = ag.by_category(res)
    doubled = ag.combine([whole, whole])
    assert (doubled["amount_fen"] == 2 * whole["amount_fen"]).all()
    assert isinstance(ag.combine([]), pd.DataFrame)
