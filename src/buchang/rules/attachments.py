"""青苗 and 地上附着物 (crops and ground attachments), spec 4.2.

Amount = quantity × unit price of the item's row (crop type per 亩, tree by
diameter band per 株, well per 口, grave per 座 …), paid to the item's owner
(上海市实施土地管理法办法 Art. 32). Table kind ``attachments.items``; each row:

* key — the item code (``paddy``, ``tree_d10_20`` …); an attachment with a
  ``spec`` is looked up as ``code/spec`` first, then ``code``;
* ``name`` — 名称; ``category`` — ``crops`` (青苗) or ``attachment`` (地上附着物);
* ``unit`` — the unit the quantity is counted in (亩, 株, 口, 座, m, m²);
* ``price`` — 元 per unit.

Anything planted or built after the notice (抢栽抢建, ``since`` later than the
notice date; 实施条例 Art. 26) gets nothing: it still gets a line, with a
factor 0 and a note, so an officer sees it was considered — the same
convention as the house rules (a zero line with the reason; issues only for
data problems). An item dated *on* the notice date is not "after" it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from buchang.core.errors import Issue
from buchang.rules.common import exact, issue
from buchang.rules.inputs import Attachment, Household, Project
from buchang.rules.lines import Category, Factor, Line, Payee, PayeeKind, make_line
from buchang.rules.snapshot import Need, Snapshot
from buchang.tables.model import Row, TableVersion

ITEMS_KIND: Final = "attachments.items"

#: Table kinds the crops/attachments rule reads (at the notice date).
ATTACHMENT_NEEDS: Final[tuple[Need, ...]] = (Need(ITEMS_KIND),)

#: The factor that zeroes an item planted or built after the notice.
AFTER_NOTICE: Final = Factor(
    name="预公告后抢栽抢建",
    value=Fraction(0),
    note="不予补偿（土地管理法实施条例第二十六条）",
)

_CATEGORY: Final = {"crops": Category.CROPS, "attachment": Category.ATTACHMENTS}


def _row(version: TableVersion, item: Attachment) -> Row | None:
    if item.spec:
        row = version.find_row(f"{item.item_code}/{item.spec}")
        if row is not None:
            return row
    return version.find_row(item.item_code)


def item_line(
    project: Project, household: Household, item: Attachment, version: TableVersion
) -> Line | Issue:
    """The line of one item, or the issue that stops it (an item code not in the table)."""
    key = f"{household.household_id}/{item.item_id}"
    row = _row(version, item)
    if row is None:
        return issue(
            "ITEM_NOT_IN_TABLE",
            f"{version.table_id}@{version.version} has no item '{item.item_code}'"
            + (f" (spec '{item.spec}')" if item.spec else ""),
            key,
        )
    name = str(row.values.get("name", row.key))
    unit = str(row.values.get("unit", ""))
    category = _CATEGORY.get(str(row.values.get("category", "attachment")), Category.ATTACHMENTS)
    after = item.since is not None and item.since > project.notice_date
    note = ""
    if after:
        note = (
            f"{'种植' if category is Category.CROPS else '建造'}于 {item.since}，"
            f"晚于拟征地告知（预公告）日 {project.notice_date}，不予补偿"
        )
    return make_line(
        subject_id=household.household_id,
        item_id=item.item_id,
        category=category,
        payee=Payee(
            kind=PayeeKind.OWNER, name=item.owner, ref=household.household_id, account=household.account
        ),
        quantity=exact(item.quantity),
        unit=unit,
        unit_price=exact(row.decimal("price")),
        price_unit=f"元/{unit}" if unit else "元",
        factors=(AFTER_NOTICE,) if after else (),
        refs=(version.ref(row=row.key, name="price"),),
        rule="attachments.unit_price",
        basis=f"{name}数量 × 单价" + (" × 0（抢栽抢建）" if after else ""),
        note=note,
    )


def compute_household_attachments(
    project: Project, household: Household, snap: Snapshot
) -> tuple[list[Line], list[Issue]]:
    """Lines for every crop and attachment item of ``household``."""
    if not household.attachments:
        return [], []
    version = snap.get(ITEMS_KIND)
    if version is None:
        return [], [issue("TABLE_NOT_FOUND", f"no {ITEMS_KIND} table resolved", household.household_id)]
    lines: list[Line] = []
    issues: list[Issue] = []
    for item in household.attachments:
        out = item_line(project, household, item, version)
        if isinstance(out, Issue):
            issues.append(out)
        else:
            lines.append(out)
    return lines, issues
