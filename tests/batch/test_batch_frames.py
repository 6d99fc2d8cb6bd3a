"""Frames schema, exact Project ↔ frames conversion, input bounds and routing."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from tests.batch.batch_kit import shipped

from buchang.batch.compute import compute_batch
from buchang.batch.frames import BOUNDS, Frames, InexactValue, from_projects, out_of_bounds, to_projects
from buchang.batch.parity import differences, exact_lines_frame
from buchang.batch.synth import synth_frames


def test_projects_round_trip_exactly() -> None:
    frames = synth_frames(60, shipped(), seed=11, households_per_project=20, households_per_collective=10)
    projects = to_projects(frames)
    again = to_projects(from_projects(projects))
    assert again == projects
    # money and areas stay integers of fen / centi-m², never floats
    for name in ("buildings", "parcels", "attachments", "collectives", "flats"):
        for col, dtype in frames.frame(name).dtypes.items():
            assert dtype.kind != "f", (name, col)


def test_inexact_value_is_refused() -> None:
    (project,) = to_projects(synth_frames(1, shipped(), seed=1))
    h = project.households[0]
    b = h.buildings[0].model_copy(update={"legal_area_m2": Decimal("12.345")})
    bad = project.model_copy(update={"households": (h.model_copy(update={"buildings": (b,)}),)})
    with pytest.raises(InexactValue, match="legal_area_m2"):
        from_projects([bad])


def test_float_column_is_refused() -> None:
    frames = synth_frames(3, shipped(), seed=1)
    b = frames.buildings.copy()
    b["legal_area_cm2"] = b["legal_area_cm2"].astype(float)
    with pytest.raises(TypeError, match="float"):
        Frames.build(households=frames.households, projects=frames.projects, buildings=b)


def test_out_of_bounds_household_is_routed_and_named() -> None:
    store = shipped()
    frames = synth_frames(20, store, seed=5, households_per_project=20, households_per_collective=10)
    b = frames.buildings.copy()
    row = 3
    b.loc[row, "legal_area_cm2"] = BOUNDS["legal_area_cm2"] + 1  # 10⁶ m² + 0.01: beyond the batch range
    frames = Frames.build(
        **{
            **{
                n: frames.frame(n)
                for n in (
                    "projects",
                    "collectives",
                    "parcels",
                    "households",
                    "members",
                    "attachments",
                    "flats",
                )
            },
            "buildings": b,
        }
    )
    found, mask, projects = out_of_bounds(frames)
    assert not projects
    assert [(f.frame, f.row, f.column) for f in found] == [("buildings", row, "legal_area_cm2")]
    hid = str(frames.buildings["household_id"].iloc[row])
    assert hid in str(found[0])
    assert mask.sum() == 1
    res = compute_batch(frames, store)
    assert res.routed.get("OUT_OF_BOUNDS") == 1
    assert any(i.code == "BATCH_ROUTED_EXACT" and "buildings[3].legal_area_cm2" in str(i) for i in res.issues)
    assert hid in {s.subject_id for _, s in res.exact}
    assert differences(res.lines_frame(), exact_lines_frame(to_projects(frames), store)).empty


def test_children_in_any_order_are_indexed() -> None:
    store = shipped()
    frames = synth_frames(30, store, seed=8, households_per_project=30, households_per_collective=10)
    rng = np.random.default_rng(0)
    shuffled = {
        n: frames.frame(n).iloc[rng.permutation(len(frames.frame(n)))].reset_index(drop=True)
        for n in ("members", "buildings", "attachments", "flats", "parcels")
    }
    plain = {
        n: df.assign(**{c: df[c].astype(str) for c in ("household_id",) if c in df.columns})
        for n, df in shuffled.items()
    }
    other = Frames.build(
        projects=frames.projects, collectives=frames.collectives, households=frames.households, **plain
    )
    a = compute_batch(frames, store).lines_frame()
    b = compute_batch(other, store).lines_frame()
    assert differences(a, b).empty


def test_empty_frames() -> None:
    res = compute_batch(Frames.build(), shipped())
    assert res.n_lines == 0 and res.total_fen() == 0
    assert isinstance(res.lines_frame(), pd.DataFrame)


def test_a_product_beyond_int64_falls_back_to_the_exact_path() -> None:
    from buchang.batch.intmath import Int64RangeError
    from buchang.batch.kernels.attachments import attachments_kernel

    store = shipped()
    frames = synth_frames(10, store, seed=2, households_per_project=10, households_per_collective=5)

    def overflowing(run: object) -> list[object]:
        raise Int64RangeError("test", [0])

    res = compute_batch(frames, store, kernels=[attachments_kernel, overflowing])  # type: ignore[list-item]
    assert res.routed.get("INT64_RANGE") == len(frames.households)
    assert len(res.exact) == len(frames.households)
