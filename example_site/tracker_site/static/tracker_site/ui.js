// Small DOM helpers shared by the pages: elements, form errors, dialogs, pager, account bar.
import { api, ApiError, isSignedIn, messageFor, signOut } from "./api.js";

export const $ = (selector, root = document) => root.querySelector(selector);

// h("button", {type: "button", class: "btn", onclick}, "Text") — text is always text, never HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const LABELS = {
  planned: "Planned",
  active: "Active",
  completed: "Completed",
  todo: "To do",
  in_progress: "In progress",
  done: "Done",
  low: "Low",
  medium: "Medium",
  high: "High",
  urgent: "Urgent",
  manager: "Manager",
  member: "Member",
  pending: "Pending",
  accepted: "Accepted",
  expired: "Expired",
  revoked: "Revoked",
  overdue: "Overdue",
};

export function badge(value, extra = "") {
  return h("span", { class: `badge badge-${value} ${extra}`.trim() }, LABELS[value] || value);
}

// The one date format of the site: dates "6 Dec 2026", timestamps "6 Dec 2026, 19:43" (24-hour,
// the reader's time zone). A date ("2026-12-06") is a calendar day, never shifted by a zone.
export function formatDate(value) {
  if (!value) return "";
  const day = value.length === 10;
  const date = day ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const options = { day: "numeric", month: "short", year: "numeric" };
  if (day) options.timeZone = "UTC";
  return date.toLocaleDateString("en-GB", options);
}

export function formatDateTime(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const time = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return `${formatDate(value)}, ${time}`;
}

// A <time> element in that format: `withTime` for a timestamp's time of day too.
export function timeElement(value, { withTime = false, ...attrs } = {}) {
  return h("time", { datetime: value, ...attrs }, withTime ? formatDateTime(value) : formatDate(value));
}

export function personName(user) {
  const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
  return name || user.email;
}

// ------------------------------------------------------------------ form errors
export function clearErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.endsWith("-error"));
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }
  const general = form.querySelector(".form-error");
  if (general) general.textContent = "";
}

export function fieldError(form, name, message) {
  const input = form.elements[name];
  if (!input || input.type === "hidden") return false;
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (note) {
    note.textContent += ` ${message}`;
    return true;
  }
  note = h("p", { class: "field-error", id }, message);
  const field = input.closest(".field") || input.parentElement;
  field.append(note);
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  input.setAttribute("aria-describedby", [...described, id].join(" "));
  return true;
}

// The API's field names as the forms label them, for messages such as "due_date may not be
// before start_date." A form's own <label> for the field wins over this list.
export const FIELD_LABELS = {
  start_date: "Start date",
  due_date: "Due date",
  assignee_email: "Assignee",
  new_password: "New password",
  current_password: "Current password",
  first_name: "First name",
  last_name: "Last name",
  email_token: "Email",
};

function fieldLabel(name, form) {
  const input = form && form.elements ? form.elements[name] : null;
  const label = input && input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
  return label || FIELD_LABELS[name];
}

// A message with the API's field names in it (due_date, start_date) in the words of the form's
// labels: "Due date may not be before start date." Plain words (name, status) stay as they are.
export function friendlyMessage(text, form = null) {
  if (!text) return text;
  return String(text).replace(/(?<![\w.])[a-z]+(?:_[a-z]+)+(?![\w])/g, (name, offset, whole) => {
    const label = fieldLabel(name, form) || name.replaceAll("_", " ");
    const first = offset === 0 || /[.!?:]\s*$/.test(whole.slice(0, offset));
    return first ? label.charAt(0).toUpperCase() + label.slice(1) : label.charAt(0).toLowerCase() + label.slice(1);
  });
}

// Show an API error on a form: errors[].field next to that field (first path segment, so
// "emails.2" lands on "emails"), everything else in the form's role="alert" paragraph.
// codeFields maps error codes without a field (otp_invalid) to the field they are about.
// Field names in the messages read as the form's labels (friendlyMessage).
export function showError(form, error, codeFields = {}) {
  clearErrors(form);
  if (error instanceof ApiError && error.status === 401 && error.code === "session_ended") {
    return toSignIn(true);
  }
  const say = (text) => friendlyMessage(text, form);
  let placed = 0;
  const loose = [];
  if (error instanceof ApiError) {
    for (const item of error.errors) {
      const name = String(item.field || "").split(".")[0];
      if (fieldError(form, name, say(item.message))) placed += 1;
      else loose.push(say(item.message));
    }
    const codeField = codeFields[error.code];
    if (!error.errors.length && codeField && fieldError(form, codeField, say(error.detail || messageFor(error)))) {
      placed += 1;
    }
  }
  const general = form.querySelector(".form-error");
  if (general) {
    if (!placed) general.textContent = say(messageFor(error));
    else general.textContent = loose.length ? loose.join(" ") : "Please correct the marked fields.";
  }
  const firstInvalid = form.querySelector("[aria-invalid='true']");
  if (firstInvalid) firstInvalid.focus();
}

// A field the form cannot be sent without: when `filled` is false, say so next to it and
// focus it. Answers whether the form may go on.
export function requireField(form, name, message, filled = Boolean(form.elements[name].value.trim())) {
  if (filled) return true;
  fieldError(form, name, message);
  $(".form-error", form).textContent = "Please correct the marked fields.";
  form.elements[name].focus();
  return false;
}

// A dialog's form whose submit runs `send(values)` (which sends and says what it did) while
// its button is busy, then closes the dialog and runs `done()`. API errors land on the form.
// `required` is [field, message] for the field it cannot be sent without; `check()`, when
// given, answers whether the form may be sent (it marks what is wrong itself).
export function bindDialogForm(form, dialog, { required = null, check = null, send, done }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    if (required && !requireField(form, ...required)) return;
    if (check && !check()) return;
    const values = formValues(form);
    await busy(form.querySelector("[type=submit]"), async () => {
      try {
        await send(values);
        dialog.close();
        await done();
      } catch (error) {
        showError(form, error);
      }
    });
  });
}

// Show an error in a role="alert" element (an action outside a form: a row's button, a list).
export function showAlert(element, error) {
  if (error instanceof ApiError && error.status === 401 && error.code === "session_ended") {
    return toSignIn(true);
  }
  element.textContent = error ? friendlyMessage(messageFor(error)) : "";
}

// Disable a button while its action runs.
export async function busy(button, action) {
  if (button) button.disabled = true;
  try {
    return await action();
  } finally {
    if (button) button.disabled = false;
  }
}

// ------------------------------------------------------------------ dialogs
// A native <dialog>: modal, Escape closes it, focus goes to its first field and back to the
// button that opened it.
export function openDialog(dialog) {
  const opener = document.activeElement;
  for (const form of dialog.querySelectorAll("form")) clearErrors(form);
  dialog.showModal();
  const shown = (el) => !el.closest("[hidden]") && !el.disabled;
  const fields = [...dialog.querySelectorAll("input:not([type=hidden]):not([readonly]), select, textarea")];
  const first = fields.find(shown) || [...dialog.querySelectorAll("button")].find(shown);
  if (first) first.focus();
  dialog.addEventListener(
    "close",
    () => {
      if (opener && document.contains(opener)) opener.focus();
    },
    { once: true },
  );
}

export function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("[data-close]")) dialog.close();
    });
  }
}

// ------------------------------------------------------------------ lists
export function renderPager(nav, data, go) {
  const pages = Math.max(1, Math.ceil(data.count / data.page_size));
  nav.hidden = data.count === 0;
  const from = data.count ? (data.page - 1) * data.page_size + 1 : 0;
  const to = Math.min(data.count, data.page * data.page_size);
  $(".pager-info", nav).replaceChildren(
    `${from}–${to} of ${data.count}`,
    h("span", { class: "pager-pages" }, ` · page ${data.page} of ${pages}`),
  );
  const prev = $("[data-page=prev]", nav);
  const next = $("[data-page=next]", nav);
  prev.disabled = data.page <= 1;
  next.disabled = data.page >= pages;
  prev.onclick = () => go(data.page - 1);
  next.onclick = () => go(data.page + 1);
}

// A paged list that draws only its latest load (filters can change while one is on its way).
// `fetchPage(page)` answers a page of the API; `drawn(page)` runs once it is shown.
export function pagedList({ list, errorBox, empty, pager, fetchPage, render, emptyText, drawn }) {
  let loads = 0;
  let current = 1;
  async function load(page = current) {
    const turn = ++loads;
    list.setAttribute("aria-busy", "true");
    showAlert(errorBox, null);
    try {
      const data = await fetchPage(page);
      if (turn !== loads) return;
      if (!data.items.length && data.page > 1 && data.count) return load(data.page - 1);
      current = data.page;
      drawn(data.page);
      list.replaceChildren(...data.items.map(render));
      empty.hidden = data.count > 0;
      empty.textContent = emptyText();
      renderPager(pager, data, load);
    } catch (error) {
      if (turn === loads) showAlert(errorBox, error);
    } finally {
      if (turn === loads) list.setAttribute("aria-busy", "false");
    }
  }
  return load;
}

// A row of a trash: what was deleted (`title`), when and more (`details`), and a Restore button
// running `restore()`, which restores and says what it did; its errors show next to it.
export function trashRow(title, details, restore, dataset = {}) {
  const rowError = h("p", { class: "row-error", role: "alert" });
  const button = h(
    "button",
    { type: "button", class: "btn btn-small", "aria-label": `Restore ${title}` },
    "Restore",
  );
  button.onclick = () =>
    busy(button, async () => {
      showAlert(rowError, null);
      try {
        await restore();
      } catch (error) {
        showAlert(rowError, error);
      }
    });
  return h(
    "li",
    { class: "row", dataset },
    h("div", { class: "row-main" }, h("strong", {}, title), h("div", { class: "muted small" }, ...details)),
    h("div", { class: "row-actions" }, button),
    rowError,
  );
}

// Filters live in the address bar too, so a reload or a shared link keeps them.
export function filtersToForm(form, params) {
  for (const el of form.elements) {
    if (el.name && params.has(el.name)) el.value = params.get(el.name);
  }
}

export function formValues(form) {
  const values = {};
  for (const el of form.elements) {
    if (el.name && !el.disabled) values[el.name] = el.value.trim();
  }
  return values;
}

/** Submit applies the filters; changing a select submits at once. */
export function bindFilters(form, apply) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply(formValues(form));
  });
  for (const select of form.querySelectorAll("select")) {
    select.addEventListener("change", () => form.requestSubmit());
  }
}

export function setUrlQuery(values) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (Array.isArray(value)) for (const one of value) params.append(key, one);
    else if (value) params.set(key, value);
  }
  const query = params.toString();
  history.replaceState(null, "", query ? `${location.pathname}?${query}` : location.pathname);
}

// ------------------------------------------------------------------ account
export function flash(text) {
  $("#flash").textContent = text;
}

export function toSignIn(expired = false) {
  const next = location.pathname + location.search;
  const params = new URLSearchParams({ next });
  if (expired) params.set("expired", "1");
  location.assign(`/signin/?${params}`);
  return new Promise(() => {}); // the page is going away
}

export function showAccount(user) {
  $("#account-name").replaceChildren(
    personName(user),
    h("span", { class: "account-role" }, ` (${LABELS[user.role] || user.role})`),
  );
  $("#account-nav").hidden = false;
  $("#signout").onclick = async () => {
    await signOut();
    location.assign("/signin/");
  };
}

// For the pages that need a signed-in user: the user, or off to the sign-in page.
export async function requireUser() {
  if (!isSignedIn()) return toSignIn();
  try {
    const user = await api("GET", "/api/auth/me/");
    showAccount(user);
    return user;
  } catch (error) {
    if (error.status === 401) return toSignIn(true);
    flash(messageFor(error));
    throw error;
  }
}

// ------------------------------------------------------------------ loading placeholders
// Grey placeholder items in a list while its page loads, so a slow answer does not look like
// an empty list. They are aria-hidden: assistive technology hears the list's aria-busy="true"
// instead (set here on `busyOn`, the list itself by default). The list's next draw replaces
// them. `columns` > 0 draws table rows (for a <tbody>) with that many cells; else cards (<li>).
export function showPlaceholders(list, { count = 3, columns = 0, busyOn = list } = {}) {
  const bar = (extra = "") => h("span", { class: `placeholder-bar ${extra}`.trim() });
  const item = () =>
    columns > 0
      ? h(
          "tr",
          { class: "placeholder", "aria-hidden": "true" },
          ...Array.from({ length: columns }, () => h("td", {}, bar())),
        )
      : h(
          "li",
          { class: "card item placeholder", "aria-hidden": "true" },
          bar("placeholder-title"),
          bar(),
          bar("placeholder-short"),
        );
  busyOn.setAttribute("aria-busy", "true");
  list.replaceChildren(...Array.from({ length: count }, item));
}

// True while `list` shows placeholders (nothing of the data drawn yet).
export function showsPlaceholders(list) {
  return Boolean(list.querySelector(":scope > .placeholder"));
}

// ------------------------------------------------------------------ labels
// The text colour that reads best on a label's colour ("#rrggbb"): black or white, whichever
// has the higher WCAG contrast with it (at least 4.5:1 either way).
export function textOn(color) {
  const match = /^#?([0-9a-f]{6})$/i.exec(String(color || ""));
  if (!match) return "#000000";
  const channel = (i) => {
    const c = parseInt(match[1].slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff";
}

// A label as a chip in its colour (set through the CSSOM: the site allows no inline style).
export function labelChip(label, tag = "span") {
  const chip = h(tag, { class: "chip", title: label.name }, label.name);
  const color = /^#[0-9a-f]{6}$/i.test(label.color || "") ? label.color : "#6b7280";
  chip.style.setProperty("--chip-bg", color);
  chip.style.setProperty("--chip-text", textOn(color));
  return chip;
}

// A task's labels as a list of chips, or nothing when it has none.
export function labelChips(labels) {
  if (!labels || !labels.length) return null;
  return h("ul", { class: "chips", "aria-label": "Labels" }, ...labels.map((label) => labelChip(label, "li")));
}
