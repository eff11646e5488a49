"""GET /api/search/ (docs/API.md "Search"): what it finds, for whom, validation, paging,
snippets and its query count. PostgreSQL's full-text behaviour (accents, phrases against word
order, ranking, the index) is in the tests marked ``postgres``; the rest holds on both."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from tests.conftest import ON_POSTGRES, assert_envelope, auth_client
from tests.factories import UserFactory
from tracker_projects import services
from tracker_projects.models import Membership
from tracker_projects.search import SNIPPET_LENGTH, _fold, parse, snippet

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss():
    return UserFactory(role="manager")


def search(user, **params):
    response = auth_client(user).get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def found(user, **params):
    """(type, task slug or project slug) of each hit, in order."""
    return [
        (hit["type"], hit["task"]["slug"] if hit["task"] else hit["project"]["slug"])
        for hit in search(user, **params)["items"]
    ]


def project(manager, name, description=""):
    return services.project_create(actor=manager, name=name, description=description)


def task(p, title, description=""):
    return services.task_create(actor=p.manager, project_slug=p.slug, title=title, description=description)


def comment(t, body):
    return services.comment_create(actor=t.project.manager, task_slug=t.slug, body=body)


def comment_ids(user, **params):
    """The comment ids a fresh search finds (the writes here are not committed, so the cache
    is not told of them: test_a_cached_search_sees_comment_writes_at_once tests that)."""
    cache.clear()
    return [hit["comment"]["id"] for hit in search(user, type="comment", **params)["items"]]


# --------------------------------------------------------------------------- what matches
def test_finds_projects_and_tasks_by_their_text(boss):
    apollo = project(boss, "Apollo launch", "Fly to the moon")
    rocket = task(apollo, "Build the rocket", "Three stages, kerosene")
    fuel = task(apollo, "Order fuel", "Kerosene for the rocket")
    assert set(found(boss, q="rocket")) == {("task", rocket.slug), ("task", fuel.slug)}
    assert found(boss, q="moon") == [("project", apollo.slug)]
    assert set(found(boss, q="KEROSENE")) == {("task", rocket.slug), ("task", fuel.slug)}


def test_every_word_must_match_and_the_last_is_a_prefix(boss):
    apollo = project(boss, "Apollo")
    both = task(apollo, "Paint the rocket", "with silver paint")
    task(apollo, "Paint the fence")
    assert found(boss, q="paint rocket") == [("task", both.slug)]
    assert found(boss, q="silver roc") == [("task", both.slug)]
    assert found(boss, q="paint nothing-like-it") == []


def test_quoted_phrases_match_as_phrases(boss):
    apollo = project(boss, "Apollo")
    phrase = task(apollo, "Check the heat shield")
    task(apollo, "Shield the heat pipes")
    assert found(boss, q='"heat shield"') == [("task", phrase.slug)]
    assert found(boss, q='check "heat shield"') == [("task", phrase.slug)]


def test_hit_shape(boss):
    apollo = project(boss, "Apollo", "To the moon")
    rocket = task(apollo, "Build the rocket")
    body = search(boss, q="rocket")
    assert body["count"] == 1 and body["page"] == 1 and body["page_size"] == 20
    (hit,) = body["items"]
    assert hit["type"] == "task"
    assert hit["project"] == {"slug": apollo.slug, "name": "Apollo"}
    assert hit["task"] == {"slug": rocket.slug, "title": "Build the rocket"}
    assert hit["comment"] is None
    assert hit["snippet"] == "Build the rocket"
    assert isinstance(hit["score"], float) and hit["score"] > 0
    (hit,) = search(boss, q="moon")["items"]
    assert hit == {**hit, "type": "project", "task": None, "comment": None, "snippet": "To the moon"}


def test_title_matches_rank_before_description_matches(boss):
    apollo = project(boss, "Apollo")
    described = task(apollo, "Order parts", "the rocket needs bolts")
    titled = task(apollo, "Rocket engine")
    assert found(boss, q="rocket") == [("task", titled.slug), ("task", described.slug)]


# --------------------------------------------------------------------------- who sees what
def test_only_live_things_in_the_caller_s_projects(boss):
    mine = project(boss, "Mine")
    visible = task(mine, "Secret plan alpha")
    rival = UserFactory(role="manager")
    theirs = project(rival, "Secret plan theirs", "secret plan")
    task(theirs, "Secret plan beta", "secret plan")
    gone = task(mine, "Secret plan gamma")
    services.task_delete(actor=boss, slug=gone.slug)
    deleted = project(boss, "Secret plan deleted", "secret plan")
    task(deleted, "Secret plan delta", "secret plan")
    services.project_delete(actor=boss, slug=deleted.slug)
    assert found(boss, q="secret plan") == [("task", visible.slug)]
    assert found(rival, q="secret plan alpha") == []
    assert found(UserFactory(role="member"), q="secret plan") == []


def test_a_member_finds_what_is_in_their_projects_and_loses_it_when_they_leave(boss):
    worker = UserFactory(role="member")
    apollo = project(boss, "Apollo")
    rocket = task(apollo, "Build the rocket")
    client = auth_client(worker, run_on_commit=True)
    assert client.get("/api/search/", {"q": "rocket"}).json()["items"] == []
    Membership.objects.create(project=apollo, user=worker, role="member")
    assert [h["task"]["slug"] for h in client.get("/api/search/", {"q": "rocket"}).json()["items"]] == [
        rocket.slug
    ]
    client.delete(f"/api/projects/{apollo.slug}/members/{worker.pk}/")
    assert client.get("/api/search/", {"q": "rocket"}).json()["items"] == []


def test_project_and_type_narrow_the_search(boss):
    apollo = project(boss, "Rocket works")
    gemini = project(boss, "Gemini")
    a = task(apollo, "Rocket A")
    g = task(gemini, "Rocket G")
    assert set(found(boss, q="rocket", project=gemini.slug)) == {("task", g.slug)}
    assert found(boss, q="rocket", type="project") == [("project", apollo.slug)]
    assert set(found(boss, q="rocket", type="task")) == {("task", a.slug), ("task", g.slug)}
    assert found(boss, q="rocket", type="comment") == []  # no comment says "rocket"
    said = comment(g, "The rocket is late")
    assert comment_ids(boss, q="rocket") == [said.pk]
    assert comment_ids(boss, q="rocket", project=apollo.slug) == []
    assert comment_ids(boss, q="rocket", project=gemini.slug) == [said.pk]
    assert ("comment", g.slug) in found(boss, q="rocket")
    assert ("comment", g.slug) not in found(boss, q="rocket", type="task")
    # a project the caller is not in, or that does not exist: nothing (never a 404)
    assert found(boss, q="rocket", project=project(UserFactory(role="manager"), "Rocket").slug) == []
    assert found(boss, q="rocket", project="no-such-project") == []


def test_a_search_sees_writes_at_once(boss):
    apollo = project(boss, "Apollo")
    client = auth_client(boss, run_on_commit=True)
    assert client.get("/api/search/", {"q": "rocket"}).json()["count"] == 0
    assert client.get("/api/search/", {"q": "rocket", "project": apollo.slug}).json()["count"] == 0
    slug = client.post(f"/api/projects/{apollo.slug}/tasks/add/", {"title": "Rocket"}).json()["slug"]
    assert client.get("/api/search/", {"q": "rocket"}).json()["count"] == 1
    assert client.get("/api/search/", {"q": "rocket", "project": apollo.slug}).json()["count"] == 1
    client.patch(f"/api/tasks/{slug}/edit/", {"title": "Launch pad"})
    assert client.get("/api/search/", {"q": "rocket"}).json()["count"] == 0
    assert client.get("/api/search/", {"q": "launch"}).json()["count"] == 1
    client.delete(f"/api/tasks/{slug}/delete/")
    assert client.get("/api/search/", {"q": "launch"}).json()["count"] == 0
    client.patch(f"/api/projects/{apollo.slug}/edit/", {"description": "Launch things"})
    assert found(boss, q="launch") == [("project", apollo.slug)]
    assert client.get("/api/search/", {"q": "launch"}).json()["count"] == 1
    client.delete(f"/api/projects/{apollo.slug}/delete/")
    assert client.get("/api/search/", {"q": "launch"}).json()["count"] == 0


def test_a_cached_search_sees_comment_writes_at_once(boss):
    apollo = project(boss, "Apollo")
    rocket = task(apollo, "Build it")
    client = auth_client(boss, run_on_commit=True)

    def count(q, **params):
        return client.get("/api/search/", {"q": q, **params}).json()["count"]

    assert count("kerosene") == count("kerosene", project=apollo.slug) == 0
    created = client.post(f"/api/tasks/{rocket.slug}/comments/", {"body": "Kerosene ordered"})
    assert created.status_code == 201, created.content
    assert count("kerosene") == count("kerosene", project=apollo.slug) == 1
    url = f"/api/comments/{created.json()['id']}/"
    assert client.patch(url, {"body": "Hydrogen ordered"}).status_code == 200
    assert count("kerosene") == count("kerosene", project=apollo.slug) == 0
    assert count("hydrogen") == count("hydrogen", project=apollo.slug) == 1
    assert client.delete(url).status_code == 204
    assert count("hydrogen") == count("hydrogen", project=apollo.slug) == 0


# --------------------------------------------------------------------------- comments
def test_comment_hits(boss):
    apollo = project(boss, "Apollo")
    rocket = task(apollo, "Build the rocket")
    said = comment(rocket, "Use <b>kerosene</b> & oxygen,\n  not hydrogen")
    (hit,) = search(boss, q="kerosene")["items"]
    assert hit["type"] == "comment"
    assert hit["project"] == {"slug": apollo.slug, "name": "Apollo"}
    assert hit["task"] == {"slug": rocket.slug, "title": "Build the rocket"}
    assert hit["comment"] == {"id": said.pk}
    assert hit["snippet"] == "Use <b>kerosene</b> & oxygen, not hydrogen"  # plain text, one line
    assert isinstance(hit["score"], float) and hit["score"] > 0
    # the task's title is not a comment's text: a search for it finds the task only
    assert found(boss, q="build rocket") == [("task", rocket.slug)]


def test_a_comment_s_snippet_is_around_the_match(boss):
    rocket = task(project(boss, "Apollo"), "Build it")
    comment(rocket, "filler " * 100 + "the kerosene tank " + "tail " * 100)
    (hit,) = search(boss, q="kerosene", type="comment")["items"]
    assert len(hit["snippet"]) <= SNIPPET_LENGTH and "the kerosene tank" in hit["snippet"]
    assert hit["snippet"].startswith("…") and hit["snippet"].endswith("…")


def test_comments_of_other_projects_are_never_found(boss):
    mine = task(project(boss, "Mine"), "Mine")
    said = comment(mine, "Secret plan alpha")
    rival = UserFactory(role="manager")
    theirs = task(project(rival, "Theirs"), "Theirs")
    comment(theirs, "Secret plan alpha too")
    assert comment_ids(boss, q="secret plan alpha") == [said.pk]
    assert comment_ids(boss, q="secret plan alpha", project=theirs.project.slug) == []
    assert len(comment_ids(rival, q="secret plan alpha")) == 1
    assert comment_ids(rival, q="secret plan alpha") != [said.pk]
    assert comment_ids(UserFactory(role="member"), q="secret plan") == []


def test_a_comment_is_found_in_the_project_its_task_was_moved_to(boss):
    """The admin moves a task to another project: its comments follow it (each stores its project)."""
    rocket = task(project(boss, "Apollo"), "Build it")
    note = comment(rocket, "Kerosene ordered")
    other = UserFactory(role="manager")
    rocket.project = project(other, "Gemini")
    services.task_admin_save(task=rocket, actor=None)
    assert comment_ids(boss, q="kerosene") == []
    assert comment_ids(other, q="kerosene") == [note.pk]


def test_deleted_comments_are_never_found(boss):
    rocket = task(project(boss, "Apollo"), "Build it")
    kept = comment(rocket, "Kerosene kept")
    gone = comment(rocket, "Kerosene gone")
    services.comment_delete(actor=boss, comment_id=gone.pk)
    assert comment_ids(boss, q="kerosene") == [kept.pk]


def test_comments_of_deleted_tasks_and_projects_are_not_found_until_restored(boss):
    apollo = project(boss, "Apollo")
    rocket = task(apollo, "Build it")
    said = comment(rocket, "Kerosene ordered")
    services.task_delete(actor=boss, slug=rocket.slug)
    assert comment_ids(boss, q="kerosene") == []
    services.task_restore(actor=boss, slug=rocket.slug)
    assert comment_ids(boss, q="kerosene") == [said.pk]
    services.project_delete(actor=boss, slug=apollo.slug)
    assert comment_ids(boss, q="kerosene") == []
    services.project_restore(actor=boss, slug=apollo.slug)
    assert comment_ids(boss, q="kerosene") == [said.pk]


# --------------------------------------------------------------------------- validation, paging
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "a"},
        {"q": "  a  "},
        {"q": "x" * 201},
        {"q": "ab\x00cd"},
        {"q": "rocket", "type": "label"},
        {"q": "rocket", "page": 0},
        {"q": "rocket", "page_size": 101},
        {"q": "rocket", "page_size": 0},
    ],
)
def test_bad_queries_are_422(boss, params):
    assert_envelope(auth_client(boss).get("/api/search/", params), 422, "validation_error")


def test_needs_a_token():
    from tests.conftest import ApiClient

    assert_envelope(ApiClient().get("/api/search/", {"q": "rocket"}), 401, "not_authenticated")


def test_a_query_of_quotes_only_finds_nothing(boss):
    task(project(boss, "Apollo"), "Rocket")
    assert search(boss, q='""')["count"] == 0
    assert search(boss, q='" "')["count"] == 0


def test_pages(boss):
    apollo = project(boss, "Apollo")
    for i in range(5):
        task(apollo, f"Rocket {i}")
    first = search(boss, q="rocket", page_size=2)
    assert first["count"] == 5 and len(first["items"]) == 2
    pages = [search(boss, q="rocket", page_size=2, page=n)["items"] for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    slugs = [hit["task"]["slug"] for page in pages for hit in page]
    assert len(set(slugs)) == 5
    past = search(boss, q="rocket", page_size=2, page=4)
    assert past["count"] == 5 and past["items"] == []
    assert search(boss, q="rocket", type="project")["count"] == 0
    assert search(boss, q="rocket", type="task", page_size=2)["count"] == 5


def test_the_total_of_a_full_page_counts_every_kind_and_nothing_deleted(boss):
    """A full page's total counts what the pages list, every kind, and skips what a search
    never finds; the pages, one after another, are the whole list in its order (on
    PostgreSQL each page is merged from the kinds' best hits)."""
    apollo = project(boss, "Rocket works", "rockets")
    gone = project(boss, "Rocket archive")
    for i in range(3):
        launch = task(apollo, f"Rocket {i}", "the rocket")
        comment(launch, f"Rocket fuelled {i}")
    hidden = task(apollo, "Rocket prototype")
    comment(hidden, "Rocket prototype notes")
    removed = comment(task(apollo, "Unrelated"), "Rocket mentioned once")
    task(gone, "Rocket in the archive")
    services.task_delete(actor=boss, slug=hidden.slug)
    services.comment_delete(actor=boss, comment_id=removed.pk)
    services.project_delete(actor=boss, slug=gone.slug)
    cache.clear()
    everything = [hit for n in (1, 2, 3, 4) for hit in search(boss, q="rocket", page_size=2, page=n)["items"]]
    # the project, its three live tasks and their three comments
    assert len(everything) == 7
    assert everything == search(boss, q="rocket", page_size=100)["items"]
    scores = [hit["score"] for hit in everything]
    assert scores == sorted(scores, reverse=True)
    for page in (1, 2, 3, 5):
        assert search(boss, q="rocket", page_size=2, page=page)["count"] == 7
    assert search(boss, q="rocket", page_size=2, page=5)["items"] == []
    assert search(boss, q="rocket", type="comment", page_size=2)["count"] == 3
    assert search(boss, q="rocket", type="task", page_size=1)["count"] == 3


@pytest.mark.parametrize("page_size", [1, 20, 100])
def test_query_count_is_fixed_whatever_the_page_size(boss, page_size, django_assert_num_queries):
    apollo = project(boss, "Rocket project", "rocket")
    for i in range(120):
        task(apollo, f"Rocket {i}", "about the rocket")
    client = auth_client(boss)
    cache.clear()
    params = {"q": "rocket", "page_size": page_size}
    # the reader's projects, slugs and ids (1: the slugs name the entry's counters, the page's
    # query names the ids as values, for the search indexes) + authenticate (1) + the page (1)
    # + its total when the page is full (1; on PostgreSQL the page's query counts them too)
    full = page_size < 121 and not ON_POSTGRES
    with django_assert_num_queries(3 + full):
        body = client.get("/api/search/", params).json()
    assert body["count"] == 121 and len(body["items"]) == page_size
    with django_assert_num_queries(1):  # cached: the projects, whose counters the entry checks
        assert client.get("/api/search/", params).json() == body
    # in one project (cached under its counter alone): its id with the membership check (1),
    # the page (1), its total when the page is full (1, not on PostgreSQL)
    with django_assert_num_queries(2 + full):
        body = client.get("/api/search/", {**params, "project": apollo.slug}).json()
    assert body["count"] == 121


# --------------------------------------------------------------------------- snippets
def test_snippets_are_plain_text_of_at_most_200_characters_around_the_first_match(boss):
    apollo = project(boss, "Apollo")
    long = "filler " * 100 + "the <b>rocket</b> & more\nlines " + "tail " * 100
    task(apollo, "Long one", long)
    (hit,) = search(boss, q="rocket")["items"]
    assert len(hit["snippet"]) <= SNIPPET_LENGTH
    assert "the <b>rocket</b> & more lines" in hit["snippet"]
    assert hit["snippet"].startswith("…") and hit["snippet"].endswith("…")


def test_snippet_helper():
    terms = parse('"heat shield" cafe')
    assert snippet("Title", "", terms) == "Title"
    assert snippet("Title", "Read about the Café first", terms) == "Read about the Café first"
    text = "x" * 300 + " heat   shield " + "y" * 300
    cut = snippet("Title", text, parse('"heat shield"'))
    assert len(cut) == SNIPPET_LENGTH and "heat shield" in cut


def test_parse():
    terms = parse('fly "to the  moon" roc')
    assert terms.words == ("fly", "roc") and terms.phrases == ("to the moon",) and terms.prefix
    assert not parse('fly "to the moon"').prefix
    assert parse('"unclosed quote').words == ("unclosed", "quote")
    assert not parse('"" " "')


# --------------------------------------------------------------------------- PostgreSQL
@pytest.mark.postgres
def test_accents_and_case_do_not_matter_on_postgresql(boss):
    apollo = project(boss, "Apollo")
    cafe = task(apollo, "Réunion au CAFÉ")
    assert found(boss, q="reunion cafe") == [("task", cafe.slug)]
    assert found(boss, q="RÉUNIÓN caf") == [("task", cafe.slug)]
    (hit,) = search(boss, q="cafe")["items"]
    assert hit["snippet"] == "Réunion au CAFÉ"


@pytest.mark.postgres
def test_phrases_keep_their_word_order_and_words_are_whole_on_postgresql(boss):
    apollo = project(boss, "Apollo")
    task(apollo, "Shield the heat")
    phrase = task(apollo, "Heat shield check")
    assert found(boss, q='"heat shield"') == [("task", phrase.slug)]
    # whole words, except the last one: "hiel" is inside a word, not its start
    assert found(boss, q="hiel check") == []
    assert found(boss, q="check shi") == [("task", phrase.slug)]


@pytest.mark.postgres
def test_phrases_keep_their_word_order_in_every_kind_on_postgresql(boss):
    lab = project(boss, "Heat shield lab")
    project(boss, "Shield heat lab")
    shield = task(lab, "Heat shield check")
    task(lab, "Shield the heat check")
    cracked = comment(shield, "The heat shield cracked")
    comment(shield, "Shield, then heat")
    assert sorted(found(boss, q='"heat shield"')) == [
        ("comment", shield.slug),
        ("project", lab.slug),
        ("task", shield.slug),
    ]
    assert comment_ids(boss, q='"heat shield"') == [cracked.pk]
    # two phrases and a word: each phrase in its order, anywhere in the text
    assert found(boss, q='"shield check" "heat shield" he') == [("task", shield.slug)]
    assert [hit["project"]["name"] for hit in search(boss, q='"shield heat" lab')["items"]] == [
        "Shield heat lab"
    ]


@pytest.mark.postgres
def test_a_phrase_is_looked_up_by_its_words_and_checked_on_the_readers_rows_on_postgresql(boss):
    """The index condition holds the phrase's words, not their order (PostgreSQL estimates a
    phrase of common words too low, and read every row holding them before it kept the
    reader's projects); the order is a filter on what the index and the projects leave."""
    from tracker_projects.models import Task

    apollo = project(boss, "Apollo")
    Task.objects.bulk_create(
        Task(slug=f"t-{i}", project=apollo, title=f"Chore {i}", created_by=boss) for i in range(3000)
    )
    task(apollo, "Heat shield check")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_projects_task")
    lines = explain('"heat shield" check', boss, "task").splitlines()
    plan = "\n".join(lines)
    scan = next(i for i, line in enumerate(lines) if "Bitmap Index Scan on tracker_task_search" in line)
    # (in a plan a tsquery is a quoted literal: its own quotes are doubled)
    assert "<->" not in lines[scan + 1] and "''heat'' & ''shield''" in lines[scan + 1], plan
    assert any("Filter" in line and "''heat'' <-> ''shield''" in line for line in lines), plan


@pytest.mark.postgres
def test_ranking_on_postgresql(boss):
    apollo = project(boss, "Apollo")
    once = task(apollo, "Order parts", "one rocket")
    titled = task(apollo, "Rocket rocket", "rocket rocket rocket")
    assert found(boss, q="rocket") == [("task", titled.slug), ("task", once.slug)]
    scores = [hit["score"] for hit in search(boss, q="rocket")["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]


@pytest.mark.postgres
def test_odd_input_is_no_syntax_error_on_postgresql(boss):
    apollo = project(boss, "Apollo")
    odd = task(apollo, "it's a don't & can't | ! (case) :* <-> \\ back")
    # and what SQL placeholders look like: every value is a parameter
    for q in [
        "it's",
        "don't",
        "& |",
        "!!",
        "(case)",
        ":*",
        "<->",
        "\\\\",
        "can't |",
        "'quoted'",
        "100%",
        "%(projects)s",
        "%s",
        "{task}",
        '"%(limit)s {query}"',
    ]:
        response = auth_client(boss).get("/api/search/", {"q": q})
        assert response.status_code == 200, (q, response.content)
    assert found(boss, q="don't") == [("task", odd.slug)]


def explain(q, reader, kind):
    """The plan of the query a search by ``reader`` runs on PostgreSQL (page 1 of 20)."""
    from tracker_projects.search import Search, ranked_parts

    qs = ranked_parts(Search(parse(q), reader.pk), kind, 20)
    assert qs is not None
    return qs.explain()


@pytest.mark.postgres
def test_the_search_uses_the_task_index_on_postgresql(boss):
    from tracker_projects.models import Project, Task

    apollo = project(boss, "Apollo")
    Project.objects.bulk_create(
        Project(slug=f"filler-{i}", name=f"Filler {i}", manager=boss) for i in range(2000)
    )
    Task.objects.bulk_create(
        Task(slug=f"t-{i}", project=apollo, title=f"Chore {i}", created_by=boss) for i in range(3000)
    )
    task(apollo, "Rocket")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_projects_task")
        cursor.execute("ANALYZE tracker_projects_project")
    plan = explain("rocket", boss, None)
    # tasks are found through their index; projects through the reader's memberships (a
    # person belongs to few), whose rows are then checked
    assert "Bitmap Index Scan on tracker_task_search" in plan, plan


@pytest.mark.postgres
def test_the_search_uses_the_comment_index_on_postgresql(boss):
    from tracker_projects.models import Comment

    rocket = task(project(boss, "Apollo"), "Build it")
    Comment.objects.bulk_create(
        Comment(task=rocket, project=rocket.project, author=boss, body=f"Chore {i}") for i in range(3000)
    )
    comment(rocket, "Kerosene ordered")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tracker_projects_comment")
    plan = explain("kerosene", boss, "comment")
    assert "Bitmap Index Scan on tracker_comment_search" in plan, plan


@pytest.mark.parametrize(
    "text",
    ["Plain ASCII, MiXeD case 123", "Café crème, NAÏVE", "İstanbul straße", "e\u0301 combining", "日本語 ok"],
)
def test_a_snippet_finds_the_match_at_the_same_offset_in_any_script(text):
    """The snippet searches a folded copy of the text, one character for each of the text's,
    so that the cut falls around the match in the text itself, ASCII or not."""
    folded = _fold(text)
    assert len(folded) == len(text)
    assert folded == folded.lower()
    padded = "x" * 300 + " " + text + " " + "y" * 300
    last_word = text.split()[-1]
    assert last_word in snippet("Title", padded, parse(last_word.lower()))


@pytest.mark.django_db(transaction=True)
def test_the_comment_project_migration_is_reversible():
    """``0016_comment_project`` undone and done again: the column goes and comes back, filled."""
    back, latest = ("tracker_projects", "0015_webhooks"), ("tracker_projects", "0016_comment_project")
    call_command("migrate", *back, verbosity=0)
    try:
        assert "project_id" not in column_names("tracker_projects_comment")
    finally:
        call_command("migrate", *latest, verbosity=0)
    assert "project_id" in column_names("tracker_projects_comment")


def column_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {column.name for column in connection.introspection.get_table_description(cursor, table)}
