"""The cockpit: the landing page of every person, a set of tiles for the union of their roles.

The core knows no domain app: each app registers its tiles in its ``AppConfig.ready`` with
``register_tile(key, roles=..., title=..., order=..., compute=...)``, where ``compute(user, scope)``
returns a ``Tile`` (or None: nothing to show for this person, e.g. no organisation to score). A tile
costs a constant number of queries (one or two: counts folded into one ``aggregate`` with
``Count(filter=...)``), whatever the number of records, so the cockpit does too.

Group management compares the organisations of its group side by side: one tile of the core whose
columns the apps register (``register_organisation_column``), each column one query for all
organisations.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from qms.choices import Role

# A tile for everyone who is signed in (my actions, notifications), whatever their roles.
EVERYONE = "*"


@dataclass
class TileRow:
    """One line of a tile: a label, its figure, the filtered list behind it."""

    label: str
    value: object = None
    url: str = ""
    severity: str = ""
    note: str = ""


@dataclass
class Chart:
    """A small chart of a tile, drawn by ``static/js/cockpit.js`` from data attributes (the CSP allows no
    inline script). ``kind`` is ``line`` (a trend) or ``bar`` (counts side by side); ``label`` says in
    words what it shows, for screen readers (the figures are in the tile's rows too)."""

    kind: str
    labels: list[str]
    values: list[float | None]
    label: str = ""


@dataclass
class Tile:
    """What a tile shows: a figure (``value``) and/or rows, the link to the filtered list behind it, a
    severity (the card's colour, a Bootstrap one: success, info, warning, danger, secondary), a caption,
    an optional chart, the text when there is nothing (default "Nothing waiting"). ``template`` names a
    tile with its own markup (``extra`` is its data)."""

    title: str = ""
    value: object = None
    rows: list[TileRow] = field(default_factory=list)
    url: str = ""
    severity: str = "secondary"
    chart: Chart | None = None
    caption: str = ""
    empty: str = ""
    template: str = ""
    extra: dict = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    wide: bool = False
    key: str = ""
    icon: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.value and not self.rows and not self.extra


Compute = Callable[..., Tile | None]


def list_url(name: str, *args, **params) -> str:
    """The link to the list behind a tile: the URL named ``name`` with the list's own filter parameters
    (a list value repeats the parameter: ``status=["new", "on_hold"]``)."""
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params, doseq=True)}" if params else url


@dataclass(frozen=True)
class TileSpec:
    key: str
    roles: frozenset[str]
    title: str
    order: int
    compute: Compute
    icon: str = ""


_TILES: dict[str, TileSpec] = {}


def register_tile(key: str, *, roles, title: str, order: int, compute: Compute, icon: str = "grid") -> Compute:
    """Register a cockpit tile for people holding any of ``roles`` (``EVERYONE``: all signed-in people).
    Registering a key again replaces it (``ready`` may run more than once in tests)."""
    roles = frozenset({roles} if isinstance(roles, str) else roles)
    _TILES[key] = TileSpec(key=key, roles=roles, title=title, order=order, compute=compute, icon=icon)
    return compute


def unregister_tile(key: str) -> None:
    _TILES.pop(key, None)


def registered_tiles() -> list[TileSpec]:
    return sorted(_TILES.values(), key=lambda spec: (spec.order, spec.key))


def cockpit_roles(user) -> set[str]:
    """The roles whose tiles the person sees: their roles anywhere; a superuser's are the administrator's."""
    from qms.scoping import scope_for

    if not user.is_authenticated:
        return set()
    scope = scope_for(user)
    roles = {EVERYONE, *scope.roles()}
    if scope.sees_everything:
        roles.add(Role.ADMINISTRATOR)
    return roles


def tiles_for(user) -> list[TileSpec]:
    """The tiles of the union of the person's roles, in order."""
    roles = cockpit_roles(user)
    return [spec for spec in registered_tiles() if spec.roles & roles]


def cockpit_for(user) -> list[Tile]:
    """The computed tiles of the person's cockpit, in order (a constant number of queries)."""
    from qms.scoping import scope_for

    scope = scope_for(user)
    tiles = []
    for spec in tiles_for(user):
        tile = spec.compute(user, scope)
        if tile is None:
            continue
        tile.key = spec.key
        tile.title = tile.title or spec.title
        tile.icon = tile.icon or spec.icon
        tiles.append(tile)
    return tiles


# --- the organisations side by side (group management) ---------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    title: str
    order: int
    compute: Callable[..., dict]


_COLUMNS: dict[str, ColumnSpec] = {}


def register_organisation_column(key: str, *, title: str, order: int, compute: Callable[..., dict]):
    """Register a column of the organisations side by side: ``compute(user, organisations)`` returns
    ``{organisation id: TileRow}`` (the row's label is not shown; value, url and severity are) in one
    query for all organisations."""
    _COLUMNS[key] = ColumnSpec(key=key, title=title, order=order, compute=compute)
    return compute


def registered_columns() -> list[ColumnSpec]:
    return sorted(_COLUMNS.values(), key=lambda spec: (spec.order, spec.key))


def organisations_side_by_side(user, scope) -> Tile | None:
    """Group management's organisations, one row each, one column per registered figure (one query for
    the organisations, one per column)."""
    from qms.scoping import Purpose, organisations_for

    organisations = list(organisations_for(user, Purpose.ACT, roles=(Role.GROUP_MANAGEMENT,)).order_by("path", "name"))
    if not organisations:
        return None
    columns = registered_columns()
    cells = {column.key: column.compute(user, organisations) for column in columns}
    return Tile(
        columns=[column.title for column in columns],
        extra={
            "organisations": [
                {
                    "organisation": organisation,
                    "cells": [cells[column.key].get(organisation.pk) for column in columns],
                }
                for organisation in organisations
            ]
        },
        template="qms/cockpit/_organisations.html",
        wide=True,
    )
