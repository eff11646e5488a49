// A message for the next page: a page about to send the reader elsewhere (accepting an
// invitation, say) leaves it in sessionStorage; whichever page opens next shows it once in the
// #flash status region. Loaded by every page (base.html).
import { flash } from "./ui.js";

export const NOTICE_KEY = "tracker.notice";

const text = sessionStorage.getItem(NOTICE_KEY);
if (text) {
  sessionStorage.removeItem(NOTICE_KEY);
  flash(text);
}
