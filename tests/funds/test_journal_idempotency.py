"""Property: a command id makes resubmission safe (funds.md, "The journal":
"resubmitting the same id is recognised (no double payment), resubmitting it
with a different body is an error")."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from buchang.funds.journal import Code, Command, Deposit, ExecutePayment, Ledger, verify
from buchang.funds.journal.example import deposit, fixed_clock, funded_setup, pay

# a pool of commands: payments on both lines (line 2 is not yet effective, so those
# are refused) and deposits; which succeed depends on the order drawn
POOL: tuple[Command, ...] = (
    *(pay(f"p{i}", amount, line=1 + i % 2) for i, amount in enumerate((1, 99_999, 250_000, 400_000, 7))),
    *(deposit(f"d{i}", amount) for i, amount in enumerate((1, 500_000))),
)


def _other_body(cmd: Command) -> Command:
    """The same command id with one fen more."""
    ev = cmd.event
    assert isinstance(ev, ExecutePayment | Deposit)
    return Command(cmd.command_id, dataclasses.replace(ev, amount_fen=ev.amount_fen + 1))


@settings(max_examples=25, deadline=None)
@given(
    order=st.permutations(range(len(POOL))),
    resubmit=st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=10),
    batch=st.booleans(),
)
def test_resubmission_changes_nothing(order: list[int], resubmit: list[int], batch: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp, Ledger.create(Path(tmp) / "j.db", clock=fixed_clock) as led:
        assert led.append_many(funded_setup()).ok
        accepted: dict[str, object] = {}
        for i in order:
            res = led.append(POOL[i])
            if res.ok:
                accepted[POOL[i].command_id] = res.entries[0]
        head = led.head
        balance = led.state.balance["P1"]
        again = [POOL[i] for i in resubmit if POOL[i].command_id in accepted]
        if batch and again:
            res = led.append_many(again)
            assert res.ok and all(r.replayed for r in res.receipts)
            assert [r.entry for r in res.receipts] == [accepted[c.command_id] for c in again]
        else:
            for cmd in again:
                res = led.append(cmd)
                assert res.ok and res.receipts[0].replayed and res.entries[0] == accepted[cmd.command_id]
        assert led.head == head and led.state.balance["P1"] == balance
        for cmd in again:
            res = led.append(_other_body(cmd))
            assert [r.code for r in res.rejections] == [Code.COMMAND_ID_CONFLICT]
        assert led.head == head and led.state.balance["P1"] == balance
        assert verify(Path(tmp) / "j.db").ok
