// A history (GET /api/projects/<slug>/activity/ or /api/tasks/<slug>/activity/): each entry a
// sentence (who did what to which, and when), newest first, a page at a time with "Load more".
// Everything from the API goes in as text (h() never parses HTML).
import { formatDate, h, LABELS, personName, showAlert, timeElement } from "./ui.js";

const PAGE_SIZE = 20;
const NONE = "\u2014"; // an empty value: no assignee, no due date
const LONG = 60; // longer texts (a description) are cut to this many characters

// The verbs, grouped for the filter; `manager`: listed to the project's manager only.
export const VERB_GROUPS = [
  {
    label: "Projects",
    verbs: [
      ["project.created", "Project created"],
      ["project.updated", "Project changed"],
      ["project.restored", "Project restored"],
      ["project.overdue", "Project overdue"],
    ],
  },
  {
    label: "Tasks",
    verbs: [
      ["task.created", "Task created"],
      ["task.updated", "Task changed"],
      ["task.deleted", "Task deleted"],
      ["task.restored", "Task restored"],
      ["task.overdue", "Task overdue"],
    ],
  },
  {
    label: "Comments",
    verbs: [
      ["comment.created", "Comment added"],
      ["comment.edited", "Comment edited"],
      ["comment.deleted", "Comment deleted"],
    ],
  },
  {
    label: "People",
    verbs: [
      ["member.joined", "Member joined"],
      ["member.removed", "Member removed"],
      ["member.left", "Member left"],
    ],
  },
  {
    label: "Invitations",
    manager: true,
    verbs: [
      ["invite.sent", "Invitation sent"],
      ["invite.revoked", "Invitation revoked"],
    ],
  },
];

// <option>s for a verb <select>: "Everything", then the verbs this reader can see.
export function verbOptions(manager) {
  return [
    h("option", { value: "" }, "Everything"),
    ...VERB_GROUPS.filter((group) => manager || !group.manager).map((group) =>
      h(
        "optgroup",
        { label: group.label },
        group.verbs.map(([value, label]) => h("option", { value }, label)),
      ),
    ),
  ];
}

// ------------------------------------------------------------------ sentences
const FIELD_NAMES = { due_date: "due date", start_date: "start date" };

function cut(text) {
  return text.length > LONG ? `${text.slice(0, LONG - 1)}\u2026` : text;
}

function shownValue(field, value) {
  if (value === null || value === undefined || value === "") return NONE;
  if (field === "status" || field === "priority") return LABELS[value] || String(value);
  if (field === "due_date" || field === "start_date") return formatDate(String(value));
  if (field === "assignee") return String(value);
  if (typeof value === "string") return `\u201c${cut(value)}\u201d`;
  return String(value);
}

// "status from To do to In progress; assignee from — to grace@example.com"
export function describeChanges(changes) {
  return Object.entries(changes || {})
    .map(([field, change]) => {
      const name = FIELD_NAMES[field] || field.replaceAll("_", " ");
      return `${name} from ${shownValue(field, change.from)} to ${shownValue(field, change.to)}`;
    })
    .join("; ");
}

function quoted(name) {
  return h("span", { class: "history-target" }, `\u201c${name || ""}\u201d`);
}

function person(target) {
  // a member target: "Grace Hopper (grace@example.com)", or just the address
  if (target.name && target.email && target.name !== target.email) return `${target.name} (${target.email})`;
  return target.email || target.name || "someone";
}

function sameAddress(a, b) {
  return Boolean(a && b) && a.toLowerCase() === b.toLowerCase();
}

// What the actor did, as the words after their name (text and elements).
function predicate(entry) {
  const target = entry.target || {};
  const changed = describeChanges(entry.changes);
  const selfJoin = entry.actor && sameAddress(entry.actor.email, target.email);
  switch (entry.verb) {
    case "project.created":
      return ["created the project ", quoted(target.name)];
    case "project.updated":
      return ["changed the project ", quoted(target.name), changed ? `: ${changed}` : ""];
    case "project.restored":
      return ["restored the project ", quoted(target.name)];
    case "project.overdue":
      return ["marked the project ", quoted(target.name), " overdue"];
    case "task.created":
      return ["created the task ", quoted(target.name)];
    case "task.updated":
      return ["changed the task ", quoted(target.name), changed ? `: ${changed}` : ""];
    case "task.deleted":
      return ["deleted the task ", quoted(target.name)];
    case "task.restored":
      return ["restored the task ", quoted(target.name)];
    case "task.overdue":
      return ["marked the task ", quoted(target.name), " overdue"];
    case "comment.created":
      return ["added a comment"];
    case "comment.edited":
      return ["edited a comment"];
    case "comment.deleted":
      return ["deleted a comment"];
    case "member.joined":
      return selfJoin ? ["joined the project"] : ["added ", person(target), " to the project"];
    case "member.removed":
      return ["removed ", person(target), " from the project"];
    case "member.left":
      return selfJoin || !target.email ? ["left the project"] : [person(target), " left the project"];
    case "invite.sent":
      return ["invited ", target.email];
    case "invite.revoked":
      return ["revoked the invitation of ", target.email];
    default: // a verb newer than this page
      return [`did ${entry.verb}`, target.name || target.email ? ` to ${target.name || target.email}` : ""];
  }
}

const JOB_VERBS = new Set(["task.overdue", "project.overdue"]);

// No actor: the scheduled jobs for what they record; otherwise a person no longer here (their
// account was deleted) or a change made outside the site (a shell).
export function actorName(entry) {
  if (entry.actor) return personName(entry.actor);
  return JOB_VERBS.has(entry.verb) ? "Scheduled job" : "Someone no longer here";
}

function when(at) {
  return timeElement(at, { withTime: true, class: "history-time" });
}

export function entryRow(entry) {
  return h(
    "li",
    { class: "row history-entry", tabindex: "-1", dataset: { verb: entry.verb, id: String(entry.id) } },
    h(
      "p",
      { class: "history-text" },
      h("strong", { class: entry.actor ? "history-actor" : "history-actor history-job" }, actorName(entry)),
      " ",
      predicate(entry),
      ".",
    ),
    when(entry.at),
  );
}

// ------------------------------------------------------------------ the list
// `fetchPage(page, pageSize)` answers a page of the API; `emptyText` is a text (or a function
// answering one) for a history with no entry. Returns {reset, more}: reset() loads
// the first page (after the filter or the subject changed), more() appends the next one.
export function historyList({ list, more, status, errorBox, fetchPage, emptyText = "Nothing recorded yet." }) {
  let turn = 0;
  let page = 0;
  let seen = new Set();

  async function load(number) {
    const mine = ++turn;
    const first = number === 1;
    if (first) {
      list.replaceChildren();
      seen = new Set();
      page = 0;
      more.hidden = true;
      status.textContent = "Loading\u2026";
    }
    list.setAttribute("aria-busy", "true");
    showAlert(errorBox, null);
    more.disabled = true;
    try {
      const data = await fetchPage(number, PAGE_SIZE);
      if (mine !== turn) return;
      // newer entries shift the pages: an entry already shown comes again, once is enough
      const fresh = data.items.filter((entry) => !seen.has(entry.id));
      for (const entry of fresh) seen.add(entry.id);
      const rows = fresh.map(entryRow);
      list.append(...rows);
      page = data.page;
      const shown = list.children.length;
      const rest = data.page * data.page_size < data.count;
      more.hidden = !rest;
      status.textContent = data.count
        ? `Showing ${shown} of ${data.count} ${data.count === 1 ? "entry" : "entries"}.`
        : typeof emptyText === "function"
          ? emptyText()
          : emptyText;
      // "Load more" read on: the first new entry takes the focus
      if (!first && rows.length) rows[0].focus();
    } catch (error) {
      if (mine !== turn) return;
      if (first) status.textContent = "";
      showAlert(errorBox, error);
    } finally {
      if (mine === turn) {
        list.setAttribute("aria-busy", "false");
        more.disabled = false;
      }
    }
  }

  more.addEventListener("click", () => load(page + 1));
  return { reset: () => load(1), more: () => load(page + 1) };
}
