// The tasks page's board view (tasks.js shows it when "Board" is chosen): a column for each
// status (To do, In progress, Done) holding the tasks of the page's filters, in the page's sort,
// BOARD_PAGE_SIZE a column (one request a status) and a "Load more" button when a column has
// more. A card moves to another column, which changes the task's status through
// `PATCH /api/tasks/<slug>/edit/` (as the status buttons of the cards view do), in three ways:
// - the mouse: drag the card (HTML5 drag and drop) onto another column;
// - the keyboard: each card is a tab stop. Space or Enter picks the focused card up, the Left
//   and Right arrows choose the column, Space or Enter drops it there and Escape (or leaving
//   the card) puts it back. With nothing picked up, Up and Down go to the card above or below
//   in the column, Left and Right to the neighbouring column;
// - the card's buttons to the neighbouring columns ("← To do", "Done →"): for touch screens
//   and for screen readers that keep the arrow keys to themselves.
// Each step is said in the board's live region ("Moved “X” to In progress."). The manager
// moves any task, a member only the tasks assigned to them: the other cards are not draggable,
// have no buttons, and say why (their title, and a note shown on focus that describes them).
// A move the server refuses (403, 404, 409, 422, ...) puts the card back where it was, shows
// the error in the list's alert and reads the task again (it may be someone else's by now).
// A moved card goes to the top of its new column; a reload shows it in the page's sort.
// When the Status filter is set, the other columns say so and still take a dropped card.
// A card's title is what `titleOf(task)` makes: tasks.js passes the task panel's link, so a
// click on it opens the task (dragging from it still moves the card).
import { api } from "./api.js";
import { badge, formatDate, h, LABELS, labelChips, personName, showAlert, showPlaceholders } from "./ui.js";

export const STATUSES = ["todo", "in_progress", "done"];
export const BOARD_PAGE_SIZE = 50; // a column's page (the API takes up to 100)

// `root`: the element the board is drawn in; `errorBox`: the list's role="alert" paragraph;
// `context()`: {filters, me, project, linked} as the page has them now; `drawn()`: runs after
// each draw. Answers {load(), cardOf(slug)}.
export function taskBoard({ root, slug, errorBox, context, drawn, titleOf = (task) => task.title }) {
  const help = h(
    "p",
    { class: "hint board-help", id: "board-help" },
    "Drag a card to another column, or use its buttons, to change its status. With the " +
      "keyboard: Space or Enter picks up the focused card, the Left and Right arrows choose a " +
      "column, Space or Enter drops it, Escape cancels.",
  );
  const status = h("p", { class: "board-status", id: "board-status", role: "status", "aria-live": "polite" });
  const columns = {};
  const grid = h("div", { class: "board" });
  for (const name of STATUSES) {
    const headingId = `board-heading-${name}`;
    const count = h("span", { class: "board-count" });
    const column = {
      name,
      count,
      total: 0,
      pages: 1,
      filtered: false,
      list: h("ul", { class: "board-list", "aria-labelledby": headingId, "aria-busy": "true" }),
      note: h("p", { class: "board-empty", hidden: true }),
      more: h("button", { type: "button", class: "btn btn-small board-more", hidden: true }),
    };
    column.el = h(
      "div",
      { class: "board-column", dataset: { column: name } },
      h("h2", { class: "board-heading", id: headingId }, h("span", {}, LABELS[name]), " ", count),
      column.list,
      column.note,
      column.more,
    );
    column.more.addEventListener("click", () => loadMore(column));
    columns[name] = column;
    grid.append(column.el);
  }
  root.replaceChildren(help, status, grid);

  const tasks = new Map(); // slug -> the task as last read
  let lifted = null; // the card picked up by the keyboard: {card, from, to, ghost}
  let dragging = null; // the card dragged by the mouse
  let settling = false; // a card is being moved in the page: its blur is no cancel
  let loads = 0;
  let drawnKey = null;

  const say = (text) => {
    status.textContent = text;
  };
  const title = (card) => (tasks.get(card.dataset.slug) || {}).title || "";
  const cardsOf = (column) => [...column.list.querySelectorAll(":scope > .board-card")];

  function canMove(task) {
    const { me, project } = context();
    return project.my_role === "manager" || Boolean(task.assignee && task.assignee.id === me.id);
  }

  function whyNot(task) {
    return task.assignee
      ? `Only the manager and ${personName(task.assignee)}, its assignee, can move this task.`
      : "Only the manager can move this task: nobody is assigned to it.";
  }

  // ---------------------------------------------------------------- cards
  // a link in a card (the title opening the task panel) drags the card, not its address
  function undraggable(node) {
    if (node instanceof Element) node.setAttribute("draggable", "false");
    return node;
  }

  function renderCard(task) {
    tasks.set(task.slug, task);
    const { me, linked } = context();
    const movable = canMove(task);
    const mine = task.assignee && task.assignee.id === me.id;
    const titleId = `board-title-${task.slug}`;
    const whyId = `board-why-${task.slug}`;
    const at = STATUSES.indexOf(task.status);
    const moveButton = (to, text, extra) =>
      h(
        "button",
        {
          type: "button",
          class: `btn btn-tiny ${extra}`,
          "aria-label": `Move “${task.title}” to ${LABELS[to]}`,
          dataset: { moveTo: to },
        },
        ...text,
      );
    return h(
      "li",
      {
        class:
          `board-card${task.is_overdue ? " is-overdue" : ""}${task.status === "done" ? " is-done" : ""}` +
          (task.slug === linked ? " is-linked" : "") +
          (movable ? "" : " is-locked"),
        tabindex: "0",
        draggable: movable ? "true" : "false",
        title: movable ? null : whyNot(task),
        "aria-labelledby": titleId,
        "aria-describedby": movable ? "board-help" : whyId,
        "aria-current": task.slug === linked ? "true" : null,
        dataset: { slug: task.slug, status: task.status },
      },
      h("h3", { class: "board-card-title", id: titleId }, undraggable(titleOf(task))),
      h(
        "p",
        { class: "board-card-meta" },
        badge(task.priority, "badge-priority"),
        task.is_overdue ? badge("overdue", "badge-alert") : null,
        h(
          "span",
          {},
          task.assignee ? `${personName(task.assignee)}${mine ? " (you)" : ""}` : h("span", {}, "Nobody"),
        ),
        task.due_date
          ? h("span", { class: task.is_overdue ? "overdue-text" : "" }, `Due ${formatDate(task.due_date)}`)
          : null,
      ),
      labelChips(task.labels),
      movable
        ? h(
            "div",
            { class: "board-moves" },
            at > 0
              ? moveButton(STATUSES[at - 1], [h("span", { "aria-hidden": "true" }, "← "), LABELS[STATUSES[at - 1]]], "")
              : null,
            at < STATUSES.length - 1
              ? moveButton(
                  STATUSES[at + 1],
                  [LABELS[STATUSES[at + 1]], h("span", { "aria-hidden": "true" }, " →")],
                  "board-forward",
                )
              : null,
          )
        : h("p", { class: "board-locked", id: whyId }, whyNot(task)),
    );
  }

  // Move `card` in the page without its blur counting as leaving it; `focus` it after.
  function settle(change, focus) {
    settling = true;
    try {
      change();
      if (focus) focus.focus();
    } finally {
      settling = false;
    }
  }

  function replaceCard(old, task) {
    const had = old.contains(document.activeElement);
    const fresh = renderCard(task);
    settle(() => old.replaceWith(fresh), had ? fresh : null);
    return fresh;
  }

  function showCount(column) {
    column.count.replaceChildren(
      column.filtered ? "" : String(column.total),
      column.filtered ? "" : h("span", { class: "visually-hidden" }, column.total === 1 ? " task" : " tasks"),
    );
    column.count.hidden = column.filtered;
    const shown = cardsOf(column).length;
    const more = Math.max(0, column.total - shown);
    column.more.hidden = column.filtered || more === 0;
    column.more.textContent = `Load more (${more} not shown)`;
    column.note.hidden = shown > 0;
    column.note.textContent = column.filtered ? "Hidden by the Status filter." : "No tasks.";
  }

  function shift(name, by) {
    columns[name].total = Math.max(0, columns[name].total + by);
    showCount(columns[name]);
  }

  // ---------------------------------------------------------------- moving
  async function move(card, to, { focus = false } = {}) {
    const taskSlug = card.dataset.slug;
    const task = tasks.get(taskSlug);
    const from = card.dataset.status;
    if (!task || to === from || card.classList.contains("is-saving")) return;
    const back = { list: card.parentElement, next: card.nextElementSibling };
    settle(() => columns[to].list.prepend(card), focus ? card : null);
    card.dataset.status = to;
    card.classList.add("is-saving");
    card.setAttribute("aria-busy", "true");
    shift(from, -1);
    shift(to, 1);
    showAlert(errorBox, null);
    say(`Moving “${task.title}” to ${LABELS[to]}…`);
    try {
      const saved = await api("PATCH", `/api/tasks/${encodeURIComponent(taskSlug)}/edit/`, {
        body: { status: to },
      });
      if (card.isConnected) replaceCard(card, saved);
      say(`Moved “${saved.title}” to ${LABELS[saved.status]}.`);
    } catch (error) {
      if (!card.isConnected) return;
      const next = back.next && back.next.parentElement === back.list ? back.next : null;
      settle(() => back.list.insertBefore(card, next), card.contains(document.activeElement) ? card : null);
      card.dataset.status = from;
      card.classList.remove("is-saving");
      card.removeAttribute("aria-busy");
      shift(to, -1);
      shift(from, 1);
      showAlert(errorBox, error);
      say(`Could not move “${task.title}” to ${LABELS[to]}: it is back in ${LABELS[from]}.`);
      await reread(card);
    }
  }

  // The task of `card` read again after a refused move: drawn anew (whether it may be moved,
  // its column), or taken off the board when it is gone.
  async function reread(card) {
    let task;
    try {
      task = await api("GET", `/api/tasks/${encodeURIComponent(card.dataset.slug)}/edit/`);
    } catch (error) {
      if (error.status === 404 && card.isConnected) {
        const from = card.dataset.status;
        settle(() => card.remove(), null);
        shift(from, -1);
      }
      return;
    }
    if (!card.isConnected) return;
    const from = card.dataset.status;
    const fresh = replaceCard(card, task);
    if (task.status !== from && columns[task.status]) {
      settle(() => columns[task.status].list.prepend(fresh), fresh.contains(document.activeElement) ? fresh : null);
      shift(from, -1);
      shift(task.status, 1);
    }
  }

  // ---------------------------------------------------------------- the keyboard
  function aim(to) {
    const { card, from } = lifted;
    if (lifted.ghost) lifted.ghost.remove();
    for (const column of Object.values(columns)) column.el.classList.remove("is-drop-target");
    lifted.to = to;
    lifted.ghost = null;
    if (to === from) {
      say(`“${title(card)}” is over ${LABELS[to]}, its own column. Left and Right arrows choose a column.`);
      return;
    }
    columns[to].el.classList.add("is-drop-target");
    lifted.ghost = h("li", { class: "board-ghost", "aria-hidden": "true" }, `Drop “${title(card)}” here`);
    columns[to].list.prepend(lifted.ghost);
    say(`“${title(card)}” is over ${LABELS[to]}. Space or Enter drops it here, Escape cancels.`);
  }

  function lift(card) {
    const task = tasks.get(card.dataset.slug);
    if (!task) return;
    if (!canMove(task) || card.getAttribute("draggable") !== "true") {
      say(`You cannot move “${task.title}”. ${whyNot(task)}`);
      return;
    }
    if (card.classList.contains("is-saving")) return;
    lifted = { card, from: card.dataset.status, to: card.dataset.status, ghost: null };
    card.classList.add("is-lifted");
    say(
      `Picked up “${task.title}” in ${LABELS[lifted.from]}. Left and Right arrows choose a column, ` +
        "Space or Enter drops it, Escape cancels.",
    );
  }

  // Let go of the picked-up card; `announce` says it stays where it was.
  function putDown(announce) {
    if (!lifted) return null;
    const was = lifted;
    if (was.ghost) was.ghost.remove();
    for (const column of Object.values(columns)) column.el.classList.remove("is-drop-target");
    was.card.classList.remove("is-lifted");
    lifted = null;
    if (announce) say(`Move cancelled: “${title(was.card)}” stays in ${LABELS[was.from]}.`);
    return was;
  }

  function drop() {
    const was = putDown(false);
    if (was.to === was.from) {
      say(`“${title(was.card)}” stays in ${LABELS[was.from]}.`);
      return;
    }
    move(was.card, was.to, { focus: true });
  }

  // Up/Down within a column, Left/Right to the nearest card of the neighbouring column that has any.
  function step(card, key) {
    const at = STATUSES.indexOf(card.dataset.status);
    const cards = cardsOf(columns[STATUSES[at]]);
    const index = cards.indexOf(card);
    if (key === "ArrowUp" || key === "ArrowDown") {
      const next = cards[index + (key === "ArrowUp" ? -1 : 1)];
      if (next) next.focus();
      return;
    }
    const by = key === "ArrowLeft" ? -1 : 1;
    for (let i = at + by; i >= 0 && i < STATUSES.length; i += by) {
      const others = cardsOf(columns[STATUSES[i]]);
      if (others.length) {
        others[Math.min(index, others.length - 1)].focus();
        return;
      }
    }
  }

  root.addEventListener("keydown", (event) => {
    const card = event.target;
    if (!(card instanceof Element) || !card.matches(".board-card")) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key;
    if (key === " " || key === "Enter") {
      event.preventDefault();
      if (lifted && lifted.card === card) drop();
      else lift(card);
    } else if (key === "Escape" && lifted) {
      event.preventDefault();
      putDown(true);
    } else if (key === "ArrowLeft" || key === "ArrowRight" || key === "ArrowUp" || key === "ArrowDown") {
      event.preventDefault();
      if (!lifted) step(card, key);
      else if (key === "ArrowLeft" || key === "ArrowRight") {
        const at = STATUSES.indexOf(lifted.to) + (key === "ArrowLeft" ? -1 : 1);
        if (at >= 0 && at < STATUSES.length) aim(STATUSES[at]);
        else aim(lifted.to); // the first or last column already: said again
      }
    }
  });

  root.addEventListener("focusout", (event) => {
    if (settling || !lifted || event.target !== lifted.card) return;
    putDown(true);
  });

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move-to]");
    if (!button) return;
    const card = button.closest(".board-card");
    putDown(false);
    move(card, button.dataset.moveTo, { focus: true });
  });

  // ---------------------------------------------------------------- the mouse
  const clearTargets = () => {
    for (const column of Object.values(columns)) column.el.classList.remove("is-drop-target");
  };

  root.addEventListener("dragstart", (event) => {
    const from = event.target instanceof Element ? event.target : null;
    const card = from && from.closest(".board-card");
    if (!card || card !== from) return; // text dragged out of a card: not a move
    if (card.getAttribute("draggable") !== "true" || card.classList.contains("is-saving")) {
      event.preventDefault();
      return;
    }
    putDown(false);
    dragging = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", title(card));
    card.classList.add("is-dragging");
  });

  root.addEventListener("dragend", () => {
    if (dragging) dragging.classList.remove("is-dragging");
    dragging = null;
    clearTargets();
  });

  for (const column of Object.values(columns)) {
    column.el.addEventListener("dragover", (event) => {
      if (!dragging || dragging.dataset.status === column.name) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!column.el.classList.contains("is-drop-target")) {
        clearTargets();
        column.el.classList.add("is-drop-target");
      }
    });
    column.el.addEventListener("dragleave", (event) => {
      if (!column.el.contains(event.relatedTarget)) column.el.classList.remove("is-drop-target");
    });
    column.el.addEventListener("drop", (event) => {
      if (!dragging || dragging.dataset.status === column.name) return;
      event.preventDefault();
      const card = dragging;
      card.classList.remove("is-dragging");
      dragging = null;
      clearTargets();
      move(card, column.name);
    });
  }

  // ---------------------------------------------------------------- loading
  // Pages 1..`pages` of a column's tasks (one request each, together), without repeats.
  async function fetchColumn(name, filters, pages) {
    const answers = await Promise.all(
      Array.from({ length: pages }, (_, i) =>
        api("GET", `/api/projects/${encodeURIComponent(slug)}/task_list/`, {
          query: { ...filters, status: name, page: i + 1, page_size: BOARD_PAGE_SIZE },
        }),
      ),
    );
    const seen = new Set();
    const items = answers
      .flatMap((data) => data.items)
      .filter((task) => !seen.has(task.slug) && seen.add(task.slug));
    return { items, count: answers[answers.length - 1].count };
  }

  function drawColumn(column, data) {
    const focused = column.list.contains(document.activeElement) ? document.activeElement.closest(".board-card") : null;
    settle(() => column.list.replaceChildren(...data.items.map(renderCard)), null);
    column.total = Math.max(data.count, data.items.length);
    showCount(column);
    const again = focused && column.list.querySelector(`[data-slug="${CSS.escape(focused.dataset.slug)}"]`);
    if (again) again.focus();
  }

  async function loadMore(column) {
    const before = new Set(cardsOf(column).map((card) => card.dataset.slug));
    const turn = loads;
    column.more.disabled = true;
    showAlert(errorBox, null);
    try {
      const data = await fetchColumn(column.name, context().filters, column.pages + 1);
      if (turn !== loads) return; // the board was drawn again meanwhile
      column.pages += 1;
      drawColumn(column, data);
      const first = cardsOf(column).find((card) => !before.has(card.dataset.slug));
      if (first) first.focus();
      else if (!column.more.hidden) column.more.focus();
    } catch (error) {
      showAlert(errorBox, error);
    } finally {
      column.more.disabled = false;
    }
  }

  // Draw the board for the page's filters (again): each column as many pages as it showed,
  // or one when the filters changed; placeholders meanwhile only when the filters changed.
  async function load() {
    const turn = ++loads;
    const { filters } = context();
    const key = JSON.stringify(filters);
    putDown(false);
    showAlert(errorBox, null);
    for (const column of Object.values(columns)) {
      if (key !== drawnKey) {
        column.pages = 1;
        showPlaceholders(column.list, { count: 2 });
        column.note.hidden = true;
        column.more.hidden = true;
      }
      column.list.setAttribute("aria-busy", "true");
    }
    try {
      const shown = STATUSES.filter((name) => !filters.status || filters.status === name);
      const answers = await Promise.all(
        shown.map((name) => fetchColumn(name, filters, columns[name].pages)),
      );
      if (turn !== loads) return;
      tasks.clear();
      for (const name of STATUSES) {
        const column = columns[name];
        column.filtered = !shown.includes(name);
        drawColumn(column, column.filtered ? { items: [], count: 0 } : answers[shown.indexOf(name)]);
      }
      drawnKey = key;
      drawn();
    } catch (error) {
      if (turn !== loads) return;
      showAlert(errorBox, error);
      for (const column of Object.values(columns)) {
        if (column.list.querySelector(":scope > .placeholder")) column.list.replaceChildren();
      }
      drawnKey = null;
    } finally {
      if (turn === loads) {
        for (const column of Object.values(columns)) column.list.setAttribute("aria-busy", "false");
      }
    }
  }

  // Member-only help: which cards they may move.
  function setHelp() {
    const { project } = context();
    if (project && project.my_role !== "manager" && !help.dataset.member) {
      help.dataset.member = "true";
      help.append(" You can move the tasks assigned to you.");
    }
  }

  return {
    load: async () => {
      setHelp();
      await load();
    },
    cardOf: (taskSlug) => root.querySelector(`.board-card[data-slug="${CSS.escape(taskSlug)}"]`),
  };
}
