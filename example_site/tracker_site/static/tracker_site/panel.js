// The task panel of the tasks page: a side sheet (a modal <dialog>, the whole screen on a phone)
// showing one task — its title, status, priority, assignee, dates, labels and description (text,
// its line breaks kept) — with its comments (comments.js) and its history (history.js).
//
// A task's title in the list is a link to it (`?task=<slug>`, the address a notification mail
// carries); a click opens the panel and puts `task=<slug>` in the address (a new history entry,
// so Back closes it), closing takes it out again. Escape or Close closes it, and the focus goes
// back to what opened it.
import { api } from "./api.js";
import { commentsSection } from "./comments.js";
import { historyList } from "./history.js";
import { badge, formatDate, h, labelChips, personName, showAlert } from "./ui.js";

const taskInAddress = () => new URLSearchParams(location.search).get("task") || "";

// The address of the page with `slug` as its task (none for ""), everything else kept.
function addressWith(slug) {
  const url = new URL(location.href);
  if (slug) url.searchParams.set("task", slug);
  else url.searchParams.delete("task");
  return `${url.pathname}${url.search}`;
}

// `dialog` is the empty <dialog> to fill; `context()` answers {me, manager} (the signed-in user,
// whether they manage the project).
export function taskPanel({ dialog, context }) {
  let slug = ""; // the task shown, "" while closed
  let opener = null;
  let turn = 0;
  let pushed = false; // opening added a history entry (Back, or closing, leaves it)
  let popped = false; // closing because of Back: the address is right already

  // ---------------------------------------------------------------- the parts
  const title = h("h2", { id: "task-panel-title", tabindex: "-1" }, "Task");
  const close = h("button", { type: "button", class: "btn btn-quiet", onclick: () => dialog.close() }, "Close");
  const error = h("p", { class: "form-error", role: "alert" });
  const badges = h("p", { class: "badges panel-badges" });
  const meta = h("dl", { class: "meta panel-meta" });
  const labels = h("div", { class: "panel-labels" });
  const description = h("p", { class: "panel-description" });
  const heading = (id, text) => h("h3", { id, tabindex: "-1" }, text);
  const section = (id, text, ...children) =>
    h("section", { class: "sheet-section", "aria-labelledby": id }, heading(id, text), ...children);
  const historyError = h("p", { class: "form-error", role: "alert" });
  const historyItems = h("ol", { class: "rows history", "aria-labelledby": "task-panel-history" });
  const historyStatus = h("p", { class: "muted small", role: "status" });
  const historyMore = h("button", { type: "button", class: "btn", hidden: true }, "Load more history");
  const parts = {
    details: h("div", { class: "panel-details" }, badges, meta, labels),
    description: section("task-panel-description", "Description", description),
    comments: section("task-panel-comments", "Comments"),
    history: section(
      "task-panel-history",
      "History",
      historyError,
      historyItems,
      historyStatus,
      h("div", { class: "actions" }, historyMore),
    ),
  };
  dialog.replaceChildren(
    h("div", { class: "sheet-head" }, title, close),
    h("div", { class: "sheet-body" }, error, ...Object.values(parts)),
  );

  const comments = commentsSection({
    section: parts.comments,
    headingId: "task-panel-comments",
    context,
    changed: () => activity.reset(), // each change of a comment is in the history
  });
  const activity = historyList({
    list: historyItems,
    more: historyMore,
    status: historyStatus,
    errorBox: historyError,
    fetchPage: (page, pageSize) =>
      api("GET", `/api/tasks/${encodeURIComponent(slug)}/activity/`, { query: { page, page_size: pageSize } }),
  });

  // ---------------------------------------------------------------- showing a task
  function render(task) {
    title.textContent = task.title;
    badges.replaceChildren(
      ...[
        badge(task.status),
        badge(task.priority, "badge-priority"),
        task.is_overdue ? badge("overdue", "badge-alert") : null,
      ].filter(Boolean),
    );
    const { me } = context();
    const item = (term, ...value) => h("div", {}, h("dt", {}, term), h("dd", {}, ...value));
    const none = (text) => h("span", { class: "muted" }, text);
    meta.replaceChildren(
      item(
        "Assignee",
        task.assignee
          ? `${personName(task.assignee)}${task.assignee.id === me.id ? " (you)" : ""}`
          : none("Nobody"),
      ),
      item(
        "Due",
        task.due_date
          ? h("span", { class: task.is_overdue ? "overdue-text" : "" }, formatDate(task.due_date))
          : none("not set"),
      ),
      item("Created", formatDate(task.created_at), task.created_by ? ` by ${personName(task.created_by)}` : ""),
      item("Updated", formatDate(task.updated_at)),
      task.completed_at ? item("Completed", formatDate(task.completed_at)) : "",
    );
    labels.replaceChildren(...[labelChips(task.labels)].filter(Boolean));
    description.classList.toggle("muted", !task.description);
    description.textContent = task.description || "No description.";
  }

  function showing(loaded) {
    parts.details.hidden = !loaded;
    parts.description.hidden = !loaded;
  }

  async function load(next) {
    const mine = ++turn;
    showAlert(error, null);
    if (typeof next === "object") {
      render(next);
      showing(true);
      return;
    }
    title.textContent = "Loading\u2026";
    showing(false);
    try {
      const task = await api("GET", `/api/tasks/${encodeURIComponent(next)}/edit/`);
      if (mine !== turn) return;
      render(task);
      showing(true);
    } catch (failed) {
      if (mine !== turn) return;
      title.textContent = "Task not found";
      parts.comments.hidden = true;
      parts.history.hidden = true;
      showAlert(error, failed);
    }
  }

  // the task on show: "" as soon as the dialog closes, before its close event comes
  const shown = () => (dialog.open ? slug : "");

  // `task` is a Task (from the list) or a task's slug (from an address); `from` is the element
  // the focus goes back to; `section` ("history", "comments") the part to go to; `push` false
  // for an address that names the task already.
  function open(task, { from = document.activeElement, section = null, push = true } = {}) {
    const next = typeof task === "object" ? task.slug : task;
    if (!dialog.open) {
      // a close whose event has not come yet (Back then Forward at once) is over already
      pushed = false;
      popped = false;
    }
    if (next !== taskInAddress()) {
      if (push && !dialog.open) {
        window.history.pushState({ taskPanel: next }, "", addressWith(next));
        pushed = true;
      } else {
        window.history.replaceState(window.history.state, "", addressWith(next));
      }
    }
    slug = next;
    if (!dialog.open) opener = from;
    parts.comments.hidden = false;
    parts.history.hidden = false;
    load(task);
    comments.show({ slug: next });
    activity.reset();
    if (!dialog.open) dialog.showModal();
    const target = section ? document.getElementById(`task-panel-${section}`) : title;
    target.focus();
    if (section) target.scrollIntoView({ block: "start" });
  }

  // The close event comes a task after the dialog closed: by then it may be open again (Forward
  // right after Back), and that opening has set everything up already.
  dialog.addEventListener("close", () => {
    if (dialog.open) return;
    const was = slug;
    slug = "";
    turn += 1;
    comments.close();
    if (!popped) {
      const state = window.history.state;
      if (pushed && state && state.taskPanel === was) window.history.back();
      else window.history.replaceState(state, "", addressWith(""));
    }
    pushed = false;
    popped = false;
    const link = document.querySelector(`.task-link[data-task="${CSS.escape(was)}"]`);
    const back = opener && opener.isConnected && opener !== document.body ? opener : link;
    opener = null;
    if (back) back.focus();
  });

  // a press on the backdrop (outside the sheet) closes it
  dialog.addEventListener("click", (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside =
      event.clientX >= box.left && event.clientX <= box.right && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });

  // Back and Forward: the panel follows the address
  window.addEventListener("popstate", () => {
    const wanted = taskInAddress();
    if (wanted === shown()) return;
    if (!wanted) {
      if (dialog.open) {
        popped = true;
        dialog.close();
      }
      return;
    }
    const link = document.querySelector(`.task-link[data-task="${CSS.escape(wanted)}"]`);
    open(wanted, { from: link || document.activeElement, push: false });
  });

  return {
    open,
    // the task open, "" when none
    slug: shown,
    setMembers: (members) => comments.setMembers(members),
    // A task's title as a link to it (a shared address opens it too); a plain click opens the
    // panel in place.
    link(task) {
      const params = new URLSearchParams();
      const project = new URLSearchParams(location.search).get("project");
      if (project && location.pathname === "/tasks/") params.set("project", project);
      params.set("task", task.slug);
      return h(
        "a",
        {
          href: `${location.pathname}?${params}`,
          class: "task-link",
          dataset: { task: task.slug },
          onclick: (event) => {
            if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
            event.preventDefault();
            open(task, { from: event.currentTarget });
          },
        },
        task.title,
      );
    },
  };
}
