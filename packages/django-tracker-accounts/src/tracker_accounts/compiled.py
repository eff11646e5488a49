"""Read queries compiled once per shape, then run with each request's values.

On a cache miss, building a queryset (``filter()`` resolving lookups and joins) and compiling
it to SQL cost more than PostgreSQL takes to run it. A read that goes through :func:`rows`
is built and compiled once per *shape* (what decides the SQL text: which filters are present,
the ordering; the caller names it) and per database connection, with stand-in values; the
stand-ins are then found among the SQL parameters, and each later read of the shape runs
the stored SQL with its own values, through the connection's cursor (so query counts, the
execute wrappers and the query log see it), with the converters the ORM would apply.

What makes this safe:

* the builder gets every value through :class:`Values` and must use it verbatim (the caller
  converts and normalises first), so a value's place among the parameters is its only trace;
* a stand-in is a value no normalisation leaves alone (a string with spaces, both cases and
  a non-ASCII letter; an integer and a date far outside real ones), so a builder that did
  transform one (a ``LIKE`` pattern, ``lower()``) leaves it untraceable;
* a shape whose stand-ins are not each found as a whole parameter, or are found inside
  another one, is never stored: it runs through the ORM every time, with the real values.

The rows are those of the builder's ``values()`` queryset, as dictionaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.signals import setting_changed
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

ATTR = "_tracker_compiled_reads"
# what the ORM writes for a stand-in slice: LIMIT <high - low> OFFSET <low>
_STAND_IN_LOW = 900_000_001
_STAND_IN_HIGH = _STAND_IN_LOW + 800_000_007
_LIMIT = re.compile(rf"\bLIMIT {_STAND_IN_HIGH - _STAND_IN_LOW}\b")
_OFFSET = re.compile(rf"\bOFFSET {_STAND_IN_LOW}\b")
_TOKENS = re.compile(r"%%|%s|\x00(LIMIT|OFFSET)\x00")


class Values:
    """What a builder reads its values through: the real ones, or (while a shape is being
    compiled) stand-ins whose places among the SQL parameters are recorded."""

    def __init__(self, values: dict[str, Any], *, stand_ins: bool = False) -> None:
        self._values = values
        self.stand_ins: dict[str, Any] | None = {} if stand_ins else None

    def __getitem__(self, name: str) -> Any:
        value = self._values[name]
        if self.stand_ins is None:
            return value
        stand_in = self.stand_ins.get(name)
        if stand_in is None:
            stand_in = self.stand_ins[name] = _stand_in(value, len(self.stand_ins))
        return stand_in

    def slice(self, start: int, stop: int) -> slice:
        """``slice(start, stop)`` for a queryset's ``[...]``; run with the request's bounds."""
        if self.stand_ins is None:
            return slice(start, stop)
        return slice(_STAND_IN_LOW, _STAND_IN_HIGH)


class NoStandIn(TypeError):
    """A value of a type without stand-ins (a UUID key, a boolean): the read is not compiled."""


def _stand_in(value: Any, n: int) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | str | date):
        raise NoStandIn(f"no stand-in for a {type(value).__name__}")
    if isinstance(value, str):
        return f" \u00c6Stand-In {n} \u00e6 "
    if isinstance(value, date):
        return date(1, 1, 1) + timedelta(days=4 * n + 3)
    return 8_070_450_532_247_928_832 + n  # beyond any id a table here reaches, inside a bigint


@dataclass(frozen=True)
class Compiled:
    sql: str
    # per parameter: ("value", name), ("constant", value), ("LIMIT", None) or ("OFFSET", None)
    slots: tuple[tuple[str, Any], ...]
    names: tuple[str, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]

    def run(self, values: dict[str, Any], bounds: tuple[int, int] | None) -> list[dict[str, Any]]:
        params = []
        for kind, what in self.slots:
            if kind == "constant":
                params.append(what)
            elif kind == "LIMIT":
                assert bounds is not None
                params.append(bounds[1] - bounds[0])
            elif kind == "OFFSET":
                assert bounds is not None
                params.append(bounds[0])
            else:
                params.append(values[what])
        with self.compiler.connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched: Any = cursor.fetchall()
        if self.converters:
            fetched = self.compiler.apply_converters(fetched, self.converters)
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in fetched]


Builder = Callable[[Values], "QuerySet[Any, Any]"]
UNTRACEABLE = object()


def rows(
    model: type[Model],
    shape: Hashable | None,
    build: Builder,
    values: dict[str, Any],
    bounds: tuple[int, int] | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``build(Values(values))`` (a ``values()`` queryset of ``model``): from SQL
    compiled the first time ``shape`` was read on this connection, else through the ORM (see
    above; ``shape`` None: a read that is never compiled, as when the builder uses a value
    of the request other than through :class:`Values`). ``bounds``: the ``(start, stop)``
    the builder passed to :meth:`Values.slice`."""
    using = router.db_for_read(model)
    if shape is None:
        return list(build(Values(values)).using(using))
    known: dict[Hashable, Any] = connections[using].__dict__.setdefault(ATTR, {})
    compiled = known.get(shape)
    if compiled is None:
        compiled = known[shape] = _compile(build, values, using) or UNTRACEABLE
    if compiled is UNTRACEABLE:
        return list(build(Values(values)).using(using))
    assert isinstance(compiled, Compiled)
    return compiled.run(values, bounds)


def _compile(build: Builder, values: dict[str, Any], using: str) -> Compiled | None:
    """``build`` compiled with stand-ins, or None when a stand-in cannot be traced."""
    traced = Values(values, stand_ins=True)
    try:
        qs = build(traced)
    except NoStandIn:
        return None
    stand_ins = traced.stand_ins or {}
    compiler = qs.query.get_compiler(using)
    sql, params = compiler.as_sql()
    sliced = bool(_LIMIT.search(sql) or _OFFSET.search(sql))
    if sliced:
        if len(_LIMIT.findall(sql)) != 1 or len(_OFFSET.findall(sql)) != 1:
            return None
        sql = _OFFSET.sub("OFFSET \x00OFFSET\x00", _LIMIT.sub("LIMIT \x00LIMIT\x00", sql))
    forms = _forms(stand_ins, compiler)
    slots: list[tuple[str, Any]] = []
    found: set[str] = set()
    taken = iter(params)
    out: list[str] = []
    position = 0
    for token in _TOKENS.finditer(sql):
        out.append(sql[position : token.start()])
        position = token.end()
        if token.group(0) == "%%":
            out.append("%%")
            continue
        out.append("%s")
        if token.group(1):
            slots.append((token.group(1), None))
            continue
        param = next(taken)
        name = forms.get((type(param), param))
        if name is not None:
            slots.append(("value", name))
            found.add(name)
        elif _holds_a_stand_in(param, stand_ins):
            return None  # a stand-in the builder transformed (a pattern, a normalised form)
        else:
            slots.append(("constant", param))
    out.append(sql[position:])
    if next(taken, None) is not None or found != set(stand_ins):
        return None
    query = qs.query
    selected = getattr(query, "selected", None)  # the select order of values() since Django 5.2
    names = (
        tuple(selected) if selected else (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    select = compiler.select[: compiler.col_count]
    if len(names) != len(select):
        return None
    converters = compiler.get_converters([s[0] for s in select])
    return Compiled("".join(out), tuple(slots), names, compiler, converters)


def forget(**kwargs: Any) -> None:
    """Drop every compiled read of this thread's connections: a changed setting (the user
    model, its email field, the tracker's live settings) may change what a shape compiles to."""
    for connection in connections.all(initialized_only=True):
        connection.__dict__.pop(ATTR, None)


setting_changed.connect(forget, dispatch_uid="tracker_accounts.compiled.forget")


def _forms(stand_ins: dict[str, Any], compiler: SQLCompiler) -> dict[tuple[type, Any], str]:
    """Each stand-in as the backend may receive it (a date as a string on SQLite)."""
    ops = compiler.connection.ops
    forms: dict[tuple[type, Any], str] = {}
    for name, value in stand_ins.items():
        forms[(type(value), value)] = name
        if isinstance(value, date):
            adapted = ops.adapt_datefield_value(value)
            forms[(type(adapted), adapted)] = name
    return forms


def _holds_a_stand_in(param: Any, stand_ins: dict[str, Any]) -> bool:
    text = str(param)
    return any(str(v).strip().lower() in text.lower() for v in stand_ins.values())
