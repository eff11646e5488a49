// Pickers of a project's members, sharing one list of options (memberOptions) and one way of
// filtering them (matchingMembers):
//
// memberPicker: an editable combobox with list autocomplete (the WAI-ARIA combobox pattern).
// Typing filters the members by name or email; Down/Up move through the options (Alt+Down opens
// the list without moving), Enter chooses, Escape closes the list. "Nobody" (the first option,
// or an empty field) unassigns. Only a member can be chosen: `resolve()` answers the member the
// field names, null for nobody, or undefined when its text names no member (the caller says so
// instead of saving).
//
// mentionPicker: @mentions in a textarea. Typing "@" and part of a name or an address offers the
// members who match; Down/Up and Enter (or a click) put "@Their Name" in the text. `mentions()`
// answers the addresses of the people picked whose "@Name" is still in the text.
import { h, personName } from "./ui.js";

const fold = (text) => String(text).trim().toLowerCase();

// The members whose name or address contains `text` (all of them for no text).
export function matchingMembers(members, text) {
  const wanted = fold(text);
  if (!wanted) return members;
  return members.filter((m) => fold(personName(m)).includes(wanted) || fold(m.email).includes(wanted));
}

// The options of a listbox of members (null draws "Nobody"), one of them active (the `owner`
// field's aria-activedescendant, the focus staying in the field), chosen by `onChoose(member)`
// on a click.
function memberOptions({ listbox, owner, onChoose }) {
  let shown = [];
  let active = -1;
  const optionId = (i) => `${listbox.id}-${i}`;

  function draw(items) {
    shown = items;
    listbox.replaceChildren(
      ...shown.map((member, i) =>
        h(
          "li",
          {
            id: optionId(i),
            role: "option",
            class: `combo-option${member ? "" : " combo-none"}`,
            "aria-selected": i === active ? "true" : "false",
            dataset: { index: String(i) },
          },
          member
            ? [
                h("span", { class: "combo-name" }, personName(member)),
                personName(member) !== member.email ? h("span", { class: "combo-email" }, member.email) : null,
              ]
            : h("span", { class: "combo-name" }, "Nobody"),
        ),
      ),
    );
  }

  function setActive(index) {
    active = index;
    for (const option of listbox.children) {
      option.setAttribute("aria-selected", String(Number(option.dataset.index) === index));
    }
    if (index >= 0) {
      owner.setAttribute("aria-activedescendant", optionId(index));
      const option = document.getElementById(optionId(index));
      if (option) option.scrollIntoView({ block: "nearest" });
    } else {
      owner.removeAttribute("aria-activedescendant");
    }
  }

  function move(step) {
    const count = shown.length;
    if (!count) return;
    const start = active >= 0 ? active : step > 0 ? -1 : count;
    setActive((start + step + count) % count);
  }

  // the mouse: a press on an option keeps the focus in the field, its click chooses
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) onChoose(shown[Number(option.dataset.index)]);
    owner.focus();
  });

  return {
    draw,
    setActive,
    move,
    count: () => shown.length,
    // the option with the visual focus: a member, null (Nobody), or undefined for none
    current: () => (active >= 0 ? shown[active] : undefined),
  };
}

// Leaving the field closes its list; when a press elsewhere moved the focus, only once that
// press is over, so the layout does not shift under the pointer (the press's click lands where
// it was aimed).
let pressed = false;
document.addEventListener("pointerdown", () => (pressed = true), true);
document.addEventListener("pointerup", () => (pressed = false), true);

function closeOnLeave(field, close) {
  field.addEventListener("blur", () => {
    if (!pressed) return close();
    document.addEventListener("pointerup", () => setTimeout(close, 0), { once: true, capture: true });
  });
}

export function memberPicker({ input, listbox, hint, noneHint }) {
  let members = [];
  let chosen = null; // the member chosen, or null for nobody
  const options = memberOptions({ listbox, owner: input, onChoose: choose });

  function describe() {
    hint.textContent = chosen ? `${personName(chosen)} · ${chosen.email}` : noneHint;
  }

  function matching(text) {
    // the text of a chosen member matches everyone again: the whole list to choose from
    if (chosen && fold(text) === fold(personName(chosen))) return members;
    return matchingMembers(members, text);
  }

  function draw() {
    options.draw([null, ...matching(input.value)]);
  }

  function open() {
    if (!isOpen()) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    options.setActive(-1);
  }

  function isOpen() {
    return !listbox.hidden;
  }

  function choose(member) {
    chosen = member;
    input.value = member ? personName(member) : "";
    describe();
    close();
  }

  function move(step) {
    if (!isOpen()) {
      draw();
      open();
    }
    options.move(step);
  }

  input.addEventListener("input", () => {
    options.setActive(-1);
    draw();
    open();
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (event.altKey) {
        draw();
        open();
      } else {
        move(1);
      }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(-1);
    } else if (event.key === "Enter") {
      const current = options.current();
      if (isOpen() && current !== undefined) {
        event.preventDefault(); // choosing, not sending the form
        choose(current);
      } else if (isOpen()) {
        close();
      }
    } else if (event.key === "Escape") {
      if (isOpen()) {
        event.preventDefault(); // the list closes, not the dialog
        event.stopPropagation();
        close();
      }
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("click", () => {
    if (isOpen()) return close();
    draw();
    open();
  });
  closeOnLeave(input, close);

  return {
    setMembers(list) {
      members = list;
    },
    // the person assigned (a user with an email), or null for nobody
    set(user) {
      const wanted = user ? fold(user.email) : "";
      choose(wanted ? members.find((m) => fold(m.email) === wanted) || user : null);
    },
    // the member the text names: the one chosen, or one whose email (or unique name) it is
    resolve() {
      const text = fold(input.value);
      if (!text) return null;
      if (chosen && text === fold(personName(chosen))) return chosen;
      const byEmail = members.find((m) => fold(m.email) === text);
      if (byEmail) return byEmail;
      const byName = members.filter((m) => fold(personName(m)) === text);
      return byName.length === 1 ? byName[0] : undefined;
    },
    close,
  };
}

// ------------------------------------------------------------------ mentions
const MENTION_AT = /(?:^|\s)@([^\s@]*(?: [^\s@]*){0,2})$/; // "@", then up to three words
const SHOWN = 8; // at most this many members offered at once
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// Whether `text` holds "@name" as a whole (not the start of a longer name).
export function mentionedIn(text, name) {
  return new RegExp(`(?:^|\\s)@${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, "u").test(text);
}

// `textarea` takes the text; `listbox` (a role="listbox" <ul>) offers the members; `status` (a
// polite live region) tells how many match; `changed(members)` hears who is mentioned now.
// The textarea is the listbox's owner: aria-controls, aria-autocomplete="list" and, while an
// option has the visual focus, aria-activedescendant (a textarea takes no aria-expanded).
export function mentionPicker({ textarea, listbox, status, changed = () => {} }) {
  let members = [];
  let picked = []; // the members picked (and, when editing, those mentioned before)
  let at = -1; // where the "@" being completed is
  let done = null; // the mention just put in: {at, text}, not offered again while it stands
  const options = memberOptions({ listbox, owner: textarea, onChoose: choose });
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", listbox.id);

  const isOpen = () => !listbox.hidden;

  function close() {
    if (isOpen()) status.textContent = "";
    listbox.hidden = true;
    options.setActive(-1);
  }

  // "@" and what follows it up to the caret, or null when the caret is not in a mention
  function typed() {
    const caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) return null;
    const before = textarea.value.slice(0, caret);
    const match = MENTION_AT.exec(before);
    if (!match) return null;
    const start = caret - match[1].length - 1;
    if (done && done.at === start && before.slice(start).startsWith(done.text)) return null;
    return { start, text: match[1] };
  }

  function offer() {
    const mention = typed();
    const found = mention ? matchingMembers(members, mention.text).slice(0, SHOWN) : [];
    if (!found.length) return close();
    at = mention.start;
    const count = options.count();
    options.setActive(-1);
    options.draw(found);
    if (!isOpen()) {
      listbox.hidden = false;
      listbox.scrollIntoView({ block: "nearest" }); // the whole list in sight, in a scrolled panel
    }
    if (count !== found.length || !status.textContent) {
      status.textContent =
        `${found.length} ${found.length === 1 ? "member matches" : "members match"}: ` +
        "arrow keys to move, Enter to mention.";
    }
  }

  function choose(member) {
    if (!member) return;
    const text = `@${personName(member)} `;
    textarea.setRangeText(text, at, textarea.selectionStart, "end");
    done = { at, text };
    if (!picked.some((m) => fold(m.email) === fold(member.email))) picked.push(member);
    close();
    textarea.focus();
    changed(mentioned());
  }

  function mentioned() {
    return picked.filter((m) => mentionedIn(textarea.value, personName(m)));
  }

  textarea.addEventListener("input", () => {
    offer();
    changed(mentioned());
  });

  textarea.addEventListener("keydown", (event) => {
    if (!isOpen()) return;
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      options.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && plain && options.current()) {
      event.preventDefault(); // a mention, not a new line
      choose(options.current());
    } else if (event.key === "Escape") {
      event.preventDefault(); // the list closes, not the dialog
      event.stopPropagation();
      close();
    } else if (event.key === "Tab" || event.key === "Enter") {
      close();
    }
  });
  closeOnLeave(textarea, close);

  return {
    setMembers(list) {
      members = list;
    },
    // start again: no mention picked (or those of a comment being edited)
    reset(mentions = []) {
      picked = [...mentions];
      done = null;
      close();
      changed(mentioned());
    },
    // the addresses of the people mentioned (picked, and still named in the text)
    mentions: () => mentioned().map((m) => m.email),
    close,
  };
}
