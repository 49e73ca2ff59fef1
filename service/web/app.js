// The page of jose-service's browser mode: plain JavaScript, no build step. It never sees a
// token: every call goes to /session/* with the HttpOnly session cookie (sent by the browser)
// and the custom header the server's CSRF defence requires.
"use strict";

const CSRF = { "X-Requested-With": "jose-session" };
let refreshTimer = null;

const $ = (id) => document.getElementById(id);

function show(id, visible) {
  $(id).hidden = !visible;
}

function say(text) {
  $("status").textContent = text;
}

function fail(text) {
  $("error").textContent = text;
  show("error", text !== "");
}

function clock(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString();
}

// A call to the service: { status, data, retryAfter }; a network failure is reported as
// status 0.
async function call(method, path, form) {
  const init = { method, headers: { ...CSRF }, credentials: "same-origin", cache: "no-store" };
  if (form !== undefined) {
    init.headers["Content-Type"] = "application/x-www-form-urlencoded";
    init.body = new URLSearchParams(form).toString();
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    return { status: 0, data: null, retryAfter: null };
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
  }
  return { status: response.status, data, retryAfter: response.headers.get("Retry-After") };
}

// What to tell the person about an answer that is not a success.
function explain(answer) {
  const code = answer.data && answer.data.error;
  if (answer.status === 0) return "The service cannot be reached. Check the connection and try again.";
  if (answer.status === 429) {
    return `Too many failed attempts. Try again in ${answer.retryAfter || "a few"} seconds.`;
  }
  if (answer.status === 503) return "The service is busy. Try again in a moment.";
  if (code === "invalid_grant") return "Wrong user name or password.";
  if (code === "insufficient_role") return "You do not have the role this needs (admin).";
  if (code === "insufficient_scope") return "You do not have the scope this needs (reports:read).";
  if (code && code.startsWith("csrf_")) return "The request was refused as a possible cross-site request forgery.";
  if (answer.status === 401) return "Your session has ended. Please sign in again.";
  return `Something went wrong (HTTP ${answer.status}).`;
}

function signedOut(message) {
  clearTimeout(refreshTimer);
  show("signed-in", false);
  show("signed-out", true);
  show("result", false);
  fail(message || "");
  say("");
}

// Schedules the silent refresh when three quarters of the access token's life are gone.
function schedule(expiresAt) {
  clearTimeout(refreshTimer);
  const left = expiresAt * 1000 - Date.now();
  refreshTimer = setTimeout(() => refresh(true), Math.max(2000, left * 0.75));
}

function signedIn(me) {
  $("sub").textContent = me.sub;
  $("roles").textContent = me.roles && me.roles.length ? me.roles.join(", ") : "none";
  $("scopes").textContent = me.scope || "none";
  $("client").textContent = me.client_id;
  $("expires").textContent = clock(me.exp);
  show("signed-out", false);
  show("signed-in", true);
  schedule(me.exp);
}

async function whoAmI() {
  const answer = await call("GET", "/session/me");
  if (answer.status === 200) {
    signedIn(answer.data);
    return true;
  }
  if (answer.status === 401) {
    signedOut("");
  } else {
    fail(explain(answer));
  }
  return false;
}

async function refresh(silent) {
  const answer = await call("POST", "/session/refresh");
  if (answer.status === 200) {
    $("expires").textContent = clock(answer.data.expires_at);
    $("refreshed").textContent =
      `${new Date().toLocaleTimeString()} (${silent ? "silent" : "asked"})`;
    schedule(answer.data.expires_at);
    fail("");
    say(silent ? "The session was refreshed in the background." : "The session was refreshed.");
  } else if (answer.status === 401) {
    signedOut(explain(answer));
  } else {
    fail(explain(answer));
    schedule(Date.now() / 1000 + 10);
  }
}

async function signIn(event) {
  event.preventDefault();
  const form = new FormData($("login"));
  const answer = await call("POST", "/session/login", {
    username: form.get("username"),
    password: form.get("password"),
  });
  if (answer.status !== 200) {
    fail(explain(answer));
    return;
  }
  $("login").reset();
  fail("");
  if (await whoAmI()) say(`Signed in as ${answer.data.sub}.`);
}

async function callApi(name) {
  const answer = await call("GET", `/session/api/${name}`);
  if (answer.status === 200) {
    fail("");
    $("result").textContent = JSON.stringify(answer.data, null, 2);
    show("result", true);
    say(`/${name} answered.`);
  } else if (answer.status === 401) {
    signedOut(explain(answer));
  } else {
    show("result", false);
    say("");
    fail(explain(answer));
  }
}

async function signOut() {
  const answer = await call("POST", "/session/logout");
  if (answer.status === 204) {
    signedOut("");
    say("Signed out.");
  } else {
    fail(explain(answer));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login").addEventListener("submit", signIn);
  $("admin").addEventListener("click", () => callApi("admin"));
  $("reports").addEventListener("click", () => callApi("reports"));
  $("refresh").addEventListener("click", () => refresh(false));
  $("logout").addEventListener("click", signOut);
  whoAmI();
});
