// /signin/: sign in with email and password; manager sign-up by emailed code in three steps
// (send code → confirm code → names and password).
import { api, isSignedIn, signIn, storeTokens } from "./api.js";
import { $, busy, clearErrors, fieldError, flash, personName, showAccount, showError } from "./ui.js";

const params = new URLSearchParams(location.search);
// Only a page of this site: "//evil.example" or "/\evil.example" would leave it.
const target = new URL(params.get("next") || "/projects/", location.origin);
const next = target.origin === location.origin ? target.pathname + target.search : "/projects/";
if (params.get("expired")) flash("Your session has ended. Please sign in again.");

function required(form, names) {
  clearErrors(form);
  let ok = true;
  for (const name of names) {
    const input = form.elements[name];
    if (!input.value.trim()) {
      fieldError(form, name, `Enter your ${input.labels[0].textContent.toLowerCase()}.`);
      ok = false;
    }
  }
  if (!ok) {
    $(".form-error", form).textContent = "Please fill in the marked fields.";
    form.querySelector("[aria-invalid='true']").focus();
  }
  return ok;
}

// ------------------------------------------------------------------ sign in
const signinForm = $("#signin-form");
signinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!required(signinForm, ["email", "password"])) return;
  const { email, password } = signinForm.elements;
  await busy(signinForm.querySelector("[type=submit]"), async () => {
    try {
      await signIn(email.value.trim(), password.value);
      location.assign(next);
    } catch (error) {
      showError(signinForm, error);
      if (error.status === 401) password.select();
    }
  });
});

if (isSignedIn()) {
  api("GET", "/api/auth/me/")
    .then((user) => {
      showAccount(user);
      const note = $("#signed-in-as");
      note.replaceChildren(`You are signed in as ${personName(user)}. `);
      const link = document.createElement("a");
      link.href = next;
      link.textContent = "Continue";
      note.append(link);
      note.hidden = false;
    })
    .catch(() => {});
}

// ------------------------------------------------------------------ manager sign-up
const emailForm = $("#signup-email-form");
const codeForm = $("#signup-code-form");
const accountForm = $("#signup-account-form");
const state = { email: "", emailToken: "" };

function step(form) {
  for (const f of [emailForm, codeForm, accountForm]) f.hidden = f !== form;
  const first = form.querySelector("input");
  if (first) first.focus();
}

emailForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!required(emailForm, ["email"])) return;
  const email = emailForm.elements.email.value.trim();
  await busy(emailForm.querySelector("[type=submit]"), async () => {
    try {
      const answer = await api("POST", "/api/auth/send-otp/", { body: { email }, auth: false });
      state.email = email;
      $("#signup-code-sent").textContent = `${answer.detail} (${email})`;
      codeForm.elements.otp.value = "";
      clearErrors(codeForm);
      step(codeForm);
    } catch (error) {
      showError(emailForm, error);
    }
  });
});

codeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!required(codeForm, ["otp"])) return;
  const otp = codeForm.elements.otp.value.trim();
  await busy(codeForm.querySelector("[type=submit]"), async () => {
    try {
      const answer = await api("POST", "/api/auth/verify-otp/", {
        body: { email: state.email, otp },
        auth: false,
      });
      state.emailToken = answer.email_token;
      $("#signup-confirmed").textContent = `${state.email} is confirmed. Now choose your name and password.`;
      clearErrors(accountForm);
      step(accountForm);
    } catch (error) {
      showError(codeForm, error, { otp_invalid: "otp", otp_expired: "otp" });
    }
  });
});

codeForm.querySelector("[data-action=restart]").addEventListener("click", () => {
  clearErrors(emailForm);
  step(emailForm);
});

accountForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!required(accountForm, ["first_name", "last_name", "password"])) return;
  const f = accountForm.elements;
  await busy(accountForm.querySelector("[type=submit]"), async () => {
    try {
      const pair = await api("POST", "/api/auth/register/manager/", {
        body: {
          email_token: state.emailToken,
          password: f.password.value,
          first_name: f.first_name.value.trim(),
          last_name: f.last_name.value.trim(),
        },
        auth: false,
      });
      storeTokens(pair);
      location.assign("/projects/");
    } catch (error) {
      if (error.code === "email_token_invalid") {
        step(emailForm);
        $(".form-error", emailForm).textContent =
          "Your confirmation has expired or was already used. Send a new code.";
      } else if (error.code === "email_taken") {
        showError(accountForm, error);
        $(".form-error", accountForm).textContent =
          "An account already exists for this address. Sign in instead.";
      } else {
        showError(accountForm, error);
      }
    }
  });
});
