"""Search: what a query finds, kind by kind, in the projects the reader belongs to.

``q`` is parsed once (:func:`parse`) into words and ``"quoted phrases"``. Every word and
phrase must match; the last word matches as a prefix (so a search works as people type).

Each searchable kind has one function (:data:`KINDS`) giving its hits as ``values()`` rows of
the same columns (:data:`COLUMNS`); a search is the union of the kinds asked for, best match
first. Adding a kind is one more function here and its index (a migration).

* PostgreSQL: full-text search on a GIN expression index of each kind's
  :func:`document` (migrations ``0012_search``, ``0013_comment_search``), looked up with the
  reader's project ids as values (read first): PostgreSQL intersects the words' matches with
  the rows of those projects (the index on ``project_id``; a comment stores its task's
  project) before it reads a row, so a search reads the reader's matches, not every match in
  the table. In the
  ``tracker_search`` configuration (``simple`` with ``unaccent``: language-neutral, case- and
  accent-insensitive), ranked by ``ts_rank`` with titles weighing more than descriptions
  (and comments' bodies). The query expression here and
  the index expression in the migration must stay the same, or the index is not used.
  A phrase is looked up by its words; its word order is checked apart (:func:`matching`).
  A page and its total come from one query (:func:`ranked_parts`): each kind's best hits,
  counted before they are cut, so the indexes are scanned once.
* SQLite (and any other database): every word and phrase is a case-insensitive substring
  of a title, a description or a comment's body (SQLite folds ASCII letters only; accents
  must match); the score is 1 when the title holds them all, else 0.5 (a comment: 0.5).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import add, and_, or_
from typing import TYPE_CHECKING, TypeVar, cast

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Expression,
    F,
    FloatField,
    Func,
    Model,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast

from .models import Comment, Project, Task
from .pagination import PART_TOTAL

if TYPE_CHECKING:
    from tracker_accounts.users import UserKey

CONFIG = "tracker_search"  # a text search configuration: simple, through unaccent (0012_search)
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


# --------------------------------------------------------------------------- PostgreSQL
# A kind's searchable fields with their weights (``"A"`` ranks above ``"B"``), its title first.
Fields = tuple[tuple[str, str], ...]
TITLE_AND_DESCRIPTION: Fields = (("title", "A"), ("description", "B"))
NAME_AND_DESCRIPTION: Fields = (("name", "A"), ("description", "B"))
BODY: Fields = (("body", "B"),)  # a comment: its body only (its heading, the task's title, is not searched)


def document(fields: Fields) -> SearchVector | CombinedExpression:
    """A kind's searchable text, as its index in the migrations has it (``0012_search``,
    ``0013_comment_search``): the two expressions must stay the same, or the index is not used."""
    vectors: list[SearchVector | CombinedExpression] = [
        SearchVector(name, weight=weight, config=CONFIG) for name, weight in fields
    ]
    return reduce(add, vectors)


def _lexeme(word: str, prefix: bool) -> str:
    """A word as one quoted ``to_tsquery`` operand: no operator in it is read as one."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


def tsquery(terms: Terms) -> SearchQuery:
    """Every word and phrase of ``terms``, through the ``tracker_search`` configuration."""
    return reduce(
        and_, _words(terms) + [SearchQuery(p, search_type="phrase", config=CONFIG) for p in terms.phrases]
    )


def lookup_tsquery(terms: Terms) -> SearchQuery:
    """What the index looks up: :func:`tsquery` with each phrase as its words in any order
    (the order is checked apart: :func:`matching`)."""
    return reduce(
        and_, _words(terms) + [SearchQuery(p, search_type="plain", config=CONFIG) for p in terms.phrases]
    )


def _words(terms: Terms) -> list[SearchQuery]:
    last = len(terms.words) - 1
    return [
        SearchQuery(_lexeme(word, terms.prefix and i == last), search_type="raw", config=CONFIG)
        for i, word in enumerate(terms.words)
    ]


# A copy of a document that no index holds (no lexeme changes): a phrase's word order is
# checked on it, so PostgreSQL cannot take the phrase for an index condition.
NO_LEXEME = Cast(Value(""), output_field=SearchVectorField())


# --------------------------------------------------------------------------- any database
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
    if connections[qs.db].vendor == "postgresql":
        query = tsquery(terms)
        vector = document(fields)
        found = cast(
            "QuerySet[M]", qs.alias(search_document=vector).filter(search_document=lookup_tsquery(terms))
        )
        if terms.phrases:
            # PostgreSQL estimates that a phrase of common words matches almost no row: with
            # the phrase in the index condition it read every row holding the words, across
            # the table, and parsed each again to check their order before it kept the
            # reader's projects (1 s at 1,000,000 tasks). The index looks up the words; the
            # order is checked on the rows left in the reader's projects.
            unindexed = Func(
                F("search_document"),
                NO_LEXEME,
                template="(%(expressions)s)",
                arg_joiner=" || ",
                output_field=SearchVectorField(),
            )
            found = cast("QuerySet[M]", found.alias(phrase_document=unindexed).filter(phrase_document=query))
        return cast("QuerySet[M]", found.annotate(score=SearchRank(F("search_document"), query)))
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


def _kinds(search: Search, kind: str | None) -> list[QuerySet[Model, Row]]:
    """The hits of each kind asked for (every kind: ``None``), unordered; none when nothing
    can match (no terms, or no project to look in). Reads the reader's project ids first
    (:func:`member_project_ids`) when there are terms."""
    if not search.terms:
        return []
    projects = member_project_ids(search)
    if not projects:
        return []
    return [fn(search, projects) for name, fn in KINDS.items() if kind in (None, name)]


def hits(search: Search, kind: str | None) -> QuerySet[Model, Row] | None:
    """The hits of the kinds asked for, best first, as one union; ``None`` when nothing can
    match (:func:`_kinds`)."""
    parts = _kinds(search, kind)
    if not parts:
        return None
    first, *others = parts
    combined = first.union(*others, all=True) if others else first
    return combined.order_by("-score", "hit_type", "-hit_id")


def ranked_parts(search: Search, kind: str | None, depth: int) -> QuerySet[Model, Row] | None:
    """PostgreSQL's way to a page of :func:`hits` in one query: each kind's first ``depth``
    hits, best first, each with its kind's total (``PART_TOTAL``, counted before the cut),
    as a union of the kinds' cut parts (:func:`.pagination.paginate_parts` merges the page).
    The search indexes are scanned once; a union counted apart scanned them again. ``None``
    when nothing can match."""
    counted = {PART_TOTAL: Window(Count("*"))}
    parts: list[QuerySet[Model, Row]] = [
        part.annotate(**counted).order_by("-score", "-hit_id")[:depth] for part in _kinds(search, kind)
    ]
    if not parts:
        return None
    first, *others = parts
    return first.union(*others, all=True) if others else first


def best_first(row: Row) -> tuple[float, str, int]:
    """The order of :func:`hits`, as a sort key of a row: best score, then by kind, newest."""
    return (-cast("float", row["score"]), cast("str", row["hit_type"]), -cast("int", row["hit_id"]))


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
