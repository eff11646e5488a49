// A picker of a project's members: an editable combobox with list autocomplete (the WAI-ARIA
// combobox pattern). Typing filters the members by name or email; Down/Up move through the
// options (Alt+Down opens the list without moving), Enter chooses, Escape closes the list.
// "Nobody" (the first option, or an empty field) unassigns. Only a member can be chosen:
// `resolve()` answers the member the field names, null for nobody, or undefined when its text
// names no member (the caller says so instead of saving).
import { h, personName } from "./ui.js";

const fold = (text) => String(text).trim().toLowerCase();

export function memberPicker({ input, listbox, hint, noneHint }) {
  let members = [];
  let shown = []; // the options drawn: null (Nobody) then the members matching the text
  let active = -1; // the index in `shown` of the option with the visual focus, or -1
  let chosen = null; // the member chosen, or null for nobody
  const optionId = (i) => `${listbox.id}-${i}`;

  function describe() {
    hint.textContent = chosen ? `${personName(chosen)} · ${chosen.email}` : noneHint;
  }

  function matching(text) {
    const wanted = fold(text);
    // the text of a chosen member matches everyone again: the whole list to choose from
    if (!wanted || (chosen && wanted === fold(personName(chosen)))) return members;
    return members.filter((m) => fold(personName(m)).includes(wanted) || fold(m.email).includes(wanted));
  }

  function draw() {
    shown = [null, ...matching(input.value)];
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

  function open() {
    if (!isOpen()) {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
  }

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  function isOpen() {
    return !listbox.hidden;
  }

  function setActive(index) {
    active = index;
    for (const option of listbox.children) {
      option.setAttribute("aria-selected", String(Number(option.dataset.index) === index));
    }
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", optionId(index));
      const option = document.getElementById(optionId(index));
      if (option) option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
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
    const count = shown.length;
    const start = active >= 0 ? active : step > 0 ? -1 : count;
    setActive((start + step + count) % count);
  }

  input.addEventListener("input", () => {
    active = -1;
    draw();
    open();
    setActive(-1);
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
      if (isOpen() && active >= 0) {
        event.preventDefault(); // choosing, not sending the form
        choose(shown[active]);
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
  // Leaving the field closes the list; when a press elsewhere moved the focus, only once that
  // press is over, so the layout does not shift under the pointer (the press's click lands
  // where it was aimed).
  let pressed = false;
  document.addEventListener("pointerdown", () => (pressed = true), true);
  document.addEventListener("pointerup", () => (pressed = false), true);
  input.addEventListener("blur", () => {
    if (!pressed) return close();
    document.addEventListener("pointerup", () => setTimeout(close, 0), { once: true, capture: true });
  });

  // the mouse: a press on an option keeps the focus in the field, its click chooses
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(shown[Number(option.dataset.index)]);
    input.focus();
  });

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
