"""Labels (docs/API.md "Labels"): a project's labels and who manages them, labels set on tasks
by name, the task list's ``label`` filter, the history, and reads that show a rename or a
deletion at once."""

from __future__ import annotations

import pytest

from tests.conftest import ApiClient, assert_envelope, auth_client, cache_keys
from tests.factories import project_world
from tracker_projects import labels, services
from tracker_projects.models import Activity, Label, TaskLabel

pytestmark = pytest.mark.django_db

GREY = "#6b7280"


@pytest.fixture
def w():
    world = project_world()
    world.api = {
        role: auth_client(getattr(world, role), run_on_commit=True)
        for role in ("manager", "member", "assignee", "outsider")
    }
    return world


def labels_url(slug: str) -> str:
    return f"/api/projects/{slug}/labels/"


def label_url(slug: str, label_id: int) -> str:
    return f"/api/projects/{slug}/labels/{label_id}/"


def add(client: ApiClient, slug: str, name: str, **extra: object) -> dict:
    r = client.post(labels_url(slug), {"name": name, **extra})
    assert r.status_code == 201, r.content
    return r.json()


def names_on(client: ApiClient, task_slug: str) -> list[str]:
    r = client.get(f"/api/tasks/{task_slug}/edit/")
    assert r.status_code == 200, r.content
    return [label["name"] for label in r.json()["labels"]]


def edit_task(client: ApiClient, task_slug: str, **fields: object):
    return client.patch(f"/api/tasks/{task_slug}/edit/", fields)


# --------------------------------------------------------------------------- a project's labels
def test_the_manager_adds_labels_and_members_list_them_by_name(w):
    made = add(w.api["manager"], w.project.slug, "  backend ", color="#2563EB")
    assert made == {"id": made["id"], "name": "backend", "color": "#2563eb"}
    add(w.api["manager"], w.project.slug, "API")
    add(w.api["manager"], w.project.slug, "chore")
    for role in ("manager", "member", "assignee"):
        r = w.api[role].get(labels_url(w.project.slug))
        assert r.status_code == 200, r.content
        assert [item["name"] for item in r.json()["items"]] == ["API", "backend", "chore"]
    assert r.json()["items"][0] == {"id": r.json()["items"][0]["id"], "name": "API", "color": GREY}


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("assignee", 403), ("outsider", 404)])
def test_only_the_manager_writes_labels_and_outsiders_see_nothing(w, role, status):
    label = labels.label_create(actor=w.manager, project_slug=w.project.slug, name="bug")
    client = w.api[role]
    assert_envelope(client.post(labels_url(w.project.slug), {"name": "x"}), status)
    assert_envelope(client.patch(label_url(w.project.slug, label.pk), {"name": "y"}), status)
    assert_envelope(client.delete(label_url(w.project.slug, label.pk)), status)
    if role == "outsider":
        assert_envelope(client.get(labels_url(w.project.slug)), 404, "not_found")
    assert list(Label.objects.values_list("name", flat=True)) == ["bug"]


def test_names_are_unique_in_a_project_whatever_their_case(w):
    first = add(w.api["manager"], w.project.slug, "Bug")
    assert_envelope(w.api["manager"].post(labels_url(w.project.slug), {"name": "bUG"}), 409, "label_exists")
    other = add(w.api["manager"], w.project.slug, "feature")
    r = w.api["manager"].patch(label_url(w.project.slug, other["id"]), {"name": "BUG"})
    assert_envelope(r, 409, "label_exists")
    # the same name in another project, and a change of case of its own name, are fine
    add(w.api["outsider"], w.other_project.slug, "bug")
    r = w.api["manager"].patch(label_url(w.project.slug, first["id"]), {"name": "BUG"})
    assert r.status_code == 200 and r.json()["name"] == "BUG"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "a\nb"}, "name"),
        ({"name": "nul\x00"}, "name"),
        ({"name": "ok", "color": "red"}, "color"),
        ({"name": "ok", "color": "#12345"}, "color"),
        ({"name": "ok", "color": "#gggggg"}, "color"),
        ({"name": "ok", "color": None}, "color"),
        ({"color": "#123456"}, "name"),
    ],
)
def test_bad_label_bodies_are_422_on_the_field(w, body, field):
    r = w.api["manager"].post(labels_url(w.project.slug), body)
    envelope = assert_envelope(r, 422, "validation_error")
    assert field in {e["field"] for e in envelope["errors"]}, envelope
    assert not Label.objects.exists()


def test_a_patch_may_not_null_a_field_and_a_50_character_name_is_fine(w):
    made = add(w.api["manager"], w.project.slug, "y" * 50)
    for body in ({"name": None}, {"color": None}):
        assert_envelope(w.api["manager"].patch(label_url(w.project.slug, made["id"]), body), 422)
    assert Label.objects.get().name == "y" * 50


def test_a_project_holds_at_most_100_labels(w):
    Label.objects.bulk_create([Label(project=w.project, name=f"l{i}") for i in range(100)])
    assert_envelope(w.api["manager"].post(labels_url(w.project.slug), {"name": "one more"}), 422)
    assert Label.objects.count() == 100
    add(w.api["outsider"], w.other_project.slug, "one more")  # the limit is per project


def test_a_label_of_another_project_or_no_label_is_404(w):
    theirs = labels.label_create(actor=w.outsider, project_slug=w.other_project.slug, name="theirs")
    for label_id in (theirs.pk, 999_999, 2**63):
        assert_envelope(w.api["manager"].patch(label_url(w.project.slug, label_id), {"name": "x"}), 404)
        assert_envelope(w.api["manager"].delete(label_url(w.project.slug, label_id)), 404)
    assert Label.objects.get().name == "theirs"


def test_a_deleted_project_has_no_labels_to_read(w):
    labels.label_create(actor=w.manager, project_slug=w.project.slug, name="bug")
    services.project_delete(actor=w.manager, slug=w.project.slug)
    assert_envelope(w.api["manager"].get(labels_url(w.project.slug)), 404)
    assert_envelope(w.api["manager"].post(labels_url(w.project.slug), {"name": "x"}), 404)


# --------------------------------------------------------------------------- labels on tasks
def test_a_task_is_created_with_labels_by_name_and_shows_them_by_name(w):
    add(w.api["manager"], w.project.slug, "zeta", color="#000000")
    add(w.api["manager"], w.project.slug, "Alpha")
    r = w.api["manager"].post(
        f"/api/projects/{w.project.slug}/tasks/add/", {"title": "Tagged", "labels": ["ZETA", "alpha", "zeta"]}
    )
    assert r.status_code == 201, r.content
    shown = r.json()["labels"]
    assert [(label["name"], label["color"]) for label in shown] == [("Alpha", GREY), ("zeta", "#000000")]
    assert names_on(w.api["member"], r.json()["slug"]) == ["Alpha", "zeta"]
    listed = w.api["member"].get(f"/api/projects/{w.project.slug}/task_list/").json()["items"]
    assert {t["slug"]: [label["name"] for label in t["labels"]] for t in listed} == {
        r.json()["slug"]: ["Alpha", "zeta"],
        w.task.slug: [],
    }


def test_setting_labels_replaces_the_set_and_is_in_the_history(w):
    for name in ("a", "b", "c"):
        add(w.api["manager"], w.project.slug, name)
    assert edit_task(w.api["manager"], w.task.slug, labels=["a", "b"]).status_code == 200
    r = edit_task(w.api["manager"], w.task.slug, labels=["C", "b"])
    assert r.status_code == 200, r.content
    assert [label["name"] for label in r.json()["labels"]] == ["b", "c"]
    entries = list(
        Activity.objects.filter(verb="task.updated").order_by("id").values_list("changes", flat=True)
    )
    assert entries == [
        {"labels": {"from": [], "to": ["a", "b"]}},
        {"labels": {"from": ["a", "b"], "to": ["b", "c"]}},
    ]
    assert edit_task(w.api["manager"], w.task.slug, labels=["b", "c"]).status_code == 200
    assert Activity.objects.filter(verb="task.updated").last().changes == {}  # the same set: no change
    assert edit_task(w.api["manager"], w.task.slug, labels=[]).json()["labels"] == []
    assert TaskLabel.objects.count() == 0


def test_an_unknown_label_is_422_on_labels_and_changes_nothing(w):
    add(w.api["manager"], w.project.slug, "known")
    labels.label_create(actor=w.outsider, project_slug=w.other_project.slug, name="elsewhere")
    for names in (["known", "nope"], ["elsewhere"]):
        r = edit_task(w.api["manager"], w.task.slug, labels=names, title="Renamed")
        envelope = assert_envelope(r, 422, "validation_error")
        assert [e["field"] for e in envelope["errors"]] == ["labels"]
    r = w.api["manager"].post(
        f"/api/projects/{w.project.slug}/tasks/add/", {"title": "T", "labels": ["nope"]}
    )
    assert_envelope(r, 422)
    assert names_on(w.api["manager"], w.task.slug) == []
    w.task.refresh_from_db()
    assert w.task.title == "Build the rocket"
    assert w.project.tasks.count() == 1


@pytest.mark.parametrize("names", [["x"] * 21, [None], "backend", [""], ["a" * 51]])
def test_bad_label_lists_are_422(w, names):
    assert_envelope(edit_task(w.api["manager"], w.task.slug, labels=names), 422)
    assert_envelope(edit_task(w.api["manager"], w.task.slug, labels=None), 422)


def test_a_task_holds_20_labels_and_only_the_manager_sets_them(w):
    Label.objects.bulk_create([Label(project=w.project, name=f"l{i:02}") for i in range(21)])
    names = [f"l{i:02}" for i in range(20)]
    assert edit_task(w.api["manager"], w.task.slug, labels=names).status_code == 200
    assert_envelope(edit_task(w.api["manager"], w.task.slug, labels=[*names, "l20"]), 422)
    # the assignee may change the status only; the labels are the manager's to set
    assert_envelope(edit_task(w.api["assignee"], w.task.slug, labels=["l00"]), 403, "permission_denied")
    assert_envelope(edit_task(w.api["member"], w.task.slug, labels=["l00"]), 403)
    assert len(names_on(w.api["assignee"], w.task.slug)) == 20


# --------------------------------------------------------------------------- the filter
def test_the_task_list_filters_by_any_of_several_labels(w):
    for name in ("bug", "Feature", "docs"):
        add(w.api["manager"], w.project.slug, name)
    make = w.api["manager"].post
    url = f"/api/projects/{w.project.slug}/task_list/"
    slugs = {}
    for title, names in (("one", ["bug"]), ("two", ["feature", "docs"]), ("three", ["docs"])):
        slugs[title] = make(
            f"/api/projects/{w.project.slug}/tasks/add/", {"title": title, "labels": names}
        ).json()["slug"]

    def found(query: str) -> set[str]:
        r = w.api["member"].get(url + query)
        assert r.status_code == 200, r.content
        return {t["title"] for t in r.json()["items"]}

    assert found("?label=bug") == {"one"}
    assert found("?label=BUG&label=feature") == {"one", "two"}
    assert found("?label=docs&label=docs") == {"two", "three"}
    assert found("?label=docs&status=todo&ordering=priority") == {"two", "three"}
    assert found("?label=nothing-like-it") == set()
    assert found("") == {"one", "two", "three", "Build the rocket"}
    # a label of another project of the same name does not match here
    labels.label_create(actor=w.outsider, project_slug=w.other_project.slug, name="elsewhere")
    assert found("?label=elsewhere") == set()
    assert_envelope(w.api["member"].get(url + "?label=" + "x" * 51), 422)


def test_repeated_or_reordered_label_filters_read_one_cache_entry(w):
    add(w.api["manager"], w.project.slug, "a")
    add(w.api["manager"], w.project.slug, "b")
    url = f"/api/projects/{w.project.slug}/task_list/"
    first = w.api["member"].get(url + "?label=a&label=b")
    keys = set(cache_keys())
    for query in ("?label=B&label=a&label=a", "?label=b&label=A", "?label=a&label=b&label=b"):
        assert w.api["member"].get(url + query).content == first.content
    assert set(cache_keys()) == keys


# --------------------------------------------------------------------------- renames and deletions
def test_a_rename_or_recolour_shows_at_once_in_every_cached_read(w):
    bug = add(w.api["manager"], w.project.slug, "bug")
    edit_task(w.api["manager"], w.task.slug, labels=["bug"])
    reader = w.api["assignee"]
    list_url = f"/api/projects/{w.project.slug}/task_list/"
    for _ in range(2):  # the second read is served from the cache
        assert names_on(reader, w.task.slug) == ["bug"]
        assert next(t["labels"] for t in reader.get(list_url).json()["items"])[0]["name"] == "bug"
    r = w.api["manager"].patch(label_url(w.project.slug, bug["id"]), {"name": "defect", "color": "#ff0000"})
    assert r.json() == {"id": bug["id"], "name": "defect", "color": "#ff0000"}
    task = reader.get(f"/api/tasks/{w.task.slug}/edit/").json()
    assert task["labels"] == [{"id": bug["id"], "name": "defect", "color": "#ff0000"}]
    assert reader.get(list_url).json()["items"][0]["labels"][0]["name"] == "defect"
    assert reader.get(list_url + "?label=defect").json()["count"] == 1
    assert reader.get(list_url + "?label=bug").json()["count"] == 0
    assert [i["name"] for i in reader.get(labels_url(w.project.slug)).json()["items"]] == ["defect"]


def test_a_deleted_label_leaves_every_task_and_every_cached_read(w):
    bug = add(w.api["manager"], w.project.slug, "bug")
    add(w.api["manager"], w.project.slug, "keep")
    edit_task(w.api["manager"], w.task.slug, labels=["bug", "keep"])
    reader = w.api["member"]
    assert names_on(reader, w.task.slug) == ["bug", "keep"]
    reader.get(labels_url(w.project.slug))
    r = w.api["manager"].delete(label_url(w.project.slug, bug["id"]))
    assert r.status_code == 204
    assert names_on(reader, w.task.slug) == ["keep"]
    assert [i["name"] for i in reader.get(labels_url(w.project.slug)).json()["items"]] == ["keep"]
    assert TaskLabel.objects.count() == 1
    # the name is free again
    add(w.api["manager"], w.project.slug, "BUG")


def test_label_writes_are_in_the_history(w):
    made = add(w.api["manager"], w.project.slug, "bug")
    w.api["manager"].patch(label_url(w.project.slug, made["id"]), {"color": "#00ff00"})
    w.api["manager"].patch(label_url(w.project.slug, made["id"]), {"name": "defect"})
    w.api["manager"].delete(label_url(w.project.slug, made["id"]))
    history = w.api["member"].get(f"/api/projects/{w.project.slug}/activity/?verb=label.updated").json()
    assert [entry["changes"] for entry in history["items"]] == [
        {"name": {"from": "bug", "to": "defect"}},
        {"color": {"from": GREY, "to": "#00ff00"}},
    ]
    everything = w.api["member"].get(f"/api/projects/{w.project.slug}/activity/").json()["items"]
    label_entries = [(e["verb"], e["target"]) for e in everything if e["verb"].startswith("label.")]
    target = {"type": "label", "id": made["id"]}
    assert label_entries == [
        ("label.deleted", {**target, "name": "defect"}),
        ("label.updated", {**target, "name": "defect"}),
        ("label.updated", {**target, "name": "bug"}),
        ("label.created", {**target, "name": "bug"}),
    ]
    assert everything[0]["actor"]["id"] == w.manager.pk


def test_a_task_moved_to_another_project_in_the_admin_loses_its_old_labels(w):
    labels.label_create(actor=w.manager, project_slug=w.project.slug, name="bug")
    services.task_update(actor=w.manager, slug=w.task.slug, changes={"labels": ["bug"]})
    w.task.refresh_from_db()
    w.task.project = w.other_project
    services.task_admin_save(task=w.task, actor=None)
    assert not TaskLabel.objects.exists()


def test_the_task_trash_shows_labels(w):
    labels.label_create(actor=w.manager, project_slug=w.project.slug, name="bug")
    services.task_update(actor=w.manager, slug=w.task.slug, changes={"labels": ["bug"]})
    services.task_delete(actor=w.manager, slug=w.task.slug)
    r = w.api["manager"].get(f"/api/projects/{w.project.slug}/tasks/trash/")
    assert [label["name"] for label in r.json()["items"][0]["labels"]] == ["bug"]
    restored = w.api["manager"].post(f"/api/tasks/{w.task.slug}/restore/").json()
    assert [label["name"] for label in restored["labels"]] == ["bug"]
