// /me/: the signed-in person's settings: their time zone and which notification emails they get.
import { api } from "./api.js";
import { $, busy, clearErrors, h, requireUser, showAlert, showError } from "./ui.js";

const KINDS = [
  "task_assigned",
  "task_due_today",
  "task_overdue",
  "project_overdue",
  "mentioned",
  "task_commented",
];
const root = $("#me-root");
const zoneForm = $("#zone-form");
const notificationsForm = $("#notifications-form");

function showZone(zone) {
  const select = zoneForm.elements.time_zone;
  // a name set elsewhere (an alias such as US/Pacific) is listed too
  if (![...select.options].some((option) => option.value === zone)) {
    select.append(h("option", { value: zone }, zone));
  }
  select.value = zone;
}

function showPreferences(preferences) {
  for (const kind of KINDS) notificationsForm.elements[kind].checked = Boolean(preferences[kind]);
}

// Submit sends `body()` with `method` to `path`, shows the answer and says so in `saved`.
function bindSave(form, saved, { method = "PATCH", path, body, shown }) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    saved.textContent = "";
    await busy(form.querySelector("[type=submit]"), async () => {
      try {
        saved.textContent = shown(await api(method, path, { body: body() }));
      } catch (error) {
        showError(form, error);
      }
    });
  });
}

bindSave(zoneForm, $("#zone-saved"), {
  path: "/api/auth/me/",
  body: () => ({ time_zone: zoneForm.elements.time_zone.value }),
  shown: (me) => {
    showZone(me.time_zone);
    return `Saved: your time zone is ${me.time_zone}.`;
  },
});

bindSave(notificationsForm, $("#notifications-saved"), {
  path: "/api/auth/me/notifications/",
  body: () => Object.fromEntries(KINDS.map((kind) => [kind, notificationsForm.elements[kind].checked])),
  shown: (preferences) => {
    showPreferences(preferences);
    return "Saved.";
  },
});

$("#use-device-zone").addEventListener("click", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone) showZone(zone);
});

// ------------------------------------------------------------------ start
const me = await requireUser();
try {
  showZone(me.time_zone);
  showPreferences(await api("GET", "/api/auth/me/notifications/"));
} catch (error) {
  showAlert($("#load-error"), error);
} finally {
  root.setAttribute("aria-busy", "false");
}
