"""Batch mode: the exact core's rules vectorised over pandas/numpy int64 fen, equal to it to the fen.

Pipeline (``compute_batch(frames, store)``):

1. :mod:`.frames` — tidy DataFrames keyed by household id (money in int64 fen,
   areas in int64 centi-m², ratios as integer num/den), from/to
   :class:`~buchang.rules.inputs.Project`; documented int64 ranges;
2. :mod:`.params` — projects grouped by (jurisdiction, governing dates), each
   group's tables resolved once with the exact engine's resolver;
3. :mod:`.kernels` — one kernel per rule family (land, attachments, houses,
   social security) emitting coded lines; ROUND_HALF_UP in integer arithmetic
   (:mod:`.intmath`); subjects whose data the exact rule reports as an issue,
   or outside the int64 ranges, are routed to the exact path;
4. :mod:`.compute` — :class:`BatchResult`: lines, per-subject totals, issues;
   :mod:`.explain` re-runs any line through the exact path; :mod:`.aggregate`
   gives the auditors' totals; :mod:`.dask` runs the same over Dask
   (optional extra ``buchang[dask]``); :mod:`.synth` generates populations;
   :mod:`.parity` compares the two paths.
"""

from buchang.batch.aggregate import by_category, by_collective, by_payee, by_table_version, combine
from buchang.batch.compute import BatchResult, compute_batch
from buchang.batch.explain import Explanation, explain_row
from buchang.batch.frames import Frames, from_projects, to_projects
from buchang.batch.parity import differences, exact_lines_frame
from buchang.batch.synth import synth_frames, synth_projects

__all__ = [
    "BatchResult",
    "Explanation",
    "Frames",
    "by_category",
    "by_collective",
    "by_payee",
    "by_table_version",
    "combine",
    "compute_batch",
    "differences",
    "exact_lines_frame",
    "explain_row",
    "from_projects",
    "synth_frames",
    "synth_projects",
    "to_projects",
]
