// /tasks/?project=<slug> (and /projects/<slug>/tasks/): the tasks of one project, with filters
// and pages. The manager creates, edits, assigns and deletes, and restores from the project's
// trash; an assignee changes the status of their own tasks. A task's title opens the task panel
// (panel.js: the task, its comments with @mentions, its history). `&task=<slug>` (the link in a
// notification mail) opens that task: its card is highlighted, in the list or, when it is on
// another page, above it, and the panel opens on it (closing it leaves the focus on the card).
// The list shows as cards, as a compact table, or as a board with a column for each status
// where a card is dragged (or moved by keyboard) to change its status (board.js); the choice
// is kept in localStorage. The table needs room: a narrow screen (600px or less) offers cards
// and the board only (its columns stack there), and shows cards when the table was chosen.
// The list is sorted by the `ordering` the API takes. Labels show as chips in their colour
// and filter the list (any of those checked, `label=` repeated); the manager labels tasks and
// picks the assignee among the members (picker.js) in the dialog.
import { api } from "./api.js";
import { taskBoard } from "./board.js";
import { taskPanel } from "./panel.js";
import { memberPicker } from "./picker.js";
import {
  $,
  badge,
  bindDialogForm,
  bindFilters,
  busy,
  fieldError,
  filtersToForm,
  flash,
  formatDate,
  formValues,
  h,
  LABELS,
  labelChip,
  labelChips,
  openDialog,
  personName,
  pagedList,
  requireUser,
  setUrlQuery,
  showAlert,
  showPlaceholders,
  showsPlaceholders,
  trashRow,
  wireDialogs,
} from "./ui.js";

const PAGE_SIZE = 10;
const TABLE_PAGE_SIZE = 50;
const VIEW_KEY = "tracker.tasks.view";
const NARROW = matchMedia("(max-width: 600px)"); // no table there: its button is hidden
const STATUSES = ["todo", "in_progress", "done"];
const root = $("#tasks-root");
const slug = root.dataset.project;
const list = $("#task-list");
const table = $("#task-table");
const tableWrap = $("#task-table-wrap");
const rows = $("#task-rows");
const boardRoot = $("#task-board");
const viewToggle = $("#view-toggle");
const filtersForm = $("#task-filters");
const listError = $("#list-error");
const linkedSection = $("#linked-section");
let linkedTitles = 0;
const state = {
  me: null,
  project: null,
  filters: {},
  editing: null,
  deleting: null,
  labels: [],
  linked: new URLSearchParams(location.search).get("task") || "",
};

// Keep ?project= (and the task open in the panel) in the address along with the filters.
function writeUrl(page) {
  const onTasksPath = location.pathname === "/tasks/";
  setUrlQuery({
    ...(onTasksPath ? { project: slug } : {}),
    task: panel.slug(),
    ...state.filters,
    page: page > 1 ? page : "",
  });
}

// ------------------------------------------------------------------ the project
async function loadProject() {
  const project = await api("GET", `/api/projects/${encodeURIComponent(slug)}/edit/`);
  state.project = project;
  document.title = `${project.name} · Tasks · Tracker`;
  $("#project-title").textContent = project.name;
  const meta = $("#project-meta");
  meta.replaceChildren(
    badge(project.status),
    project.is_overdue ? badge("overdue", "badge-alert") : "",
    project.due_date ? ` Due ${formatDate(project.due_date)}` : " No due date",
    ` · ${LABELS[project.my_role]}`,
  );
}

async function loadMembers() {
  const data = await api("GET", `/api/projects/${encodeURIComponent(slug)}/members/`, {
    query: { page_size: 100 },
  });
  picker.setMembers(data.items);
  panel.setMembers(data.items);
  const select = $("#filter-assignee");
  const keep = select.value;
  select.replaceChildren(
    h("option", { value: "" }, "Anyone"),
    h("option", { value: "me" }, "Me"),
    ...data.items
      .filter((m) => m.id !== state.me.id)
      .map((m) => h("option", { value: m.email }, `${personName(m)} (${m.email})`)),
  );
  select.value = keep;
}

// The project's labels: checkbox chips in the filters and (for the manager) in the dialog.
async function loadLabels() {
  const data = await api("GET", `/api/projects/${encodeURIComponent(slug)}/labels/`);
  state.labels = data.items;
  const checks = () =>
    state.labels.map((label) =>
      h("label", { class: "chip-check" }, h("input", { type: "checkbox", value: label.name }), labelChip(label)),
    );
  $("#filter-label-options").replaceChildren(...checks());
  $("#task-label-options").replaceChildren(...checks());
  $("#filter-labels").hidden = !state.labels.length;
  $("#task-labels").hidden = !state.labels.length;
}

const checkedLabels = (box) => [...box.querySelectorAll("input:checked")].map((input) => input.value);

function checkLabels(box, names) {
  const wanted = new Set(names);
  for (const input of box.querySelectorAll("input[type=checkbox]")) input.checked = wanted.has(input.value);
}

// ------------------------------------------------------------------ the list
// The chosen view ("cards", "table" or "board"), kept in localStorage when the browser allows it.
let chosenView = "cards";
try {
  const stored = localStorage.getItem(VIEW_KEY);
  chosenView = stored === "table" || stored === "board" ? stored : "cards";
} catch {
  // storage blocked: the default
}

// The view shown: the chosen one, except cards for the table on a narrow screen.
function currentView() {
  return NARROW.matches && chosenView === "table" ? "cards" : chosenView;
}

function hasFilters() {
  return Object.entries(state.filters).some(
    ([name, value]) => name !== "ordering" && (Array.isArray(value) ? value.length : value),
  );
}

// One paged list per view (each its own page size and container); `view` is the one shown.
let view = currentView();

function viewList(name, { container, render, pageSize, placeholders }) {
  return pagedList({
    list: container,
    errorBox: listError,
    empty: $("#task-empty"),
    pager: $("#task-pager"),
    fetchPage: async (page) => {
      if (!container.children.length || container.dataset.query !== queryKey(page)) {
        $("#task-empty").hidden = true;
        placeholders();
      }
      try {
        const data = await api("GET", `/api/projects/${encodeURIComponent(slug)}/task_list/`, {
          query: { ...state.filters, page, page_size: pageSize },
        });
        container.dataset.query = queryKey(data.page);
        // switched to the other view meanwhile: that one draws, this one stays as it is
        return view === name ? data : new Promise(() => {});
      } catch (error) {
        if (showsPlaceholders(container)) container.replaceChildren();
        throw error;
      }
    },
    render,
    emptyText: () => (hasFilters() ? "No tasks match these filters." : "No tasks in this project yet."),
    drawn: (page) => {
      writeUrl(page);
      if (!linkedSection.hidden) refreshLinked();
    },
  });
}

// What a drawn list shows: a reload of the same page keeps its items until the answer comes;
// another page, filter or order shows placeholders meanwhile.
function queryKey(page) {
  return JSON.stringify([state.filters, page]);
}

const views = {
  cards: viewList("cards", {
    container: list,
    render: card,
    pageSize: PAGE_SIZE,
    placeholders: () => showPlaceholders(list, { count: 3 }),
  }),
  table: viewList("table", {
    container: rows,
    render: tableRow,
    pageSize: TABLE_PAGE_SIZE,
    placeholders: () => showPlaceholders(rows, { count: 8, columns: 7, busyOn: table }),
  }),
  board: taskBoard({
    root: boardRoot,
    slug,
    errorBox: listError,
    context: () => ({ filters: state.filters, me: state.me, project: state.project, linked: state.linked }),
    titleOf: (task) => panel.link(task),
    drawn: () => {
      if (view !== "board") return; // switched to another view meanwhile: that one writes
      writeUrl(1);
      if (!linkedSection.hidden) refreshLinked();
    },
  }).load,
};

async function load(page) {
  if (view === "table") table.setAttribute("aria-busy", "true");
  await views[view](page);
  if (view === "table") table.setAttribute("aria-busy", rows.getAttribute("aria-busy"));
}

function showView() {
  list.hidden = view !== "cards";
  tableWrap.hidden = view !== "table";
  boardRoot.hidden = view !== "board";
  document.body.dataset.tasksView = view; // the table and the board take a wider page (site.css)
  if (view === "board") $("#task-pager").hidden = $("#task-empty").hidden = true;
  for (const button of viewToggle.querySelectorAll("[data-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === view));
  }
}

function switchView(next) {
  if (next === view) return;
  view = next;
  showView();
  load(1);
}

viewToggle.addEventListener("click", (event) => {
  const button = event.target.closest("[data-view]");
  if (!button) return;
  chosenView = button.dataset.view;
  try {
    localStorage.setItem(VIEW_KEY, chosenView);
  } catch {
    // storage blocked: the choice lasts until the page is left
  }
  switchView(currentView());
});
NARROW.addEventListener("change", () => switchView(currentView()));

// ------------------------------------------------------------------ the task a link names
function linkedCard() {
  const shown = { cards: list, table: rows, board: boardRoot }[view];
  return state.linked ? shown.querySelector(`[data-slug="${CSS.escape(state.linked)}"]`) : null;
}

async function fetchLinked() {
  return api("GET", `/api/tasks/${encodeURIComponent(state.linked)}/edit/`);
}

// Show the linked task above the list when its card is not on the page shown.
async function pinLinked() {
  linkedSection.hidden = false;
  try {
    const task = await fetchLinked();
    $("#linked-list").replaceChildren(card(task));
    return $("#linked-list").firstElementChild;
  } catch (error) {
    showAlert($("#linked-error"), error);
    return $("#linked-error");
  }
}

async function refreshLinked() {
  try {
    $("#linked-list").replaceChildren(card(await fetchLinked()));
  } catch (error) {
    showAlert($("#linked-error"), error);
  }
}

async function openLinked() {
  if (!state.linked) return;
  const target = linkedCard() || (await pinLinked());
  target.scrollIntoView({ block: "center" });
  target.focus();
  if (target !== $("#linked-error")) panel.open(state.linked, { from: target, push: false });
}

function card(task) {
  const manager = state.project.my_role === "manager";
  const mine = task.assignee && task.assignee.id === state.me.id;
  const rowError = h("p", { class: "row-error", role: "alert" });
  const due = task.due_date
    ? h("span", { class: task.is_overdue ? "overdue-text" : "" }, formatDate(task.due_date))
    : h("span", { class: "muted" }, "not set");
  const assignee = task.assignee
    ? `${personName(task.assignee)}${mine ? " (you)" : ""}`
    : h("span", { class: "muted" }, "Nobody");
  const linked = task.slug === state.linked;
  const titleId = linked ? `linked-title-${++linkedTitles}` : null; // unique: it may be drawn twice
  return h(
    "li",
    {
      class:
        `card item${task.is_overdue ? " is-overdue" : ""}${task.status === "done" ? " is-done" : ""}` +
        (linked ? " is-linked" : ""),
      dataset: { slug: task.slug, status: task.status },
      tabindex: linked ? "-1" : null,
      "aria-labelledby": titleId,
      "aria-current": linked ? "true" : null,
    },
    h(
      "div",
      { class: "item-head" },
      h("h2", { class: "item-title", id: titleId }, panel.link(task)),
      h(
        "span",
        { class: "badges" },
        badge(task.status),
        badge(task.priority, "badge-priority"),
        task.is_overdue ? badge("overdue", "badge-alert") : null,
      ),
    ),
    task.description ? h("p", { class: "item-desc" }, task.description) : null,
    h(
      "dl",
      { class: "meta" },
      h("div", {}, h("dt", {}, "Due"), h("dd", {}, due)),
      h("div", {}, h("dt", {}, "Assignee"), h("dd", {}, assignee)),
      task.completed_at
        ? h("div", {}, h("dt", {}, "Completed"), h("dd", {}, formatDate(task.completed_at)))
        : null,
    ),
    labelChips(task.labels),
    h(
      "div",
      { class: "item-actions" },
      manager || mine ? statusControls(task, rowError) : null,
      h(
        "span",
        { class: "manage" },
        h(
          "button",
          {
            type: "button",
            class: "btn",
            "aria-label": `History of ${task.title}`,
            onclick: () => panel.open(task, { section: "history" }),
          },
          "History",
        ),
        manager
          ? h(
              "button",
              {
                type: "button",
                class: "btn",
                "aria-label": `Edit ${task.title}`,
                onclick: () => openEdit(task),
              },
              "Edit",
            )
          : null,
        manager
          ? h(
              "button",
              {
                type: "button",
                class: "btn btn-danger-quiet",
                "aria-label": `Delete ${task.title}`,
                onclick: () => openDelete(task),
              },
              "Delete",
            )
          : null,
      ),
    ),
    rowError,
  );
}

// A row of the table view: what a card shows, compactly; the status is a select for the
// manager and the assignee, and the card's buttons are small ones.
function tableRow(task) {
  const manager = state.project.my_role === "manager";
  const mine = task.assignee && task.assignee.id === state.me.id;
  const linked = task.slug === state.linked;
  const small = (label, text, onclick, extra = "") =>
    h("button", { type: "button", class: `btn btn-tiny ${extra}`.trim(), "aria-label": label, onclick }, text);
  const assignee = task.assignee
    ? `${personName(task.assignee)}${mine ? " (you)" : ""}`
    : h("span", { class: "muted" }, "Nobody");
  return h(
    "tr",
    {
      class:
        `${task.is_overdue ? "is-overdue" : ""}${task.status === "done" ? " is-done" : ""}` +
        (linked ? " is-linked" : ""),
      dataset: { slug: task.slug, status: task.status },
      tabindex: linked ? "-1" : null,
      "aria-current": linked ? "true" : null,
    },
    h("th", { scope: "row", class: "cell-title", title: task.title }, panel.link(task)),
    h("td", {}, manager || mine ? statusSelect(task) : badge(task.status)),
    h("td", {}, badge(task.priority)),
    h("td", { class: "cell-person" }, assignee),
    h(
      "td",
      { class: "cell-due" },
      task.due_date
        ? h("span", { class: task.is_overdue ? "overdue-text" : "" }, formatDate(task.due_date))
        : h("span", { class: "muted" }, "not set"),
      task.is_overdue ? [" ", badge("overdue", "badge-alert")] : null,
    ),
    h(
      "td",
      { class: "cell-labels" },
      labelChips(task.labels),
    ),
    h(
      "td",
      { class: "cell-actions" },
      small(`History of ${task.title}`, "History", () => panel.open(task, { section: "history" })),
      manager ? small(`Edit ${task.title}`, "Edit", () => openEdit(task)) : null,
      manager ? small(`Delete ${task.title}`, "Delete", () => openDelete(task), "btn-danger-quiet") : null,
    ),
  );
}

// The task whose status select takes the focus when its row is next drawn: the redrawn row's
// select after a change, as it was before it, whichever load draws the table (a load that
// started earlier and is drawn later, or one that replaces ours, still hands the focus on).
let focusStatusOf = null;

function statusSelect(task) {
  const select = h(
    "select",
    { class: "select-tiny", "aria-label": `Status of ${task.title}`, dataset: { statusOf: task.slug } },
    ...STATUSES.map((status) => h("option", { value: status, selected: status === task.status }, LABELS[status])),
  );
  if (focusStatusOf === task.slug) {
    focusStatusOf = null;
    queueMicrotask(() => select.focus()); // once the rows are in the table, which follows at once
  }
  select.addEventListener("change", async () => {
    const status = select.value;
    select.disabled = true;
    showAlert(listError, null);
    try {
      await api("PATCH", `/api/tasks/${task.slug}/edit/`, { body: { status } });
      flash(`${task.title}: ${LABELS[status]}.`);
      focusStatusOf = task.slug;
      await load();
    } catch (error) {
      select.value = task.status;
      select.disabled = false;
      showAlert(listError, error);
    }
  });
  return select;
}

// ------------------------------------------------------------------ the trash (the manager)
const loadTrash = pagedList({
  list: $("#trash-list"),
  errorBox: $("#trash-error"),
  empty: $("#trash-empty"),
  pager: $("#trash-pager"),
  fetchPage: (page) =>
    api("GET", `/api/projects/${encodeURIComponent(slug)}/tasks/trash/`, {
      query: { page, page_size: PAGE_SIZE },
    }),
  render: trashCard,
  emptyText: () => "The trash is empty.",
  drawn: () => {},
});

function trashCard(task) {
  const assigned = task.assignee ? ` · assigned to ${personName(task.assignee)}` : "";
  return trashRow(
    task.title,
    [`Deleted ${formatDate(task.deleted_at)}${assigned}`],
    async () => {
      await api("POST", `/api/tasks/${task.slug}/restore/`);
      flash(`Restored ${task.title}.`);
      await Promise.all([load(), loadTrash()]);
    },
    { slug: task.slug },
  );
}

function statusControls(task, rowError) {
  const group = h("span", { class: "segmented", role: "group", "aria-label": `Status of ${task.title}` });
  for (const status of STATUSES) {
    const current = status === task.status;
    const button = h(
      "button",
      { type: "button", class: "btn btn-small", "aria-pressed": current ? "true" : "false" },
      LABELS[status],
    );
    button.onclick = () => {
      if (current) return;
      busy(button, async () => {
        showAlert(rowError, null);
        try {
          await api("PATCH", `/api/tasks/${task.slug}/edit/`, { body: { status } });
          flash(`${task.title}: ${LABELS[status]}.`);
          await load();
        } catch (error) {
          showAlert(rowError, error);
        }
      });
    };
    group.append(button);
  }
  return group;
}

const filterLabels = $("#filter-label-options");
filterLabels.addEventListener("change", () => filtersForm.requestSubmit());

bindFilters(filtersForm, (values) => {
  state.filters = { ...values, label: checkedLabels(filterLabels) };
  state.linked = ""; // new filters: the list, no longer the linked task
  linkedSection.hidden = true;
  load(1);
});

// ------------------------------------------------------------------ create / edit / assign
const taskDialog = $("#task-dialog");
const taskForm = $("#task-form");
const taskLabels = $("#task-label-options");
const picker = memberPicker({
  input: $("#task-assignee"),
  listbox: $("#task-assignee-list"),
  hint: $("#task-assignee-hint"),
  noneHint: "Nobody. Type a name or an email to choose a member.",
});

function openCreate() {
  state.editing = null;
  taskForm.reset();
  picker.set(null);
  checkLabels(taskLabels, []);
  $("#task-dialog-title").textContent = "New task";
  openDialog(taskDialog);
}

function openEdit(task) {
  state.editing = task;
  const f = taskForm.elements;
  f.title.value = task.title;
  f.description.value = task.description;
  f.status.value = task.status;
  f.priority.value = task.priority;
  f.due_date.value = task.due_date || "";
  picker.set(task.assignee);
  checkLabels(taskLabels, (task.labels || []).map((label) => label.name));
  $("#task-dialog-title").textContent = `Edit ${task.title}`;
  openDialog(taskDialog);
}

bindDialogForm(taskForm, taskDialog, {
  required: ["title", "Enter a title."],
  // only a member can be chosen: text that names nobody in the project is not sent
  check: () => {
    if (picker.resolve() !== undefined) return true;
    picker.close();
    const message = "No member of this project matches. Choose one from the list, or Nobody.";
    fieldError(taskForm, "assignee_email", message);
    $(".form-error", taskForm).textContent = "Please correct the marked fields.";
    taskForm.elements.assignee_email.focus();
    return false;
  },
  send: async (values) => {
    const assignee = picker.resolve();
    const body = {
      ...values,
      due_date: values.due_date || null,
      assignee_email: assignee ? assignee.email : null,
    };
    if (!$("#task-labels").hidden) body.labels = checkedLabels(taskLabels);
    if (state.editing) {
      const saved = await api("PATCH", `/api/tasks/${state.editing.slug}/edit/`, { body });
      flash(`Saved ${saved.title}.`);
    } else {
      const saved = await api("POST", `/api/projects/${encodeURIComponent(slug)}/tasks/add/`, { body });
      flash(`Created ${saved.title}.`);
    }
  },
  done: () => (state.editing ? load() : load(1)),
});

// ------------------------------------------------------------------ delete (with confirmation)
const deleteDialog = $("#delete-dialog");
const deleteForm = $("#delete-form");

function openDelete(task) {
  state.deleting = task;
  $("#delete-dialog-title").textContent = `Delete ${task.title}?`;
  $("#delete-dialog-text").textContent =
    "The task disappears for everyone in the project. You can restore it from the trash.";
  openDialog(deleteDialog);
  deleteForm.querySelector("[data-close]").focus();
}

bindDialogForm(deleteForm, deleteDialog, {
  send: async () => {
    await api("DELETE", `/api/tasks/${state.deleting.slug}/delete/`);
    flash(`Deleted ${state.deleting.title}.`);
  },
  done: () => Promise.all([load(), loadTrash()]),
});

// ------------------------------------------------------------------ the task panel
const panel = taskPanel({
  dialog: $("#task-panel"),
  context: () => ({ me: state.me, manager: state.project.my_role === "manager" }),
});

// ------------------------------------------------------------------ start
wireDialogs();
$("#new-task").addEventListener("click", openCreate);
if (slug) {
  showView(); // placeholders in the view to come, while the project and the list load
  if (view === "table") showPlaceholders(rows, { count: 8, columns: 7, busyOn: table });
  else if (view === "cards") showPlaceholders(list, { count: 3 });
}
state.me = await requireUser();
if (!slug) {
  root.replaceChildren(
    h("h1", {}, "Tasks"),
    h(
      "p",
      { class: "notice" },
      "Pick a project first: ",
      h("a", { href: "/projects/" }, "your projects"),
      ".",
    ),
  );
} else {
  try {
    await loadProject();
    await Promise.all([loadMembers(), loadLabels()]);
    const manager = state.project.my_role === "manager";
    $("#new-task").hidden = !manager;
    $("#trash-section").hidden = !manager;
    const params = new URLSearchParams(location.search);
    filtersToForm(filtersForm, params);
    checkLabels(filterLabels, params.getAll("label"));
    state.filters = { ...formValues(filtersForm), label: checkedLabels(filterLabels) };
    showView();
    await Promise.all([load(Number(params.get("page")) || 1), manager ? loadTrash(1) : null]);
    await openLinked();
  } catch (error) {
    showAlert($("#project-error"), error);
    filtersForm.hidden = true;
    list.hidden = true;
    tableWrap.hidden = true;
    boardRoot.hidden = true;
    viewToggle.hidden = true;
  }
}
