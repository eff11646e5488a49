// The bell in the header of every signed-in page: a link to /inbox/ saying how many
// notifications are unread. Loaded by every page (base.html).
//
// It starts once the page has shown the account bar (requireUser / showAccount unhide
// #account-nav after their /me call), so it costs no call of its own to know who is signed in,
// and it does nothing while signed out or on the sign-in page. The count comes from the cheap
// unread_count endpoint: every 30 s while the page is visible, paused while it is hidden, once
// more on becoming visible again.
//
// Any page that learns the count (the inbox, after marking entries read) tells the bell with
// `document.dispatchEvent(new CustomEvent(UNREAD_EVENT, {detail: {unread: n}}))`; the bell
// announces each count it fetches with the same event. An event, not an import: a page module
// and this one may be loaded under different (hashed) names, and so be different instances.
import { api, isSignedIn } from "./api.js";

export const UNREAD_EVENT = "tracker:unread";
export const POLL_SECONDS = 30;

const link = document.getElementById("inbox-link");
const nav = document.getElementById("account-nav");

function show(unread) {
  const count = document.getElementById("inbox-count");
  link.setAttribute("aria-label", unread > 0 ? `Inbox, ${unread} unread` : "Inbox, no unread");
  count.textContent = unread > 99 ? "99+" : String(unread);
  count.hidden = !(unread > 0);
  link.classList.toggle("has-unread", unread > 0);
}

let timer = null;
let stopped = false;

async function refresh() {
  if (stopped) return;
  try {
    const { unread } = await api("GET", "/api/notifications/unread_count/");
    document.dispatchEvent(new CustomEvent(UNREAD_EVENT, { detail: { unread } }));
  } catch (error) {
    if (error.status === 401) stop(); // signed out elsewhere: the page's own calls say so
  }
}

function stop() {
  stopped = true;
  clearInterval(timer);
  timer = null;
}

function poll() {
  clearInterval(timer);
  timer = null;
  if (stopped || document.visibilityState !== "visible") return;
  timer = setInterval(refresh, POLL_SECONDS * 1000);
}

function start() {
  document.addEventListener(UNREAD_EVENT, (event) => show(Number(event.detail.unread) || 0));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
    poll();
  });
  refresh();
  poll();
}

function whenSignedIn(then) {
  if (!nav.hidden) return then();
  const watch = new MutationObserver(() => {
    if (nav.hidden) return;
    watch.disconnect();
    then();
  });
  watch.observe(nav, { attributes: true, attributeFilter: ["hidden"] });
}

if (link && nav && isSignedIn() && document.body.dataset.page !== "signin") whenSignedIn(start);
