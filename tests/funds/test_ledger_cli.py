"""``buchang ledger …`` (the CLI of the journal)."""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from buchang.cli import ledger_cmd
from buchang.funds.journal import encode_command
from buchang.funds.journal.example import funded_setup, pay


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="buchang")
    ledger_cmd.register(parser.add_subparsers())
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    code: int = args.func(args)
    return code


def write_jsonl(path: Path, commands: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in commands) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def books(tmp_path: Path) -> Path:
    path = tmp_path / "books.db"
    assert run("ledger", "init", str(path)) == 0
    cmds = write_jsonl(tmp_path / "setup.jsonl", [encode_command(c) for c in funded_setup()])
    assert run("ledger", "append", str(path), str(cmds)) == 0
    return path


def test_init_append_verify(books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("ledger", "init", str(books)) == 2  # exists: refused, a usage error (cli/usage.py)
    pays = write_jsonl(tmp_path / "pay.jsonl", [encode_command(pay("p1", 400_000))])
    capsys.readouterr()
    assert run("ledger", "append", str(books), str(pays), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    # 1,200,000 deposited − 400,000 = 800,000
    assert out["ok"] and out["entries"][0]["seq"] == 11 and out["entries"][0]["balance_fen"] == 800_000
    assert run("ledger", "append", str(books), str(pays), "--json") == 0  # same ids: replay
    assert json.loads(capsys.readouterr().out)["entries"][0]["replayed"] is True
    assert run("ledger", "verify", str(books), "--json", "--deep") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["head_seq"] == 11 and report["totals"]["balance_fen"] == 800_000


def test_append_refused_names_file_and_line(
    books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = encode_command(pay("p1", 100_000))
    bad = encode_command(pay("p2", 300_000, line=2))  # A2 not yet effective
    path = write_jsonl(tmp_path / "pay.jsonl", [good, bad])
    capsys.readouterr()
    assert run("ledger", "append", str(books), str(path)) == 1
    err = capsys.readouterr().err
    assert f"{path}:2: [PAYMENT_BEFORE_EFFECTIVE]" in err and "(key: p2)" in err
    assert (
        sqlite3.connect(books).execute("SELECT count(*) FROM entries").fetchone()[0] == 10
    )  # nothing written


def test_malformed_lines(books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    float_money: dict[str, Any] = json.loads(json.dumps(encode_command(pay("p1", 1))))
    float_money["data"]["amount_fen"] = 1.5  # money as a float is refused
    path.write_text('{"id": "x"\n\n' + json.dumps(float_money) + "\n", encoding="utf-8")
    assert run("ledger", "append", str(books), str(path), "--json") == 1
    out = json.loads(capsys.readouterr().out)
    assert [(r["code"], r["line"]) for r in out["rejections"]] == [
        ("MALFORMED_COMMAND", 1),
        ("MALFORMED_COMMAND", 3),
    ]


def test_checkpoint_and_verify_against(
    books: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cp = tmp_path / "cp.json"
    assert run("ledger", "checkpoint", str(books), "-o", str(cp)) == 0
    assert json.loads(cp.read_text())["seq"] == 10
    assert run("ledger", "verify", str(books), "--against", str(cp)) == 0
    con = sqlite3.connect(books, isolation_level=None)
    con.execute("DROP TRIGGER entries_no_delete")
    con.execute("DELETE FROM entries WHERE seq = 10")
    con.close()
    capsys.readouterr()
    assert run("ledger", "verify", str(books), "--against", str(cp)) == 1
    assert "TRUNCATED" in capsys.readouterr().out
    assert run("ledger", "checkpoint", str(books), "-o", str(tmp_path / "cp2.json")) == 1


def test_usage_errors(tmp_path: Path) -> None:
    assert run("ledger", "verify", str(tmp_path / "none.db")) == 2
    assert run("ledger", "append", str(tmp_path / "none.db"), str(tmp_path / "x.jsonl")) == 2
    assert run("ledger") == 2
    assert run("ledger", "checkpoint", str(tmp_path / "none.db")) == 2  # -o missing
    (tmp_path / "cp.json").write_text("{}")
    (tmp_path / "j.db").touch()
    assert run("ledger", "verify", str(tmp_path / "j.db"), "--against", str(tmp_path / "cp.json")) == 2


def test_a_file_that_is_not_a_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    assert run("ledger", "verify", str(junk), "--json") == 1
    assert json.loads(capsys.readouterr().out)["problems"][0]["code"] == "NOT_A_JOURNAL"
    cmds = write_jsonl(tmp_path / "c.jsonl", [encode_command(pay("p1", 1))])
    assert run("ledger", "append", str(junk), str(cmds)) == 1
