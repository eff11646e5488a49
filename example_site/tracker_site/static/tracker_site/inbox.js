// /inbox/: the signed-in person's notifications, newest first, all or only the unread ones, in
// pages; each links to its task (or project) and can be marked read, or all of them at once.
// The header's bell (bell.js) hears every new unread count through its event.
import { api } from "./api.js";
import {
  $,
  busy,
  flash,
  formatDateTime,
  h,
  pagedList,
  personName,
  requireUser,
  setUrlQuery,
  showAlert,
} from "./ui.js";

const UNREAD_EVENT = "tracker:unread"; // bell.js's event (not imported: see there why)
const PAGE_SIZE = 20;
const KINDS = {
  task_assigned: "Assigned to you",
  task_due_today: "Due today",
  task_overdue: "Overdue",
  project_overdue: "Project overdue",
  mentioned: "Mention",
  task_commented: "Comment",
};

const list = $("#inbox-list");
const title = $("#inbox-title");
const markAll = $("#mark-all-read");
const filterButtons = [...document.querySelectorAll("[data-filter]")];
const params = new URLSearchParams(location.search);
const state = { unread: params.get("unread") === "true", count: null };

function tasksUrl(project, task = null) {
  const query = new URLSearchParams({ project: project.slug });
  if (task) query.set("task", task.slug);
  return `/tasks/?${query}`;
}

function announce(unread) {
  document.dispatchEvent(new CustomEvent(UNREAD_EVENT, { detail: { unread } }));
}

document.addEventListener(UNREAD_EVENT, (event) => {
  const unread = Number(event.detail.unread) || 0;
  state.count = unread;
  $("#inbox-summary").textContent = unread ? `${unread} unread` : "Nothing unread.";
  markAll.disabled = unread === 0;
});

// ------------------------------------------------------------------ the list
const load = pagedList({
  list,
  errorBox: $("#list-error"),
  empty: $("#inbox-empty"),
  pager: $("#inbox-pager"),
  fetchPage: (page) =>
    api("GET", "/api/notifications/", {
      query: { unread: state.unread ? "true" : "", page, page_size: PAGE_SIZE },
    }),
  render: entry,
  emptyText: () =>
    state.unread
      ? "No unread notifications."
      : "No notifications yet. They arrive when someone assigns you a task, mentions you or comments on your tasks, and when tasks are due or overdue.",
  drawn: (page) => setUrlQuery({ unread: state.unread ? "true" : "", page: page > 1 ? page : "" }),
});

function entry(item) {
  const rowError = h("p", { class: "row-error", role: "alert" });
  const when = h("time", { datetime: item.at }, formatDateTime(item.at));
  const actions = h("div", { class: "item-actions" });
  if (!item.read) {
    actions.append(
      h(
        "button",
        {
          type: "button",
          class: "btn btn-small",
          // the accessible name starts with the visible label (WCAG 2.5.3), then says which entry
          "aria-label": `Mark read: ${item.text}`,
          onclick: (event) => markRead(item, event.currentTarget, rowError),
        },
        "Mark read",
      ),
    );
  }
  return h(
    "li",
    {
      class: `card item inbox-entry ${item.read ? "is-read" : "is-unread"}`,
      dataset: { id: item.id },
      tabindex: "-1",
    },
    h(
      "div",
      { class: "item-head" },
      h("h2", { class: "item-title inbox-text" }, item.text),
      h(
        "span",
        { class: "badges" },
        item.read
          ? h("span", { class: "badge badge-read" }, "Read")
          : h("span", { class: "badge badge-unread" }, "Unread"),
        kindBadge(item.kind),
      ),
    ),
    h(
      "dl",
      { class: "meta" },
      h("div", {}, h("dt", {}, "Project"), h("dd", {}, link(tasksUrl(item.project), item.project.name))),
      item.task
        ? h("div", {}, h("dt", {}, "Task"), h("dd", {}, link(tasksUrl(item.project, item.task), item.task.title)))
        : null,
      h("div", {}, h("dt", {}, "From"), h("dd", {}, item.actor ? personName(item.actor) : "Tracker")),
      h("div", {}, h("dt", {}, "When"), h("dd", {}, when)),
    ),
    actions,
    rowError,
  );
}

const link = (href, text) => h("a", { href }, text);

function kindBadge(kind) {
  return h("span", { class: "badge badge-kind" }, KINDS[kind] || kind);
}

// After a change the list is drawn again: focus goes back to the entry (or, when it left the
// list, to the one now in its place, or to the heading), never lost on the page's body.
async function redraw(id = null) {
  const entries = [...list.children];
  const index = entries.findIndex((li) => li.dataset.id === String(id));
  await load();
  const now = [...list.children];
  const target =
    now.find((li) => li.dataset.id === String(id)) || (index >= 0 ? now[Math.min(index, now.length - 1)] : null);
  (target || title).focus();
}

async function markRead(item, button, rowError) {
  await busy(button, async () => {
    showAlert(rowError, null);
    try {
      const { unread } = await api("POST", "/api/notifications/read/", { body: { ids: [item.id] } });
      announce(unread);
      flash("Marked as read.");
      await redraw(item.id);
    } catch (error) {
      showAlert(rowError, error);
    }
  });
}

markAll.addEventListener("click", async () => {
  await busy(markAll, async () => {
    showAlert($("#list-error"), null);
    try {
      const { unread } = await api("POST", "/api/notifications/read/", { body: { all: true } });
      announce(unread);
      flash("All notifications marked as read.");
      await redraw();
    } catch (error) {
      showAlert($("#list-error"), error);
    }
  });
  markAll.disabled = state.count === 0; // busy() enables it again
});

function showFilter() {
  for (const button of filterButtons) {
    button.setAttribute("aria-pressed", String((button.dataset.filter === "unread") === state.unread));
  }
}

for (const button of filterButtons) {
  button.addEventListener("click", () => {
    const unread = button.dataset.filter === "unread";
    if (unread === state.unread) return;
    state.unread = unread;
    showFilter();
    load(1);
  });
}

// ------------------------------------------------------------------ start
showFilter();
await requireUser();
load(Math.max(1, Number(params.get("page")) || 1));
