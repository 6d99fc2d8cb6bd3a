"""Private data (issue 8, item 7, the journal's half): ID numbers and bank
accounts never appear unmasked in the journal's log records, its rejection and
error messages, ``verify`` reports, or the output of ``buchang ledger …``.

The journal itself stores them in full (it is the record); everything it *says*
masks them with :func:`buchang.core.ids.mask` (``3105************0001``).
The test drives every refusal that concerns an account, a tampered journal
whose replay fails on one, and every ``buchang ledger`` subcommand in text and
JSON, and searches all of it for any 9-character piece of any secret.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pytest
from tests.reliability.workload import ACCOUNT, PAYEE_ID, batch_commands, payee_account, setup_commands

from buchang.cli.main import main
from buchang.core.ids import mask
from buchang.funds.journal import (
    Command,
    CreatePaymentList,
    Deposit,
    Ledger,
    OpenProject,
    RegisterAgreement,
    encode_command,
    example,
    verify,
)
from buchang.funds.journal.sqlite import SCHEMA
from buchang.funds.records import Agreement, PaymentLine, PaymentList, Project

OTHER_ACCOUNT = "31050161360000000002"
P4_ACCOUNT = "31050161360000000004"
STRANGER_ACCOUNT = "6217000011112222333"
COMPANY_CODE = "91310000MA1FL0XX3X"  # 统一社会信用代码 of a company payee
SECRETS = (ACCOUNT, OTHER_ACCOUNT, P4_ACCOUNT, STRANGER_ACCOUNT, PAYEE_ID, COMPANY_CODE, payee_account(0, 1))


def p4_setup() -> list[Command]:
    """Project P4: no upfront requirement, 60 fen in, agreement A4x (100 fen, company
    payee) on approved list L4, 50 fen paid: 10 fen left."""
    a4 = Agreement(
        "A4x",
        "P4",
        "某公司",
        COMPANY_CODE,
        STRANGER_ACCOUNT,
        "房屋补偿费",
        100,
        date(2025, 1, 10),
        date(2025, 1, 10),
    )
    line = PaymentLine("L4", 1, "A4x", "某公司", STRANGER_ACCOUNT, "房屋补偿费", 100, date(2025, 7, 1))
    plist = PaymentList("L4", "P4", "prep", datetime(2025, 2, 1, 9), (line,))
    return [
        example.open_project("P4", account=P4_ACCOUNT, upfront=0),
        example.deposit("d4", 60, pid="P4", txn="T-d4"),
        Command("reg-A4x", RegisterAgreement(a4)),
        Command("list-L4", CreatePaymentList(plist)),
        *example.reviews(plist),
        example.pay("p4-1", 50, list_no="L4", pid="P4"),
    ]


def p4_overdraw() -> Command:
    """40 fen more on line 1 of L4: within the line and the agreement, beyond the 10 fen left."""
    return example.pay("p4-2", 40, list_no="L4", pid="P4")


def leaks(text: str) -> list[str]:
    """Every 9-character piece of a secret found in ``text`` (runs of one digit aside)."""
    pieces = {s[i : i + 9] for s in SECRETS for i in range(len(s) - 8)}
    return sorted(p for p in pieces if len(set(p)) > 1 and p in text)  # "000000000" is no secret


def refusals(ledger: Ledger) -> list[str]:
    """Drive the refusals that concern accounts; return their messages."""
    company = Agreement(
        "A4x",
        "P4",
        "某公司",
        COMPANY_CODE,
        STRANGER_ACCOUNT,
        "房屋补偿费",
        7,
        date(2025, 1, 10),
        date(2025, 1, 10),
    )
    attempts: list[Iterable[Command]] = [
        # another project wants P1's dedicated account (ACCOUNT_IN_USE)
        [Command("open-P2-bad", OpenProject(Project("P2", "项目P2", ACCOUNT, 0)))],
        # money from another project's account without an allocation approval (CROSS_PROJECT_TRANSFER)
        [
            Command("open-P2", OpenProject(Project("P2", "项目P2", OTHER_ACCOUNT, 0))),
            Command(
                "x-1", Deposit("P1", "T-x1", 5, datetime(2025, 1, 6), counterparty_account=OTHER_ACCOUNT)
            ),
        ],
        [
            Command(
                "x-2",
                Deposit(
                    "P1",
                    "T-x2",
                    5,
                    datetime(2025, 1, 6),
                    counterparty_account=STRANGER_ACCOUNT,
                    allocation_no="NO-SUCH",
                ),
            )
        ],
        # a payment beyond the balance (ACCOUNT_OVERDRAWN)
        p4_setup(),
        [p4_overdraw()],
        # a company payee's agreement registered twice (AGREEMENT_EXISTS)
        [Command("reg-A4x-again", RegisterAgreement(company))],
        # the same id again with another body, a stranger's account (COMMAND_ID_CONFLICT)
        [Command("open-P1", OpenProject(Project("P1", "项目P1", STRANGER_ACCOUNT, 1)))],
    ]
    messages: list[str] = []
    for cmds in attempts:
        result = ledger.append_many(cmds)
        messages += [str(r) for r in result.rejections] + [
            json.dumps(r.to_dict(), ensure_ascii=False) for r in result.rejections
        ]
    return messages


@pytest.fixture
def books(tmp_path: Path) -> Path:
    path = tmp_path / "books.db"
    with Ledger.create(path) as ledger:
        assert ledger.append_many(setup_commands()).ok
        assert ledger.append_many(batch_commands(0)).ok
    return path


def test_refusals_mask_accounts_and_ids(
    books: Path, caplog: pytest.LogCaptureFixture, figures: Counter[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    with Ledger.open(books) as ledger:
        messages = refusals(ledger)
    codes = {m.split("[", 1)[1].split("]", 1)[0] for m in messages if "[" in m}
    assert {"ACCOUNT_IN_USE", "CROSS_PROJECT_TRANSFER", "ACCOUNT_OVERDRAWN", "COMMAND_ID_CONFLICT"} <= codes
    text = "\n".join(messages)
    assert leaks(text) == [], text
    assert mask(ACCOUNT) in text  # masked, still recognisable: 3105************0001
    assert leaks(caplog.text) == []
    figures["privacy: refusal messages checked"] += len(messages)


def tamper_overdraw(path: Path) -> None:
    """Lower P4's deposit from 60 to 40 fen (event, booked amount and balance alike)
    and re-chain: replaying the 50-fen payment then overdraws P4's account, and
    the refusal that names the account is what ``verify --deep`` and opening
    the journal report."""
    import hashlib

    from buchang.funds.journal import canonical

    con = sqlite3.connect(path, isolation_level=None)
    for name in ("entries_no_update", "entries_no_delete", "entries_chain"):
        con.execute(f"DROP TRIGGER {name}")
    rows = con.execute("SELECT seq, body FROM entries ORDER BY seq").fetchall()
    first_p4 = min(seq for seq, raw in rows if json.loads(raw)["project_id"] == "P4")
    prev = bytes(32)
    for seq, raw in rows:
        env = json.loads(raw)
        if env["command_id"] == "d4":
            env["data"]["amount_fen"] = env["amount_fen"] = 40
        if env["project_id"] == "P4" and seq >= first_p4 + 1:
            env["balance_fen"] -= 20  # every later P4 balance restated: 40, …, 40, −10
        raw = canonical(env)
        digest = hashlib.sha256(prev + raw).digest()
        con.execute(
            "UPDATE entries SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?", (raw, prev, digest, seq)
        )
        prev = digest
    for name in ("entries_no_update", "entries_no_delete", "entries_chain"):
        con.execute(SCHEMA[name])
    con.close()


def test_cli_output_masks_accounts_and_ids(
    books: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    figures: Counter[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []

    def run(*argv: str) -> int:
        code = main(list(argv))
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
        return code

    def jsonl(name: str, cmds: Iterable[Command]) -> str:
        path = tmp_path / name
        path.write_text(
            "\n".join(json.dumps(encode_command(c), ensure_ascii=False) for c in cmds) + "\n",
            encoding="utf-8",
        )
        return str(path)

    ok = jsonl("ok.jsonl", batch_commands(1))
    bad = jsonl(
        "bad.jsonl",
        [
            Command("open-P2-bad", OpenProject(Project("P2", "项目P2", ACCOUNT, 0))),
            Command(
                "x-1",
                Deposit(
                    "P1",
                    "T-x1",
                    5,
                    datetime(2025, 1, 6),
                    counterparty_account=STRANGER_ACCOUNT,
                    allocation_no="NOPE",
                ),
            ),
            *batch_commands(2)[:11],
        ],
    )
    p4 = jsonl("p4.jsonl", p4_setup())
    over = jsonl("over.jsonl", [p4_overdraw()])
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        '{"id": "x", "type": "deposit", "data": {"counterparty_account": 6217000011112222333}}\n'
        f'{{"id": "{PAYEE_ID}"\n',
        encoding="utf-8",
    )
    cp = tmp_path / "cp.json"
    for argv in (
        ("ledger", "append", str(books), ok),
        ("ledger", "append", str(books), ok, "--json"),
        ("ledger", "append", str(books), bad),
        ("ledger", "append", str(books), bad, "--json"),
        ("ledger", "append", str(books), p4),
        ("ledger", "append", str(books), over),
        ("ledger", "append", str(books), over, "--json"),
        ("ledger", "append", str(books), str(broken), "--json"),
        ("ledger", "verify", str(books), "--deep"),
        ("ledger", "verify", str(books), "--json"),
        ("ledger", "checkpoint", str(books), "-o", str(cp)),
    ):
        run(*argv)
    assert leaks(cp.read_text(encoding="utf-8")) == []
    tamper_overdraw(books)
    assert not verify(books, deep=True).ok
    for argv in (
        ("ledger", "verify", str(books), "--deep"),
        ("ledger", "verify", str(books), "--deep", "--json"),
        ("ledger", "verify", str(books), "--against", str(cp)),
        ("ledger", "append", str(books), ok),  # the journal cannot be replayed: the error names why
        ("ledger", "checkpoint", str(books), "-o", str(tmp_path / "cp2.json")),
    ):
        run(*argv)
    # the replay of the tampered journal fails on the overdraft, naming the (masked) account
    assert "REPLAY_REJECTED" in outputs[-5] and mask(P4_ACCOUNT) in outputs[-5]
    assert "REPLAY_REJECTED" in outputs[-2] and mask(P4_ACCOUNT) in outputs[-2]
    text = "\n".join(outputs)
    assert "ACCOUNT_OVERDRAWN" in text and "CROSS_PROJECT_TRANSFER" in text and "ACCOUNT_IN_USE" in text
    assert leaks(text) == [], [o for o in outputs if leaks(o)]
    assert leaks(caplog.text) == []
    figures["privacy: CLI runs checked"] += len(outputs)
