"""The audit trail as people read it: who changed what, when, from which value to which.

A History tab shows one record's history (``history_entries``), or, on a page of several records (a
month's scores, an organisation's areas, a unit's roles), the history of each (``records_history``),
merged newest first (``merge_histories``) and each entry named after its record.

Values that point at other records ("owner: X") are looked up through the related model's
``visible_to(reader)``: a record out of the reader's sight reads "(not visible)", never its name.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

HISTORY_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}
NOT_VISIBLE = _("(not visible)")
# Never shown as a change: bookkeeping, not what anybody decided.
EXCLUDED_FIELDS = {"id", "created_at", "updated_at", "path", "depth", "password", "last_login"}
LIMIT = 500


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    date: object
    user: object
    kind: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    # Which record the entry is about, on a page that shows the history of several.
    record: str = ""


def _json_text(value) -> str:
    """A stored JSON value in one line: the labels of a list of steps, rows of a grid, else compact JSON."""
    if isinstance(value, list) and value and all(isinstance(item, dict) and "label" in item for item in value):
        return "; ".join(
            f"{number}. {item['label']}" + (f" ({item['description']})" if item.get("description") else "")
            for number, item in enumerate(value, 1)
        )
    if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
        return " | ".join(", ".join(str(cell) for cell in row) for row in value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _related(model_field, ids: set, reader, visible=None) -> dict:
    """The records ``ids`` of a foreign key point at, by key: the reader's visible ones (``visible``, else
    the related model's ``visible_to(reader)``) as themselves, the others that still exist as "(not
    visible)" (removed ones are left out and show their id). Models without ``visible_to`` (content types
    and the like) hold nothing to hide."""
    related_model = model_field.related_model
    key = model_field.target_field.attname
    queryset = related_model._default_manager.all()
    if visible is None and not hasattr(queryset, "visible_to"):
        return {getattr(obj, key): obj for obj in related_model._base_manager.filter(**{f"{key}__in": ids})}
    visible = queryset.visible_to(reader) if visible is None else visible
    found = {getattr(obj, key): obj for obj in visible.filter(**{f"{key}__in": ids})}
    hidden = ids - set(found)
    if hidden:
        existing = related_model._base_manager.filter(**{f"{key}__in": hidden}).values_list(key, flat=True)
        found.update(dict.fromkeys(existing, NOT_VISIBLE))
    return found


def records_history(
    records,
    *,
    reader,
    label: Callable | None = None,
    kinds: dict | None = None,
    omit: Iterable[str] = (),
    formats: dict | None = None,
    visible: dict | None = None,
    limit: int = LIMIT,
) -> list[HistoryEntry]:
    """The history of every record in ``records`` (a query on a model's history, such as
    ``Membership.history.filter(unit_id=unit.pk)``, so removed records are in it too), newest first.
    Each entry lists the fields its record changed since that record's previous version.

    ``label(record, show)`` names the record of an entry (``show(attname)`` is a field's value as shown,
    within the reader's sight); ``kinds`` renames "Created"/"Changed"/"Deleted"; ``omit`` leaves fields
    out of the changes (the page says them already); ``formats`` shows a field's value ({attname:
    function}); ``visible`` gives, per foreign key ({attname: queryset}), the records the reader may see
    named there when that is more than their ``visible_to`` (a unit's roles name the people who held
    them, also those who left the reader's sight since). A fixed number of queries: the history rows,
    then one or two per foreign key.
    """
    model = records.model.instance_type
    pk_name = model._meta.pk.attname
    newest = records.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    rows = list(reversed(newest))
    fields = {f.attname: f for f in model._meta.concrete_fields}
    tracked = [name for name in fields if name not in EXCLUDED_FIELDS and hasattr(rows[0], name)] if rows else []
    shown = [name for name in tracked if name not in set(omit)]
    kinds = {**HISTORY_TYPES, **(kinds or {})}
    formats = formats or {}

    # Resolve every foreign key value in one query per field (two when some are out of sight).
    related: dict[str, dict] = {}
    for attname in tracked:
        if isinstance(fields[attname], models.ForeignKey):
            ids = {getattr(row, attname) for row in rows} - {None}
            scope = (visible or {}).get(attname)
            related[attname] = _related(fields[attname], ids, reader, scope) if ids else {}

    def display(attname, value) -> str:
        model_field = fields.get(attname)
        if value is None or value == "":
            return "—"
        if attname in formats:
            return str(formats[attname](value))
        if model_field is None:
            return str(value)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.ForeignKey):
            obj = related.get(attname, {}).get(value)
            return str(obj) if obj is not None else f"#{value}"
        if isinstance(model_field, models.BooleanField):
            return str(_("Yes") if value else _("No"))
        if isinstance(model_field, models.JSONField):
            return _json_text(value)
        if isinstance(model_field, models.DecimalField | models.FloatField):
            return number_format(value)
        if isinstance(model_field, models.DateTimeField):
            return date_format(
                timezone.localtime(value) if timezone.is_aware(value) else value, "SHORT_DATETIME_FORMAT"
            )
        if isinstance(model_field, models.DateField):
            return date_format(value, "SHORT_DATE_FORMAT")
        return str(value)

    def shower(row):
        return lambda attname: display(attname, getattr(row, attname))

    entries = []
    previous: dict = {}
    for row in rows:
        before = previous.get(getattr(row, pk_name))
        changes = []
        for attname in shown:
            new = getattr(row, attname)
            old = getattr(before, attname) if before is not None else None
            if before is None and row.history_type == "+":
                if new not in (None, ""):
                    changes.append(Change(str(fields[attname].verbose_name), "—", display(attname, new)))
            elif new != old and row.history_type == "~":
                changes.append(Change(str(fields[attname].verbose_name), display(attname, old), display(attname, new)))
        entries.append(
            HistoryEntry(
                date=row.history_date,
                user=row.history_user,
                kind=str(kinds.get(row.history_type, row.history_type)),
                reason=row.history_change_reason or "",
                changes=changes,
                record=str(label(row, shower(row))) if label else "",
            )
        )
        previous[getattr(row, pk_name)] = row
    return list(reversed(entries))


def history_entries(obj, *, reader, limit: int = LIMIT) -> list[HistoryEntry]:
    """The history of ``obj``, newest first, each entry with the fields it changed, as ``reader`` may
    see it."""
    return records_history(obj.history.all(), reader=reader, limit=limit)


def merge_histories(*histories: list[HistoryEntry], limit: int = LIMIT) -> list[HistoryEntry]:
    """Several histories as one, newest first (each keeps its own order where times are equal)."""
    merged = sorted((entry for history in histories for entry in history), key=lambda entry: entry.date, reverse=True)
    return merged[:limit]
