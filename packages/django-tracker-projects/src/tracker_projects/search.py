"""Search: what a query finds, kind by kind, in the projects the reader belongs to.

``q`` is parsed once (:func:`parse`) into words and ``"quoted phrases"``. Every word and
phrase must match; the last word matches as a prefix (so a search works as people type).
A hit is a row of :data:`COLUMNS`; its snippet is cut here (:func:`snippet`).

* PostgreSQL: full-text search, one statement for a page and its total
  (:mod:`tracker_projects.search_postgres`).
* SQLite (and any other database): each searchable kind has one function here
  (:data:`KINDS`) giving its hits as ``values()`` rows of :data:`COLUMNS`; a search is the
  union of the kinds asked for, best match first (:func:`hits`). Every word and phrase is a
  case-insensitive substring of a title, a description or a comment's body (SQLite folds
  ASCII letters only; accents must match); the score is 1 when the title holds them all,
  else 0.5 (a comment: 0.5).

Adding a kind is one more function here, its part of the PostgreSQL statement and its index
(a migration).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import and_, or_
from typing import TYPE_CHECKING, TypeVar, cast

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Expression,
    F,
    FloatField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast

from .models import Comment, Project, Task

if TYPE_CHECKING:
    from tracker_accounts.users import UserKey

SNIPPET_LENGTH = 200
Row = dict[str, object]
M = TypeVar("M", bound=Model)


# --------------------------------------------------------------------------- the query
@dataclass(frozen=True)
class Terms:
    """What ``q`` asks for: words (the last one, when ``prefix``, as a prefix) and phrases."""

    words: tuple[str, ...]
    phrases: tuple[str, ...]
    prefix: bool

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def texts(self) -> tuple[str, ...]:
        """Every word and phrase, as the snippet looks for them."""
        return self.phrases + self.words


TOKEN = re.compile(r'"([^"]*)"|([^\s"]+)')


def parse(q: str) -> Terms:
    """Words and ``"quoted phrases"`` of ``q``; an unclosed quote starts a word, as if the
    quote were not there. The last word is a prefix when ``q`` ends with it."""
    words: list[str] = []
    phrases: list[str] = []
    last_is_word = False
    for found in TOKEN.finditer(q):
        phrase, word = found.group(1), found.group(2)
        if word is not None:
            words.append(word)
            last_is_word = True
        elif phrase is not None and phrase.split():
            phrases.append(" ".join(phrase.split()))
            last_is_word = False
    return Terms(tuple(words), tuple(phrases), last_is_word)


@dataclass(frozen=True)
class Search:
    """A validated search: its terms, the reader, and an optional project slug; across the
    reader's projects, their ids when the caller has read them already (``project_ids``)."""

    terms: Terms
    user_id: UserKey
    project: str | None = None
    project_ids: tuple[int, ...] | None = None


# --------------------------------------------------------------------------- the fields
# A kind's searchable fields with their weights (``"A"`` ranks above ``"B"``), its title first.
Fields = tuple[tuple[str, str], ...]
TITLE_AND_DESCRIPTION: Fields = (("title", "A"), ("description", "B"))
NAME_AND_DESCRIPTION: Fields = (("name", "A"), ("description", "B"))
BODY: Fields = (("body", "B"),)  # a comment: its body only (its heading, the task's title, is not searched)


# --------------------------------------------------------------------------- other databases
def _contains_all(fields: Fields, terms: Terms) -> Q:
    """Every word and phrase is in one of the fields."""
    return reduce(
        and_,
        (reduce(or_, (Q(**{f"{name}__icontains": t}) for name, _ in fields)) for t in terms.texts()),
    )


def _title_holds_all(fields: Fields, terms: Terms) -> Q:
    return reduce(and_, (Q(**{f"{fields[0][0]}__icontains": t}) for t in terms.texts()))


def matching(qs: QuerySet[M], fields: Fields, terms: Terms) -> QuerySet[M]:
    """``qs`` narrowed to the rows matching ``terms`` in ``fields``, with their ``score``."""
    score: Expression = Value(0.5, output_field=FloatField())
    if fields[0][1] == "A":  # a title (a comment has none): 1 when it holds every term
        score = Case(
            When(_title_holds_all(fields, terms), then=Value(1.0)), default=score, output_field=FloatField()
        )
    return cast("QuerySet[M]", qs.filter(_contains_all(fields, terms)).annotate(score=score))


# --------------------------------------------------------------------------- the kinds
# The columns every kind's rows have, in this order (a union matches columns by position).
COLUMNS = (
    "hit_type",
    "hit_id",
    "project_slug",
    "project_name",
    "task_slug",
    "task_title",
    "comment_id",
    "heading",
    "text",
    "score",
)
NO_TEXT = Value(None, output_field=CharField())
# typed: PostgreSQL types a bare NULL of a union's first parts as text, which a later part's
# id (a comment's) would not match
NO_ID = Cast(Value(None), output_field=BigIntegerField())


def _rows(qs: QuerySet[Model], **columns: Expression | F) -> QuerySet[Model, Row]:
    rows: QuerySet[Model, Row] = qs.annotate(**columns).values(*COLUMNS).order_by()
    return rows


def member_projects(search: Search) -> QuerySet[Project]:
    """The live projects the reader belongs to (the one named by ``search.project``, if any)."""
    qs = Project.objects.with_member(search.user_id)
    return qs if search.project is None else qs.filter(slug=search.project)


def member_project_ids(search: Search) -> list[int]:
    """The ids of :func:`member_projects`, read first (one small query): the kinds' queries
    name them as values, so PostgreSQL can intersect the rows of those projects with the words'
    matches (with a subquery in their place it scanned the search index once per project).
    No query when the search carries them (across the reader's projects)."""
    if search.project is None and search.project_ids is not None:
        return sorted(search.project_ids)
    return list(member_projects(search).order_by("pk").values_list("pk", flat=True))


def project_hits(search: Search, projects: Collection[int]) -> QuerySet[Model, Row]:
    return _rows(
        matching(Project.objects.filter(pk__in=projects), NAME_AND_DESCRIPTION, search.terms),
        hit_type=Value("project"),
        hit_id=F("pk"),
        project_slug=F("slug"),
        project_name=F("name"),
        task_slug=NO_TEXT,
        task_title=NO_TEXT,
        comment_id=NO_ID,
        heading=F("name"),
        text=F("description"),
    )


def task_hits(search: Search, projects: Collection[int]) -> QuerySet[Model, Row]:
    live = Task.objects.filter(project__in=projects)
    return _rows(
        matching(live, TITLE_AND_DESCRIPTION, search.terms),
        hit_type=Value("task"),
        hit_id=F("pk"),
        project_slug=F("project__slug"),
        project_name=F("project__name"),
        task_slug=F("slug"),
        task_title=F("title"),
        comment_id=NO_ID,
        heading=F("title"),
        text=F("description"),
    )


def comment_hits(search: Search, projects: Collection[int]) -> QuerySet[Model, Row]:
    """Live comments of live tasks in the reader's live projects (``projects``: their ids); the
    heading is the task's title. A comment's project is its task's, stored on the comment."""
    live = Comment.objects.filter(task__deleted_at__isnull=True, project__in=projects)
    return _rows(
        matching(live, BODY, search.terms),
        hit_type=Value("comment"),
        hit_id=F("pk"),
        project_slug=F("project__slug"),
        project_name=F("project__name"),
        task_slug=F("task__slug"),
        task_title=F("task__title"),
        comment_id=F("pk"),
        heading=F("task__title"),
        text=F("body"),
    )


KINDS: dict[str, Callable[[Search, Collection[int]], QuerySet[Model, Row]]] = {
    "project": project_hits,
    "task": task_hits,
    "comment": comment_hits,
}


def hits(search: Search, kind: str | None) -> QuerySet[Model, Row] | None:
    """The hits of the kinds asked for (every kind: ``None``), best first; ``None`` when
    nothing can match (no terms, or no project to look in). Reads the reader's project ids
    first (:func:`member_project_ids`) when there are terms."""
    if not search.terms:
        return None
    projects = member_project_ids(search)
    if not projects:
        return None
    first, *others = [fn(search, projects) for name, fn in KINDS.items() if kind in (None, name)]
    combined = first.union(*others, all=True) if others else first
    return combined.order_by("-score", "hit_type", "-hit_id")


# --------------------------------------------------------------------------- snippets
@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character lower-cased without its accents (a combining mark alone: a space)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return (bare.lower() or char)[:1] if bare else " "


def _fold(text: str) -> str:
    """``text`` lower-cased without accents, one character for each of ``text``'s (so an
    offset in one is an offset in the other). ASCII text, the common case, is only lower-cased
    (the same result, a hundred times faster on a page of descriptions)."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def _window(text: str, at: int, length: int) -> str:
    """At most ``SNIPPET_LENGTH`` characters of ``text`` around ``text[at:at + length]``,
    an ellipsis where it is cut."""
    if len(text) <= SNIPPET_LENGTH:
        return text
    start = min(max(0, at - (SNIPPET_LENGTH - length) // 3), len(text) - SNIPPET_LENGTH)
    piece = text[start : start + SNIPPET_LENGTH]
    if start > 0:
        piece = "…" + piece[1:]
    if start + SNIPPET_LENGTH < len(text):
        piece = piece[:-1] + "…"
    return piece


def snippet(heading: str, text: str, terms: Terms) -> str:
    """Plain text of at most 200 characters around the first match: in the description if
    it has one, else in the title (whitespace runs as one space)."""
    needles = [_fold(t) for t in terms.texts()]
    for source in (" ".join(text.split()), " ".join(heading.split())):
        folded = _fold(source)
        found = [(i, len(n)) for n in needles if (i := folded.find(n)) >= 0]
        if found:
            at, length = min(found)
            return _window(source, at, length)
    return _window(" ".join(heading.split()), 0, 0)
