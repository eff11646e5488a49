// /projects/: my projects with filters and pages; create, edit, delete; members and invitations;
// each project's history; for managers, the trash of the projects they deleted, with a Restore
// button each.
import { api, messageFor } from "./api.js";
import { historyList, verbOptions } from "./history.js";
import {
  $,
  badge,
  bindDialogForm,
  bindFilters,
  busy,
  clearErrors,
  fieldError,
  filtersToForm,
  flash,
  formatDate,
  formValues,
  h,
  LABELS,
  openDialog,
  personName,
  pagedList,
  requireUser,
  requireField,
  setUrlQuery,
  showAlert,
  showError,
  trashRow,
  wireDialogs,
} from "./ui.js";

const PAGE_SIZE = 10;
const DEFAULT_ORDERING = "-created_at"; // the API's own default: left out of the address
const list = $("#project-list");
const filtersForm = $("#project-filters");
const listError = $("#list-error");
const state = {
  me: null,
  filters: {},
  editing: null, // the project in the edit dialog (null: creating)
  deleting: null, // the project in the delete dialog
  people: null, // the project in the members dialog
  history: null, // the project in the history dialog
};

function tasksUrl(project) {
  return `/tasks/?project=${encodeURIComponent(project.slug)}`;
}

// ------------------------------------------------------------------ the list
const load = pagedList({
  list,
  errorBox: listError,
  empty: $("#project-empty"),
  pager: $("#project-pager"),
  fetchPage: (page) =>
    api("GET", "/api/projects/", { query: { ...state.filters, page, page_size: PAGE_SIZE } }),
  render: card,
  emptyText: () =>
    Object.entries(state.filters).some(([name, value]) => name !== "ordering" && value)
      ? "No projects match these filters."
      : state.me.role === "manager"
        ? "No projects yet. Create the first one."
        : "You are not in any project yet. Ask a manager to invite you.",
  drawn: (page) =>
    setUrlQuery({
      ...state.filters,
      ordering: state.filters.ordering === DEFAULT_ORDERING ? "" : state.filters.ordering,
      page: page > 1 ? page : "",
    }),
});

function card(project) {
  const manager = project.my_role === "manager";
  const rowError = h("p", { class: "row-error", role: "alert" });
  const due = project.due_date
    ? h("span", { class: project.is_overdue ? "overdue-text" : "" }, formatDate(project.due_date))
    : h("span", { class: "muted" }, "not set");
  return h(
    "li",
    { class: `card item${project.is_overdue ? " is-overdue" : ""}`, dataset: { slug: project.slug } },
    h(
      "div",
      { class: "item-head" },
      h("h2", { class: "item-title" }, h("a", { href: tasksUrl(project) }, project.name)),
      h(
        "span",
        { class: "badges" },
        badge(project.status),
        project.is_overdue ? badge("overdue", "badge-alert") : null,
      ),
    ),
    project.description ? h("p", { class: "item-desc" }, project.description) : null,
    h(
      "dl",
      { class: "meta" },
      h("div", {}, h("dt", {}, "Due"), h("dd", {}, due)),
      h("div", {}, h("dt", {}, "Manager"), h("dd", {}, personName(project.manager))),
      h("div", {}, h("dt", {}, "Members"), h("dd", {}, String(project.member_count))),
      h("div", {}, h("dt", {}, "Your role"), h("dd", {}, LABELS[project.my_role])),
    ),
    h(
      "div",
      { class: "item-actions" },
      h("a", { class: "btn", href: tasksUrl(project), "aria-label": `Tasks of ${project.name}` }, "Tasks"),
      // the accessible name starts with the visible label (WCAG 2.5.3), then says which project
      h(
        "button",
        {
          type: "button",
          class: "btn",
          "aria-label": `${manager ? "Members & invites" : "Members"} of ${project.name}`,
          onclick: () => openPeople(project),
        },
        manager ? "Members & invites" : "Members",
      ),
      h(
        "button",
        {
          type: "button",
          class: "btn",
          "aria-label": `History of ${project.name}`,
          onclick: () => openHistory(project),
        },
        "History",
      ),
      manager
        ? h(
            "button",
            {
              type: "button",
              class: "btn",
              "aria-label": `Edit ${project.name}`,
              onclick: () => openEdit(project),
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
              "aria-label": `Delete ${project.name}`,
              onclick: () => openDelete(project),
            },
            "Delete",
          )
        : null,
    ),
    rowError,
  );
}

bindFilters(filtersForm, (values) => {
  state.filters = values;
  load(1);
});

// ------------------------------------------------------------------ the trash (managers)
const loadTrash = pagedList({
  list: $("#trash-list"),
  errorBox: $("#trash-error"),
  empty: $("#trash-empty"),
  pager: $("#trash-pager"),
  fetchPage: (page) => api("GET", "/api/projects/trash/", { query: { page, page_size: PAGE_SIZE } }),
  render: trashCard,
  emptyText: () => "The trash is empty.",
  drawn: () => {},
});

function trashCard(project) {
  const people = `${project.member_count} ${project.member_count === 1 ? "person" : "people"}`;
  return trashRow(
    project.name,
    [`Deleted ${formatDate(project.deleted_at)} · ${people}`],
    async () => {
      await api("POST", `/api/projects/${project.slug}/restore/`);
      flash(`Restored ${project.name} with its tasks.`);
      await Promise.all([load(), loadTrash()]);
    },
    { slug: project.slug },
  );
}

function reloadAll() {
  return state.me.role === "manager" ? Promise.all([load(), loadTrash()]) : load();
}

// ------------------------------------------------------------------ create / edit
const projectDialog = $("#project-dialog");
const projectForm = $("#project-form");

function openCreate() {
  state.editing = null;
  projectForm.reset();
  $("#project-dialog-title").textContent = "New project";
  openDialog(projectDialog);
}

function openEdit(project) {
  state.editing = project;
  const f = projectForm.elements;
  f.name.value = project.name;
  f.description.value = project.description;
  f.status.value = project.status;
  f.start_date.value = project.start_date || "";
  f.due_date.value = project.due_date || "";
  $("#project-dialog-title").textContent = `Edit ${project.name}`;
  openDialog(projectDialog);
}

bindDialogForm(projectForm, projectDialog, {
  required: ["name", "Enter a name."],
  send: async (values) => {
    const body = { ...values, start_date: values.start_date || null, due_date: values.due_date || null };
    if (state.editing) {
      const saved = await api("PATCH", `/api/projects/${state.editing.slug}/edit/`, { body });
      flash(`Saved ${saved.name}.`);
    } else {
      const saved = await api("POST", "/api/projects/create/", { body });
      flash(`Created ${saved.name}.`);
    }
  },
  done: () => (state.editing ? load() : load(1)),
});

// ------------------------------------------------------------------ delete (with confirmation)
const deleteDialog = $("#delete-dialog");
const deleteForm = $("#delete-form");

function openDelete(project) {
  state.deleting = project;
  $("#delete-dialog-title").textContent = `Delete ${project.name}?`;
  $("#delete-dialog-text").textContent =
    `The project and all its tasks disappear for everyone (${project.member_count} ` +
    `${project.member_count === 1 ? "person" : "people"}). You can restore it from the trash.`;
  openDialog(deleteDialog);
  deleteForm.querySelector("[data-close]").focus(); // the safe choice first
}

bindDialogForm(deleteForm, deleteDialog, {
  send: async () => {
    await api("DELETE", `/api/projects/${state.deleting.slug}/delete/`);
    flash(`Deleted ${state.deleting.name}.`);
  },
  done: reloadAll,
});

// ------------------------------------------------------------------ members and invitations
const peopleDialog = $("#people-dialog");
const inviteForm = $("#invite-form");

async function openPeople(project) {
  state.people = project;
  const manager = project.my_role === "manager";
  $("#people-dialog-title").textContent = `${manager ? "People in" : "Members of"} ${project.name}`;
  $("#invite-section").hidden = !manager;
  $("#invite-result").textContent = "";
  inviteForm.reset();
  $("#member-list").replaceChildren();
  $("#invite-list").replaceChildren();
  openDialog(peopleDialog);
  await Promise.all([loadMembers(), manager ? loadInvites() : null]);
}

async function loadMembers() {
  const project = state.people;
  const errorBox = $("#members-error");
  showAlert(errorBox, null);
  try {
    const data = await api("GET", `/api/projects/${project.slug}/members/`, { query: { page_size: 100 } });
    $("#member-list").replaceChildren(...data.items.map((m) => memberRow(project, m)));
  } catch (error) {
    showAlert(errorBox, error);
  }
}

function memberRow(project, member) {
  const me = member.id === state.me.id;
  const rowError = h("p", { class: "row-error", role: "alert" });
  const canRemove = member.role !== "manager" && (project.my_role === "manager" || me);
  const label = me ? "Leave project" : "Remove";
  const actions = h("div", { class: "row-actions" });
  const ask = () => {
    const question = me ? `Leave ${project.name}?` : `Remove ${personName(member)}?`;
    const yes = h("button", { type: "button", class: "btn btn-danger btn-small" }, me ? "Leave" : "Remove");
    const no = h("button", { type: "button", class: "btn btn-quiet btn-small" }, "Cancel");
    yes.onclick = () =>
      busy(yes, async () => {
        try {
          await api("DELETE", `/api/projects/${project.slug}/members/${member.id}/`);
          if (me) {
            peopleDialog.close();
            flash(`You left ${project.name}.`);
          } else {
            flash(`Removed ${personName(member)} from ${project.name}; their tasks are unassigned.`);
            await loadMembers();
          }
          await load();
        } catch (error) {
          showAlert(rowError, error);
        }
      });
    no.onclick = () => {
      actions.replaceChildren(removeButton);
      removeButton.focus();
    };
    actions.replaceChildren(h("span", { class: "confirm-text" }, question), yes, no);
    no.focus();
  };
  const removeButton = canRemove
    ? h(
        "button",
        {
          type: "button",
          class: "btn btn-danger-quiet btn-small",
          "aria-label": me ? `Leave ${project.name}` : `Remove ${member.email}`,
          onclick: ask,
        },
        label,
      )
    : null;
  if (removeButton) actions.append(removeButton);
  return h(
    "li",
    { class: "row" },
    h(
      "div",
      { class: "row-main" },
      h("strong", {}, personName(member)),
      " ",
      badge(member.role),
      h("div", { class: "muted small" }, member.email, ` · joined ${formatDate(member.joined_at)}`),
    ),
    actions,
    rowError,
  );
}

async function loadInvites() {
  const project = state.people;
  const errorBox = $("#invites-error");
  showAlert(errorBox, null);
  try {
    const data = await api("GET", `/api/projects/${project.slug}/invites/`, { query: { page_size: 100 } });
    const rows = data.items.map((invite) => inviteRow(project, invite));
    $("#invite-list").replaceChildren(
      ...(rows.length ? rows : [h("li", { class: "row muted" }, "No invitations sent yet.")]),
    );
  } catch (error) {
    showAlert(errorBox, error);
  }
}

function inviteRow(project, invite) {
  const rowError = h("p", { class: "row-error", role: "alert" });
  const when =
    invite.status === "pending"
      ? `expires ${formatDate(invite.expires_at)}`
      : `sent ${formatDate(invite.created_at)}`;
  const revoke =
    invite.status === "pending"
      ? h(
          "button",
          {
            type: "button",
            class: "btn btn-danger-quiet btn-small",
            "aria-label": `Revoke the invitation of ${invite.email}`,
          },
          "Revoke",
        )
      : null;
  if (revoke) {
    revoke.onclick = () =>
      busy(revoke, async () => {
        try {
          await api("DELETE", `/api/projects/${project.slug}/invites/${invite.id}/`);
          flash(`Revoked the invitation of ${invite.email}.`);
          await loadInvites();
        } catch (error) {
          showAlert(rowError, error);
          if (error.code === "invite_not_pending") await loadInvites();
        }
      });
  }
  return h(
    "li",
    { class: "row", dataset: { status: invite.status } },
    h(
      "div",
      { class: "row-main" },
      h("strong", {}, invite.email),
      " ",
      badge(invite.status),
      h("div", { class: "muted small" }, `Invited by ${personName(invite.invited_by)} · ${when}`),
    ),
    h("div", { class: "row-actions" }, revoke),
    rowError,
  );
}

inviteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(inviteForm);
  const result = $("#invite-result");
  result.textContent = "";
  const emails = inviteForm.elements.emails.value.split(/[\s,;]+/).filter(Boolean);
  if (!requireField(inviteForm, "emails", "Enter at least one email address.", emails.length > 0)) return;
  const project = state.people;
  await busy(inviteForm.querySelector("[type=submit]"), async () => {
    try {
      const answer = await api("POST", `/api/projects/${project.slug}/invite/`, { body: { emails } });
      const parts = [];
      if (answer.invited.length) parts.push(`Invited ${answer.invited.map((i) => i.email).join(", ")}.`);
      if (answer.skipped.length) {
        parts.push(`Already members: ${answer.skipped.map((s) => s.email).join(", ")}.`);
      }
      result.textContent = parts.join(" ");
      inviteForm.reset();
      await loadInvites();
    } catch (error) {
      showError(inviteForm, error);
      if (error.status === 422 && error.errors.some((e) => /^emails\.\d+$/.test(e.field))) {
        const bad = error.errors
          .filter((e) => /^emails\.\d+$/.test(e.field))
          .map((e) => emails[Number(e.field.split(".")[1])])
          .filter(Boolean);
        if (bad.length) {
          clearErrors(inviteForm);
          fieldError(inviteForm, "emails", `Not valid: ${bad.join(", ")}.`);
          $(".form-error", inviteForm).textContent = messageFor(error);
          inviteForm.elements.emails.focus();
        }
      }
    }
  });
});

// ------------------------------------------------------------------ history
const historyDialog = $("#history-dialog");
const historyFilters = $("#history-filters");
const verbSelect = $("#history-verb");
const projectHistory = historyList({
  list: $("#history-list"),
  more: $("#history-more"),
  status: $("#history-status"),
  errorBox: $("#history-error"),
  fetchPage: (page, pageSize) =>
    api("GET", `/api/projects/${encodeURIComponent(state.history.slug)}/activity/`, {
      query: { verb: verbSelect.value, page, page_size: pageSize },
    }),
  emptyText: () => (verbSelect.value ? "Nothing of this kind yet." : "Nothing recorded yet."),
});

function openHistory(project) {
  state.history = project;
  $("#history-dialog-title").textContent = `History of ${project.name}`;
  // invitations are listed to the manager only: the others get no filter for them
  verbSelect.replaceChildren(...verbOptions(project.my_role === "manager"));
  verbSelect.value = "";
  openDialog(historyDialog);
  projectHistory.reset();
}

verbSelect.addEventListener("change", () => projectHistory.reset());
historyFilters.addEventListener("submit", (event) => event.preventDefault());

// ------------------------------------------------------------------ start
wireDialogs();
$("#new-project").addEventListener("click", openCreate);
state.me = await requireUser();
$("#new-project").hidden = state.me.role !== "manager";
$("#trash-section").hidden = state.me.role !== "manager";
const params = new URLSearchParams(location.search);
filtersToForm(filtersForm, params);
state.filters = formValues(filtersForm);
await Promise.all([load(Number(params.get("page")) || 1), state.me.role === "manager" ? loadTrash(1) : null]);
