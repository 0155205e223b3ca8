"""The audit trail as people read it: who changed what, when, from which value to which."""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

HISTORY_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}


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


def _displayer(model):
    """A function that shows a stored history value the way a person reads it."""
    fields = {f.attname: f for f in model._meta.concrete_fields}

    def display(attname, value, related):
        model_field = fields.get(attname)
        if value is None or value == "":
            return "—"
        if model_field is None:
            return str(value)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.ForeignKey):
            obj = related.get(attname, {}).get(value)
            return str(obj) if obj is not None else f"#{value}"
        if isinstance(model_field, models.BooleanField):
            return str(_("Yes") if value else _("No"))
        return str(value)

    return display, fields


def history_entries(obj, limit: int = 500) -> list[HistoryEntry]:
    """The history of ``obj``, newest first, each entry with the fields it changed.

    A fixed number of queries: the history rows, then one lookup per foreign key shown.
    """
    model = type(obj)
    newest = obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    records = list(reversed(newest))
    display, fields = _displayer(model)
    excluded = {"id", "created_at", "updated_at", "path", "depth", "password", "last_login"}
    tracked = [name for name in fields if name not in excluded and hasattr(records[0], name)] if records else []

    # Resolve every foreign key value in one query per field.
    related: dict[str, dict] = {}
    for attname in tracked:
        model_field = fields[attname]
        if isinstance(model_field, models.ForeignKey):
            ids = {getattr(record, attname) for record in records} - {None}
            related[attname] = model_field.related_model._base_manager.in_bulk(ids) if ids else {}

    entries = []
    previous = None
    for record in records:
        changes = []
        for attname in tracked:
            new = getattr(record, attname)
            old = getattr(previous, attname) if previous is not None else None
            if previous is None and record.history_type == "+":
                if new not in (None, ""):
                    changes.append(Change(str(fields[attname].verbose_name), "—", display(attname, new, related)))
            elif new != old and record.history_type == "~":
                changes.append(
                    Change(
                        str(fields[attname].verbose_name),
                        display(attname, old, related),
                        display(attname, new, related),
                    )
                )
        entries.append(
            HistoryEntry(
                date=record.history_date,
                user=record.history_user,
                kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
        previous = record
    return list(reversed(entries))
