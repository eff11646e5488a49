"""One page of a list and its total: the one pagination helper of every list endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar, cast

from django.db.models import Expression, IntegerField, Model, QuerySet, Subquery

M = TypeVar("M", bound=Model)
Row = dict[str, object]  # a values() row: column name to value


class CountOf(Subquery):
    """The number of rows a queryset matches, as a column: ``(SELECT COUNT(*) FROM (...))``.
    Uncorrelated, so the database counts once per query, not per row."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, qs: QuerySet[Model, object]) -> None:
        super().__init__(qs.order_by().values("pk"))


class Pages(Protocol):
    """Which page of a list is asked for: its number (from 1) and its size (the API's
    validated query has both)."""

    @property
    def page(self) -> int: ...

    @property
    def page_size(self) -> int: ...


TOTAL = "page_total"


def paginate(
    qs: QuerySet[M],
    pages: Pages,
    rows: Callable[[QuerySet[M]], QuerySet[M, Row]],
    total: Expression | None = None,
) -> tuple[list[Row], int]:
    """The page ``pages`` names of ``qs`` as ``rows(...)`` makes its rows, and the total
    of ``qs``, in one query: the page is ``LIMIT``/``OFFSET`` on the ordered rows (an index
    on the order serves it, the joins then run for the page's rows only) and the total an
    uncorrelated subquery counted once (``total``: an expression of the same number that the
    database counts faster). A page past the end costs a second query, for the total."""
    start = (pages.page - 1) * pages.page_size
    counted = CountOf(qs) if total is None else total
    found = list(rows(qs).annotate(**{TOTAL: counted})[start : start + pages.page_size])
    if found:
        return found, int(found[0][TOTAL])
    return [], 0 if start == 0 else qs.count()


def paginate_combined(qs: QuerySet[M, Row], pages: Pages) -> tuple[list[Row], int]:
    """As :func:`paginate`, for rows of a union (which takes no annotation): the page, then
    its total in a second query, unless the page itself tells it (a first page, or one short
    of full, ends the list)."""
    start = (pages.page - 1) * pages.page_size
    found = list(qs[start : start + pages.page_size])
    if 0 < len(found) < pages.page_size or (start == 0 and not found):
        return found, start + len(found)
    return found, qs.count()


PART_TOTAL = "part_total"


def paginate_parts(
    parts: Callable[[int], QuerySet[Model, Row] | None],
    pages: Pages,
    *,
    part: str,
    order: Callable[[Row], tuple[float, str, int]],
) -> tuple[list[Row], int]:
    """As :func:`paginate_combined`, for a list made of parts, each ranked on its own (the
    kinds of a search), in one query whatever the page. ``parts(depth)`` gives each part's
    first ``depth`` rows in its order, each with its part (the column ``part``) and that
    part's total (``PART_TOTAL``, counted over the whole part before it is cut), or ``None``
    when nothing can match. Those rows hold the page: it is cut from them in ``order`` (the
    order of the whole list), and the total is the sum of the parts'. A page past the end
    costs nothing more (the parts' first rows still tell their totals)."""
    start = (pages.page - 1) * pages.page_size
    qs = parts(start + pages.page_size)
    if qs is None:
        return [], 0
    rows = sorted(qs, key=order)
    totals = {row[part]: row[PART_TOTAL] for row in rows}
    return rows[start : start + pages.page_size], sum(cast("int", n) for n in totals.values())
