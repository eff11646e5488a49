"""Search on PostgreSQL: one statement gives a page of hits and their total.

The statement is written out here, with every value a parameter, rather than built from
querysets: a search is the union of three kinds, ranked, counted and cut to a page, and the
ORM can neither count a union in the same query nor leave the joins for the page's rows
only. Built from querysets it took a query for the page and a second one for the total (each
scanning the search indexes), and building and compiling them cost more than running them.

* Each kind (project, task, comment) is matched through its GIN expression index
  (migrations ``0012_search``, ``0013_comment_search``): the documents below must stay the
  same expressions as those indexes, or the indexes are not used
  (``tests/test_search.py`` checks the plan).
* Only the reader's live projects are looked in, named by id (read first): PostgreSQL
  intersects the words' matches with the rows of those projects before it reads a row.
* The query (``tsquery``) is written out in each part (not computed once and joined), so
  the planner estimates from each index's statistics how many rows its words match. It goes
  through the ``tracker_search`` configuration (``simple`` with ``unaccent``:
  language-neutral, case- and accent-insensitive); every word and phrase must match, the last
  word as a prefix. A phrase's word order is checked apart from the index (:data:`PHRASES`).
  Hits are ranked by ``ts_rank``: titles and names weigh more than descriptions and comments.
* Hits are ranked and counted (``count(*) OVER ()``) before the page is cut; the page's
  rows alone are then joined to their project, task and comment for what a hit shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from django.db import connections, router

from .models import Comment, Project, Task
from .pagination import Pages
from .search import COLUMNS, Row, Search, Terms, member_project_ids

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper

Params = dict[str, str | int | list[int]]
CONFIG = "tracker_search"  # a text search configuration: simple, through unaccent (0012_search)
KINDS = ("project", "task", "comment")


def _weighted(column: str, weight: str, cast: str = "") -> str:
    return f"setweight(to_tsvector('{CONFIG}'::regconfig, COALESCE({column}, ''){cast}), '{weight}')"


# Each kind's document, as its index in the migrations has it.
DOCUMENTS = {
    "project": _weighted("p.name", "A", "::text") + " || " + _weighted("p.description", "B"),
    "task": _weighted("t.title", "A", "::text") + " || " + _weighted("t.description", "B"),
    "comment": _weighted("c.body", "B"),
}


def _tables() -> dict[str, str]:
    quote = connections[router.db_for_read(Task)].ops.quote_name
    return {
        "project": quote(Project._meta.db_table),
        "task": quote(Task._meta.db_table),
        "comment": quote(Comment._meta.db_table),
    }


# The hits of each kind, as rows of (kind, id, project_id, task_id, score), each part naming
# them (the first part of a union names its columns); ``%(projects)s`` is the reader's live
# projects' ids. A comment is found only on a live task. ``{match}`` is what the index looks
# up and ``{phrases}`` the check of the phrases, if any (:func:`statement`).
HITS = {
    "project": """
        SELECT 'project'::text AS kind, p.id, p.id AS project_id, NULL::bigint AS task_id,
               ts_rank({document}, {query}) AS score
        FROM {project} p
        WHERE p.deleted_at IS NULL AND p.id = ANY(%(projects)s)
          AND ({document}) @@ {match}{phrases}""",
    "task": """
        SELECT 'task'::text AS kind, t.id, t.project_id, t.id AS task_id,
               ts_rank({document}, {query}) AS score
        FROM {task} t
        WHERE t.deleted_at IS NULL AND t.project_id = ANY(%(projects)s)
          AND ({document}) @@ {match}{phrases}""",
    "comment": """
        SELECT 'comment'::text AS kind, c.id, c.project_id, c.task_id,
               ts_rank({document}, {query}) AS score
        FROM {comment} c JOIN {task} ct ON ct.id = c.task_id AND ct.deleted_at IS NULL
        WHERE c.deleted_at IS NULL AND c.project_id = ANY(%(projects)s)
          AND ({document}) @@ {match}{phrases}""",
}
# A phrase is checked apart from the index lookup, on a copy of the document the index does
# not hold (``|| ''::tsvector`` changes no lexeme): PostgreSQL estimates that a phrase of
# common words matches almost no row, and with the phrase in the index condition it read
# every row holding the words, across the table, and parsed each again to check word order
# before it kept the reader's projects (0.5 s at 1,000,000 tasks). Looked up by its words
# alone (each phrase as ``plainto_tsquery``), the rows are narrowed to the reader's projects
# before any is parsed again.
PHRASES = " AND ({document} || ''::tsvector) @@ {query}"

# The page of the hits, best first, with their total; then what each hit shows. The columns
# are :data:`tracker_projects.search.COLUMNS` and the total.
PAGE = """
WITH hits AS ({hits}),
page AS (
    SELECT kind, id, project_id, task_id, score, count(*) OVER () AS total
    FROM hits
    ORDER BY score DESC, kind, id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.kind AS hit_type, page.id AS hit_id, p.slug AS project_slug, p.name AS project_name,
       t.slug AS task_slug, t.title AS task_title,
       CASE WHEN page.kind = 'comment' THEN page.id END AS comment_id,
       CASE WHEN page.kind = 'project' THEN p.name ELSE t.title END AS heading,
       CASE page.kind WHEN 'project' THEN p.description WHEN 'task' THEN t.description
                      ELSE c.body END AS text,
       page.score, page.total
FROM page
JOIN {project} p ON p.id = page.project_id
LEFT JOIN {task} t ON t.id = page.task_id
LEFT JOIN {comment} c ON c.id = page.id AND page.kind = 'comment'
ORDER BY page.score DESC, page.kind, page.id DESC"""


def _lexeme(word: str, prefix: bool) -> str:
    """A word as one quoted ``to_tsquery`` operand: no operator in it is read as one."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


def tsquery(terms: Terms) -> tuple[str, str, Params]:
    """The SQL of the query ``terms`` asks for (every word and phrase), the SQL of the same
    with each phrase as its words in any order (what the index looks up), and their parameters."""
    words: list[str] = []
    params: Params = {"config": CONFIG}
    last = len(terms.words) - 1
    for i, word in enumerate(terms.words):
        params[f"w{i}"] = _lexeme(word, terms.prefix and i == last)
        words.append(f"to_tsquery(%(config)s::regconfig, %(w{i})s)")
    phrases, phrase_words = [], []
    for i, phrase in enumerate(terms.phrases):
        params[f"p{i}"] = phrase
        phrases.append(f"phraseto_tsquery(%(config)s::regconfig, %(p{i})s)")
        phrase_words.append(f"plainto_tsquery(%(config)s::regconfig, %(p{i})s)")
    return " && ".join(words + phrases), " && ".join(words + phrase_words), params


def statement(
    terms: Terms, kind: str | None, projects: Sequence[int], limit: int, offset: int
) -> tuple[str, Params]:
    """The SQL of a page of hits of ``kind`` (every kind: ``None``) in ``projects`` (ids),
    with its parameters; ``terms`` must ask for something."""
    query, match, params = tsquery(terms)
    tables = _tables()
    parts = []
    for name in KINDS:
        if kind in (None, name):
            found = {"document": DOCUMENTS[name], "query": f"({query})", "match": f"({match})"}
            phrases = PHRASES.format(**found) if terms.phrases else ""
            parts.append(HITS[name].format(**tables, **found, phrases=phrases))
    sql = PAGE.format(hits=" UNION ALL ".join(parts), **tables)
    return sql, {**params, "projects": list(projects), "limit": limit, "offset": offset}


def _run(cursor: CursorWrapper, sql: str, params: Params) -> list[Row]:
    cursor.execute(sql, params)
    names = [column.name for column in cursor.description or ()]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def page(search: Search, kind: str | None, pages: Pages) -> tuple[list[Row], int]:
    """A page of what ``search`` finds (of ``kind``) and the total, in one query (two when
    the page is past the end: the total is then read from the first hit)."""
    if not search.terms:
        return [], 0
    projects = member_project_ids(search)
    if not projects:
        return [], 0
    start = (pages.page - 1) * pages.page_size
    with connections[router.db_for_read(Task)].cursor() as cursor:
        rows = _run(cursor, *statement(search.terms, kind, projects, pages.page_size, start))
        if not rows and start > 0:
            return [], _total(_run(cursor, *statement(search.terms, kind, projects, 1, 0)))
    return [{name: row[name] for name in COLUMNS} for row in rows], _total(rows)


def _total(rows: list[Row]) -> int:
    return cast("int", rows[0]["total"]) if rows else 0
