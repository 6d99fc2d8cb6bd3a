"""Canonical bytes of journal events and entries.

**Canonical JSON** (:func:`canonical`): ``json.dumps`` with sorted keys, no
whitespace (``","`` and ``":"`` separators), ``ensure_ascii=False``, encoded as
UTF-8; amounts are JSON integers in 分 (fen) — a float is refused; dates are ISO
``YYYY-MM-DD``, times ISO ``YYYY-MM-DDTHH:MM:SS[.ffffff]`` as
``datetime.isoformat`` writes them.

**Entry body** (the exact bytes stored and hashed, :func:`entry_body`)::

    {"amount_fen": <signed change of the project's account balance, 分>,
     "balance_fen": <the project's balance after the entry, 分>,
     "command_id": "...", "data": {<event data>}, "project_id": "...",
     "recorded_at": "<UTC ISO time>", "type": "<EventType value>"}

The command identity used for idempotency is ``canonical({"data": ..., "type": ...})``
(:func:`command_bytes`): resubmitting a command whose identity bytes equal the
stored ones changes nothing.

Decoding (:func:`decode_event`) raises :class:`CodecError` (a ``ValueError``) on
malformed data; the ledger turns it into a ``MALFORMED_COMMAND`` rejection.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Final, TypeAlias

from buchang.funds.journal.events import (
    AgreementTookEffect,
    ApproveAllocation,
    Command,
    Correction,
    CreatePaymentList,
    Deposit,
    Event,
    EventType,
    ExecutePayment,
    OpenProject,
    RecordRelocation,
    RecordReview,
    RegisterAgreement,
    RevisePaymentList,
    StartProject,
)
from buchang.funds.records import (
    Agreement,
    AllocationApproval,
    Decision,
    PaymentLine,
    PaymentList,
    Project,
    RelocationEvent,
    Review,
    ReviewConfig,
)

Json: TypeAlias = bool | int | str | list["Json"] | dict[str, "Json"] | None
JsonObject: TypeAlias = dict[str, Json]


class CodecError(ValueError):
    """Malformed event data (a wrong type, a missing key, a float amount)."""


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def canonical(obj: Json) -> bytes:
    """Canonical JSON bytes: sorted keys, no blanks, UTF-8, no NaN.

    Equal to ``json.dumps(obj, ensure_ascii=False, sort_keys=True,
    separators=(",", ":"), allow_nan=False).encode("utf-8")``.
    """
    return _ENCODER.encode(obj).encode()


def command_bytes(command: Command) -> bytes:
    """The identity of a command for idempotency: canonical ``{"data", "type"}``."""
    return canonical({"data": encode_event(command.event), "type": command.event.type.value})


def entry_body(
    *,
    command_id: str,
    event_type: str,
    data: JsonObject,
    project_id: str,
    amount_fen: int,
    balance_fen: int,
    recorded_at: str,
) -> bytes:
    """The exact bytes stored for an entry and hashed into the chain."""
    return canonical(
        {
            "amount_fen": amount_fen,
            "balance_fen": balance_fen,
            "command_id": command_id,
            "data": data,
            "project_id": project_id,
            "recorded_at": recorded_at,
            "type": event_type,
        }
    )


# --- encoding ----------------------------------------------------------------


def _project(p: Project) -> JsonObject:
    return {
        "project_id": p.project_id,
        "name": p.name,
        "account": p.account,
        "required_upfront_fen": p.required_upfront_fen,
        "start_date": p.start_date.isoformat() if p.start_date else None,
    }


def _agreement(a: Agreement) -> JsonObject:
    return {
        "agreement_no": a.agreement_no,
        "project_id": a.project_id,
        "payee_name": a.payee_name,
        "payee_id": a.payee_id,
        "payee_account": a.payee_account,
        "category": a.category,
        "amount_fen": a.amount_fen,
        "signed_date": a.signed_date.isoformat(),
        "effective_date": a.effective_date.isoformat() if a.effective_date else None,
        "household_ref": a.household_ref,
    }


def _plist(pl: PaymentList) -> JsonObject:
    return {
        "list_no": pl.list_no,
        "project_id": pl.project_id,
        "preparer": pl.preparer,
        "created_at": pl.created_at.isoformat(),
        "digest": pl.digest,
        "lines": [
            {
                "line_no": ln.line_no,
                "agreement_no": ln.agreement_no,
                "payee_name": ln.payee_name,
                "payee_account": ln.payee_account,
                "category": ln.category,
                "amount_fen": ln.amount_fen,
                "due_date": ln.due_date.isoformat(),
            }
            for ln in pl.lines
        ],
    }


def encode_event(event: Event) -> JsonObject:
    """The event's data as a JSON object (the entry's ``data``)."""
    match event:
        case OpenProject(project=p, review_config=cfg):
            return {
                "project": _project(p),
                "review_levels": list(cfg.level_names),
                "review_limits_fen": list(cfg.limits_fen),
            }
        case Deposit():
            return {
                "project_id": event.project_id,
                "txn_id": event.txn_id,
                "amount_fen": event.amount_fen,
                "at": event.at.isoformat(),
                "counterparty_name": event.counterparty_name,
                "counterparty_account": event.counterparty_account,
                "reference": event.reference,
                "allocation_no": event.allocation_no,
            }
        case RegisterAgreement(agreement=a):
            return {"agreement": _agreement(a)}
        case AgreementTookEffect(agreement_no=no, effective_date=d):
            return {"agreement_no": no, "effective_date": d.isoformat()}
        case CreatePaymentList(plist=pl):
            return {"list": _plist(pl)}
        case RevisePaymentList(plist=pl, reason=reason):
            return {"list": _plist(pl), "reason": reason}
        case RecordReview(review=r):
            return {
                "list_no": r.list_no,
                "level": r.level,
                "reviewer_id": r.reviewer_id,
                "role": r.role,
                "decision": r.decision.value,
                "at": r.at.isoformat(),
                "digest": r.digest,
            }
        case StartProject(project_id=pid, start_date=d):
            return {"project_id": pid, "start_date": d.isoformat()}
        case ExecutePayment():
            return {
                "project_id": event.project_id,
                "txn_id": event.txn_id,
                "list_no": event.list_no,
                "line_no": event.line_no,
                "amount_fen": event.amount_fen,
                "at": event.at.isoformat(),
                "reference": event.reference,
            }
        case Correction(corrects_seq=seq, reason=reason):
            return {"corrects_seq": seq, "reason": reason}
        case ApproveAllocation(approval=ap):
            return {
                "approval_no": ap.approval_no,
                "from_account": ap.from_account,
                "to_account": ap.to_account,
                "amount_fen": ap.amount_fen,
                "approved_by": ap.approved_by,
                "approved_at": ap.approved_at.isoformat(),
            }
        case RecordRelocation(project_id=pid, relocation=rel):
            return {
                "project_id": pid,
                "household_ref": rel.household_ref,
                "on": rel.on.isoformat(),
                "kind": rel.kind,
            }
    raise TypeError(f"not a journal event: {type(event).__name__}")  # pragma: no cover


# --- decoding ----------------------------------------------------------------


def _obj(d: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    v = d.get(key)
    if not isinstance(v, dict):
        raise CodecError(f"{key}: expected an object")
    return v


def _str(d: Mapping[str, Any], key: str, default: str | None = None) -> str:
    v = d.get(key, default)
    if not isinstance(v, str):
        raise CodecError(f"{key}: expected a string")
    return v


def _int(d: Mapping[str, Any], key: str) -> int:
    v = d.get(key)
    if isinstance(v, bool) or not isinstance(v, int):
        raise CodecError(f"{key}: expected an integer (amounts are integer fen, never float)")
    return v


def _opt_int(v: Any, key: str) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise CodecError(f"{key}: expected an integer or null")
    return v


def _date(d: Mapping[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(_str(d, key))
    except ValueError as exc:
        raise CodecError(f"{key}: not an ISO date") from exc


def _opt_date(d: Mapping[str, Any], key: str) -> date | None:
    return None if d.get(key) is None else _date(d, key)


def _dt(d: Mapping[str, Any], key: str) -> datetime:
    try:
        return datetime.fromisoformat(_str(d, key))
    except ValueError as exc:
        raise CodecError(f"{key}: not an ISO date-time") from exc


def _list_of(d: Mapping[str, Any], key: str) -> list[Any]:
    v = d.get(key)
    if not isinstance(v, list):
        raise CodecError(f"{key}: expected a list")
    return v


def _dec_project(d: Mapping[str, Any]) -> Project:
    return Project(
        project_id=_str(d, "project_id"),
        name=_str(d, "name", ""),
        account=_str(d, "account"),
        required_upfront_fen=_int(d, "required_upfront_fen"),
        start_date=_opt_date(d, "start_date"),
    )


def _dec_agreement(d: Mapping[str, Any]) -> Agreement:
    return Agreement(
        agreement_no=_str(d, "agreement_no"),
        project_id=_str(d, "project_id"),
        payee_name=_str(d, "payee_name"),
        payee_id=_str(d, "payee_id", ""),
        payee_account=_str(d, "payee_account"),
        category=_str(d, "category"),
        amount_fen=_int(d, "amount_fen"),
        signed_date=_date(d, "signed_date"),
        effective_date=_opt_date(d, "effective_date"),
        household_ref=_str(d, "household_ref", ""),
    )


def _dec_plist(d: Mapping[str, Any]) -> PaymentList:
    list_no = _str(d, "list_no")
    lines = []
    for raw in _list_of(d, "lines"):
        if not isinstance(raw, dict):
            raise CodecError("lines: expected objects")
        lines.append(
            PaymentLine(
                list_no=list_no,
                line_no=_int(raw, "line_no"),
                agreement_no=_str(raw, "agreement_no"),
                payee_name=_str(raw, "payee_name"),
                payee_account=_str(raw, "payee_account"),
                category=_str(raw, "category"),
                amount_fen=_int(raw, "amount_fen"),
                due_date=_date(raw, "due_date"),
            )
        )
    pl = PaymentList(
        list_no=list_no,
        project_id=_str(d, "project_id"),
        preparer=_str(d, "preparer"),
        created_at=_dt(d, "created_at"),
        lines=tuple(lines),
    )
    given = d.get("digest")
    if given is not None and given != pl.digest:
        raise CodecError("digest: does not match the list content")
    return pl


def _dec_review_config(d: Mapping[str, Any]) -> ReviewConfig:
    names_raw = d.get("review_levels")
    if names_raw is None:
        return ReviewConfig()
    if not isinstance(names_raw, list) or not all(isinstance(n, str) for n in names_raw):
        raise CodecError("review_levels: expected a list of names")
    limits_raw = d.get("review_limits_fen", [None] * len(names_raw))
    if not isinstance(limits_raw, list) or len(limits_raw) != len(names_raw):
        raise CodecError("review_limits_fen: one limit (or null) per level")
    limits = tuple(_opt_int(v, "review_limits_fen") for v in limits_raw)
    return ReviewConfig(level_names=tuple(names_raw), limits_fen=limits)


def _decision(d: Mapping[str, Any]) -> Decision:
    try:
        return Decision(_str(d, "decision"))
    except ValueError as exc:
        raise CodecError("decision: must be 通过 or 退回") from exc


_DECODERS: dict[EventType, Callable[[Mapping[str, Any]], Event]] = {
    EventType.PROJECT_OPENED: lambda d: OpenProject(_dec_project(_obj(d, "project")), _dec_review_config(d)),
    EventType.DEPOSIT: lambda d: Deposit(
        project_id=_str(d, "project_id"),
        txn_id=_str(d, "txn_id"),
        amount_fen=_int(d, "amount_fen"),
        at=_dt(d, "at"),
        counterparty_name=_str(d, "counterparty_name", ""),
        counterparty_account=_str(d, "counterparty_account", ""),
        reference=_str(d, "reference", ""),
        allocation_no=_str(d, "allocation_no", ""),
    ),
    EventType.AGREEMENT_REGISTERED: lambda d: RegisterAgreement(_dec_agreement(_obj(d, "agreement"))),
    EventType.AGREEMENT_EFFECTIVE: lambda d: AgreementTookEffect(
        _str(d, "agreement_no"), _date(d, "effective_date")
    ),
    EventType.LIST_CREATED: lambda d: CreatePaymentList(_dec_plist(_obj(d, "list"))),
    EventType.LIST_REVISED: lambda d: RevisePaymentList(_dec_plist(_obj(d, "list")), _str(d, "reason", "")),
    EventType.REVIEW_RECORDED: lambda d: RecordReview(
        Review(
            list_no=_str(d, "list_no"),
            level=_int(d, "level"),
            reviewer_id=_str(d, "reviewer_id"),
            role=_str(d, "role", ""),
            decision=_decision(d),
            at=_dt(d, "at"),
            digest=_str(d, "digest"),
        )
    ),
    EventType.PROJECT_STARTED: lambda d: StartProject(_str(d, "project_id"), _date(d, "start_date")),
    EventType.PAYMENT_EXECUTED: lambda d: ExecutePayment(
        project_id=_str(d, "project_id"),
        txn_id=_str(d, "txn_id"),
        list_no=_str(d, "list_no"),
        line_no=_int(d, "line_no"),
        amount_fen=_int(d, "amount_fen"),
        at=_dt(d, "at"),
        reference=_str(d, "reference", ""),
    ),
    EventType.CORRECTION: lambda d: Correction(_int(d, "corrects_seq"), _str(d, "reason", "")),
    EventType.ALLOCATION_APPROVED: lambda d: ApproveAllocation(
        AllocationApproval(
            approval_no=_str(d, "approval_no"),
            from_account=_str(d, "from_account"),
            to_account=_str(d, "to_account"),
            amount_fen=_int(d, "amount_fen"),
            approved_by=_str(d, "approved_by"),
            approved_at=_dt(d, "approved_at"),
        )
    ),
    EventType.RELOCATION_RECORDED: lambda d: RecordRelocation(
        _str(d, "project_id"),
        RelocationEvent(
            household_ref=_str(d, "household_ref"), on=_date(d, "on"), kind=_str(d, "kind", "vacated")
        ),
    ),
}


def decode_event(event_type: str, data: Any) -> Event:
    """Build an event from its type name and data object; :class:`CodecError` if malformed."""
    try:
        kind = EventType(event_type)
    except ValueError as exc:
        raise CodecError(f"type: unknown event type {event_type!r}") from exc
    if not isinstance(data, dict):
        raise CodecError("data: expected an object")
    return _DECODERS[kind](data)


def decode_command(obj: Any) -> Command:
    """A command from its JSON form ``{"id": ..., "type": ..., "data": {...}}``."""
    if not isinstance(obj, dict):
        raise CodecError("a command is a JSON object with id, type and data")
    command_id = obj.get("id")
    if not isinstance(command_id, str):
        raise CodecError("id: expected a string")
    return Command(command_id, decode_event(_str(obj, "type"), obj.get("data")))


def encode_command(command: Command) -> JsonObject:
    """The JSON form of a command (inverse of :func:`decode_command`)."""
    return {"id": command.command_id, "type": command.event.type.value, "data": encode_event(command.event)}
