"""Replaying stored entries through the state machine.

Used when a ledger is opened (to rebuild its state) and by ``verify(deep=True)``
(to re-check every invariant on every stored entry, so an entry that a
rewritten, re-chained journal slipped in is still named).
"""

from __future__ import annotations

import json

from buchang.funds.journal.codec import CodecError, decode_event
from buchang.funds.journal.rejections import Rejection
from buchang.funds.journal.state import State
from buchang.funds.journal.store import StoredEntry


def replay_entry(state: State, entry: StoredEntry) -> tuple[str, str] | None:
    """Apply ``entry`` to ``state``; on failure ``(code, reason)`` and ``state`` unchanged.

    Codes: ``SEQ_GAP``, ``BODY_UNDECODABLE``, ``REPLAY_REJECTED`` (with the
    rejection code in the reason) and ``REPLAY_MISMATCH`` (the stored amount,
    project or balance differs from what the event implies).
    """
    if entry.seq != state.seq + 1:
        return ("SEQ_GAP", f"entry {state.seq + 1} missing (found {entry.seq})")
    try:
        env = json.loads(entry.body)
        event = decode_event(env["type"], env["data"])
    except (CodecError, ValueError, KeyError, TypeError) as exc:
        return ("BODY_UNDECODABLE", f"entry {entry.seq}: body cannot be decoded ({exc})")
    mark = state.mark()
    result = state.step(event)
    if isinstance(result, Rejection):
        return ("REPLAY_REJECTED", f"entry {entry.seq} breaks an invariant: [{result.code}] {result.message}")
    if (
        result != (entry.project_id, entry.amount_fen)
        or state.balance.get(entry.project_id, 0) != entry.balance_fen
        or env.get("command_id") != entry.command_id
        or env.get("type") != entry.type
    ):
        state.rollback(mark)
        return ("REPLAY_MISMATCH", f"entry {entry.seq}: stored project/amount/balance differs from its event")
    return None
