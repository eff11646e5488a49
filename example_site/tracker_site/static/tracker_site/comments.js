// A task's comments (docs/API.md, "Comments"), in the task panel: oldest first, a page at a time
// ("Load more comments"), each plain text with its line breaks (never HTML), the people it
// mentions shown. Any member of the project comments, with @mentions picked from the members
// (picker.js); the author edits and deletes their own comment, the project's manager deletes
// any. The API's errors land on the form (showError) or next to the comment (showAlert).
import { api } from "./api.js";
import { mentionPicker } from "./picker.js";
import { busy, clearErrors, h, personName, requireField, showAlert, showError, timeElement } from "./ui.js";

const PAGE_SIZE = 20;
const MAX_BODY = 10000;
let forms = 0; // each composer's ids are its own

// The body as text, each "@Name" of a person it mentions marked.
function bodyText(comment) {
  const names = [...new Set(comment.mentions.map(personName))].sort((a, b) => b.length - a.length);
  if (!names.length) return [comment.body];
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const at = new RegExp(`(?<!\\S)(@(?:${names.map(escape).join("|")}))(?![\\p{L}\\p{N}])`, "u");
  // split() puts what the group caught at the odd places
  return comment.body.split(at).map((part, i) => (i % 2 ? h("span", { class: "mention" }, part) : part));
}

const excerpt = (text) => (text.length > 40 ? `${text.slice(0, 39)}\u2026` : text);

// A comment form: the text (with @mentions), who it mentions, its error and buttons. Returns
// {form, textarea, mention}; `label` names the field, `submit` the button, `cancel` (when given)
// adds a Cancel button running it.
function composer({ label, submit, cancel = null }) {
  const id = `comment-${++forms}`;
  const textarea = h("textarea", {
    id: `${id}-body`,
    name: "body",
    rows: "3",
    maxlength: String(MAX_BODY),
    "aria-describedby": `${id}-hint`,
  });
  const listbox = h("ul", {
    id: `${id}-members`,
    class: "combo-list mention-list",
    role: "listbox",
    "aria-label": "Members to mention",
    hidden: true,
  });
  const status = h("p", { class: "visually-hidden", role: "status" });
  const who = h("output", { id: `${id}-mentions`, name: "mentions", for: textarea.id });
  const whoField = h(
    "div",
    { class: "field mention-note", hidden: true },
    h("label", { for: who.id }, "Mentions"),
    who,
  );
  const mention = mentionPicker({
    textarea,
    listbox,
    status,
    changed: (people) => {
      who.textContent = people.map(personName).join(", ");
      whoField.hidden = !people.length;
    },
  });
  const form = h(
    "form",
    { class: "comment-form", novalidate: true },
    h(
      "div",
      { class: "field" },
      h("label", { for: textarea.id }, label),
      textarea,
      listbox,
      h(
        "p",
        { class: "hint", id: `${id}-hint` },
        "Type @ and a name to mention a member of the project; they are notified.",
      ),
      status,
    ),
    whoField,
    h("p", { class: "form-error", role: "alert" }),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "btn btn-primary" }, submit),
      cancel ? h("button", { type: "button", class: "btn btn-quiet", onclick: cancel }, "Cancel") : null,
    ),
  );
  return { form, textarea, mention };
}

// `section` is the element to fill; `context()` answers {me, manager} (the signed-in user and
// whether they manage the project); `changed()` runs after a comment is posted, edited or
// deleted (the history has a new entry).
export function commentsSection({ section, headingId, context, changed = () => {} }) {
  let task = null;
  let turn = 0;
  let total = 0;
  let members = [];
  let seen = new Set();
  const pickers = new Set(); // the mention pickers of the forms shown (new comment, edits)
  const errorBox = h("p", { class: "form-error", role: "alert" });
  const list = h("ol", { class: "rows comments", "aria-labelledby": headingId });
  const status = h("p", { class: "muted small comments-status", role: "status" });
  const more = h("button", { type: "button", class: "btn", hidden: true }, "Load more comments");
  const writer = composer({ label: "Comment", submit: "Post comment" });
  pickers.add(writer.mention);
  section.append(errorBox, list, status, h("div", { class: "actions" }, more), writer.form);

  function summary() {
    const shown = list.children.length;
    if (!total) return "No comments yet.";
    if (shown < total) return `Showing ${shown} of ${total} comments.`;
    return total === 1 ? "1 comment." : `${total} comments.`;
  }

  // the comments shown that came from a page of the list (not posted here since)
  const paged = () => list.querySelectorAll(":scope > .comment:not(.comment-posted)").length;

  async function load(first) {
    const mine = ++turn;
    if (first) {
      list.replaceChildren();
      seen = new Set();
      more.hidden = true;
      status.textContent = "Loading\u2026";
    }
    list.setAttribute("aria-busy", "true");
    showAlert(errorBox, null);
    more.disabled = true;
    // the page holding the first comment not shown yet: deletes shift the pages, so it may
    // bring comments shown already (once is enough), and then "Load more" reads the page after
    // it too, for a page of new ones
    const start = Math.floor(paged() / PAGE_SIZE) + 1;
    try {
      const rows = [];
      let data;
      for (let page = start; page <= start + 1; page += 1) {
        data = await api("GET", `/api/tasks/${encodeURIComponent(task.slug)}/comments/`, {
          query: { page, page_size: PAGE_SIZE },
        });
        if (mine !== turn) return;
        const fresh = data.items.filter((comment) => !seen.has(comment.id));
        for (const comment of fresh) seen.add(comment.id);
        rows.push(...fresh.map(row));
        const rest = data.page * data.page_size < data.count;
        if (first || rows.length >= PAGE_SIZE || !rest) break;
      }
      // older than the comments posted here meanwhile: before them
      const posted = list.querySelector(":scope > .comment-posted");
      if (posted) posted.before(...rows);
      else list.append(...rows);
      total = data.count; // those posted here meanwhile included
      more.hidden = data.page * data.page_size >= data.count;
      status.textContent = summary();
      if (!first && rows.length) rows[0].focus(); // "Load more" read on at the first new one
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
  more.addEventListener("click", () => load(false));

  function row(comment, { posted = false } = {}) {
    const { me, manager } = context();
    const mine = comment.author.id === me.id;
    const rowError = h("p", { class: "row-error", role: "alert" });
    const headId = `comment-${comment.id}-head`;
    const body = h("p", { class: "comment-body" }, bodyText(comment));
    const actions = h("div", { class: "row-actions" });
    const item = h(
      "li",
      {
        class: `row comment${posted ? " comment-posted" : ""}`,
        tabindex: "-1",
        "aria-labelledby": headId,
        dataset: { id: String(comment.id) },
      },
      h(
        "div",
        { class: "comment-main" },
        h(
          "p",
          { class: "comment-head", id: headId },
          h("strong", {}, personName(comment.author), mine ? " (you)" : ""),
          " ",
          timeElement(comment.created_at, { withTime: true, class: "muted small" }),
          comment.edited_at ? h("span", { class: "muted small" }, " \u00b7 edited") : null,
        ),
        body,
        comment.mentions.length
          ? h("p", { class: "muted small comment-mentions" }, "Mentions ", comment.mentions.map(personName).join(", "))
          : null,
      ),
      actions,
      rowError,
    );
    const edit = mine
      ? h(
          "button",
          {
            type: "button",
            class: "btn btn-small",
            "aria-label": `Edit comment \u201c${excerpt(comment.body)}\u201d`,
            onclick: () => startEdit(comment, item, edit),
          },
          "Edit",
        )
      : null;
    const remove =
      mine || manager
        ? h(
            "button",
            {
              type: "button",
              class: "btn btn-danger-quiet btn-small",
              "aria-label": `Delete comment \u201c${excerpt(comment.body)}\u201d`,
              onclick: () => askDelete(comment, item, actions, rowError),
            },
            "Delete",
          )
        : null;
    actions.append(...[edit, remove].filter(Boolean));
    return item;
  }

  function startEdit(comment, item, opener) {
    const editor = composer({
      label: "Edit your comment",
      submit: "Save",
      cancel: () => {
        stop();
        opener.focus();
      },
    });
    const main = item.querySelector(".comment-main");
    const actions = item.querySelector(".row-actions");
    const stop = () => {
      pickers.delete(editor.mention);
      editor.form.replaceWith(main);
      actions.hidden = false;
    };
    editor.mention.setMembers(members);
    pickers.add(editor.mention);
    editor.textarea.value = comment.body;
    editor.mention.reset(comment.mentions);
    editor.textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault(); // Escape leaves the edit, not the panel
      stop();
      opener.focus();
    });
    editor.form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearErrors(editor.form);
      if (!requireField(editor.form, "body", "Write something, or delete the comment.")) return;
      busy(editor.form.querySelector("[type=submit]"), async () => {
        try {
          const saved = await api("PATCH", `/api/comments/${comment.id}/`, {
            body: { body: editor.textarea.value.trim(), mentions: editor.mention.mentions() },
          });
          pickers.delete(editor.mention);
          const again = row(saved, { posted: item.classList.contains("comment-posted") });
          item.replaceWith(again);
          again.focus();
          status.textContent = `Comment saved. ${summary()}`;
          changed();
        } catch (error) {
          showError(editor.form, error);
        }
      });
    });
    actions.hidden = true;
    main.replaceWith(editor.form);
    editor.textarea.focus();
    editor.textarea.setSelectionRange(editor.textarea.value.length, editor.textarea.value.length);
  }

  function askDelete(comment, item, actions, rowError) {
    const kept = [...actions.children];
    const yes = h("button", { type: "button", class: "btn btn-danger btn-small" }, "Delete");
    const no = h("button", { type: "button", class: "btn btn-quiet btn-small" }, "Cancel");
    const back = () => {
      actions.replaceChildren(...kept);
      kept.at(-1).focus();
    };
    const drop = () => {
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      total -= 1;
      (next || document.getElementById(headingId)).focus();
    };
    yes.onclick = () =>
      busy(yes, async () => {
        showAlert(rowError, null);
        try {
          await api("DELETE", `/api/comments/${comment.id}/`);
          drop();
          status.textContent = `Comment deleted. ${summary()}`;
          changed();
        } catch (error) {
          if (error.status !== 404) return showAlert(rowError, error);
          drop(); // gone already (or out of reach): it leaves the list, the section says why
          status.textContent = summary();
          showAlert(errorBox, error);
        }
      });
    no.onclick = back;
    actions.replaceChildren(h("span", { class: "confirm-text" }, "Delete this comment?"), yes, no);
    no.focus();
  }

  writer.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = writer.form;
    clearErrors(form);
    if (!requireField(form, "body", "Write a comment first.")) return;
    busy(form.querySelector("[type=submit]"), async () => {
      try {
        const comment = await api("POST", `/api/tasks/${encodeURIComponent(task.slug)}/comments/`, {
          body: { body: writer.textarea.value.trim(), mentions: writer.mention.mentions() },
        });
        seen.add(comment.id);
        list.append(row(comment, { posted: true }));
        total += 1;
        status.textContent = `Comment posted. ${summary()}`;
        form.reset();
        writer.mention.reset();
        changed();
      } catch (error) {
        showError(form, error);
      }
    });
  });

  return {
    // the comments of `next` (a Task), from the first page; the form emptied
    show(next) {
      task = next;
      total = 0;
      writer.form.reset();
      clearErrors(writer.form);
      writer.mention.reset();
      load(true);
    },
    setMembers(list_) {
      members = list_;
      for (const picker of pickers) picker.setMembers(members);
    },
    close() {
      for (const picker of pickers) picker.close();
    },
  };
}
