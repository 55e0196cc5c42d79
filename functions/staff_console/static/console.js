// The staff console: a page of the staff API. It keeps no session on a server: the token lives in
// this tab's sessionStorage and goes in the Authorization header. Everything a subject wrote is
// put on the page as text (textContent), never as markup.
"use strict";

const TOKEN_KEY = "privacy-desk-staff-token";
// The page is served at <API base>/console: the staff API is under the same base (in AWS, the
// stage: /prod).
const API_BASE = location.pathname.replace(/\/console\/?$/, "");
const DAY_MS = 24 * 3600 * 1000;

// --- the staff catalog --------------------------------------------------------------------------

// Every text the console shows goes through t(), or tn() where it counts something, written as
// its English text: `make messages` extracts each call into the staff catalog
// (functions/dsr/locale/<language>/LC_MESSAGES/staff.po), and console/messages.json serves that
// catalog in the console's language before the first page is drawn. A message the catalog does
// not hold is shown as its English text, never blank. Placeholders are {name}, filled from the
// values given. Labels written in a table before the catalog is read are marked with S_() and go
// through t() where they are shown.
let catalog = { language: "en", plural_categories: ["one", "other"], messages: {} };
let catalogRead = null;

async function readCatalog() {
  try {
    const answer = await fetch(`${API_BASE}/console/messages.json`, { credentials: "omit" });
    if (answer.ok) catalog = { ...catalog, ...(await answer.json()) };
  } catch (_) {
    // Shown in English, the messages' own text.
  }
}

function S_(text) {
  return text;
}

function filled(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}

function t(text, values = {}) {
  const translated = (catalog.messages || {})[text];
  return filled(typeof translated === "string" && translated ? translated : text, values);
}

// The form the console's language uses for `count` (the catalog lists its forms in the order of
// plural_categories), with {count} and the values filled.
function tn(singular, plural, count, values = {}) {
  const forms = (catalog.messages || {})[singular];
  let text = null;
  if (Array.isArray(forms) && forms.length) {
    const category = new Intl.PluralRules(catalog.language.replace("_", "-")).select(count);
    const index = (catalog.plural_categories || []).indexOf(category);
    text = forms[index < 0 ? forms.length - 1 : Math.min(index, forms.length - 1)];
  }
  if (!text) text = new Intl.PluralRules("en").select(count) === "one" ? singular : plural;
  return filled(text, { count, ...values });
}

// A word from one of the tables below, or what came, as it came, when the table does not know it.
function wordFor(table, key) {
  return Object.hasOwn(table, key) ? t(table[key]) : key;
}

// Denial reasons staff choose from: the Data Rights Protocol's, then the desk's own
// (dsr.review.denial_reasons). The console sends the code; the subject is sent the reason in the
// language of their request, then staff's explanation as written. Staff see the label in the
// console's language.
const DENIAL_REASONS = [
  ["insuf_verification", S_("We could not verify your identity well enough for this request")],
  ["no_match", S_("We hold no personal data that matches the details you gave")],
  ["suspected_fraud", S_("We have reason to believe the request was not made by you")],
  ["claim_not_covered", S_("The law does not give this right for this data")],
  ["outside_jurisdiction", S_("The law you relied on does not apply to us for this data")],
  ["too_many_requests", S_("You have made this request too often in the period the law allows")],
  ["legal_obligation", S_("The law requires us to keep this data")],
  ["other", S_("Another reason, explained below")],
];

const STATUS_LABELS = {
  RECEIVED: S_("Received"),
  VERIFYING: S_("Verifying identity"),
  AWAITING_APPROVAL: S_("Awaiting approval"),
  IN_PROGRESS: S_("In progress"),
  COMPLETED: S_("Completed"),
  PARTIALLY_COMPLETED: S_("Partially completed"),
  DENIED: S_("Denied"),
  UNVERIFIABLE: S_("Unverifiable"),
  FAILED: S_("Failed"),
  LINKED: S_("Linked to another request"),
  CANCELLED: S_("Cancelled"),
};

// A request's status as staff read it: the desk's label for it, else the table's.
function statusLabel(request) {
  return request.status_label || wordFor(STATUS_LABELS, request.status);
}

// --- small helpers ------------------------------------------------------------------------------

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(visibleText(String(child))));
  }
  return node;
}

// Control characters in text someone else wrote are shown as marks, never obeyed: U+202E would
// turn what follows around, NUL and ESC mean nothing to a reader. C0 controls and DEL become
// their control pictures (NUL as "␀"), the others (bidirectional controls, separators) "⟨U+202E⟩".
// Line breaks and tabs stay. The command line does the same (dsr.core.display_text).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

function visibleText(text) {
  return text.replace(CONTROLS, (character) => {
    const code = character.codePointAt(0);
    if (code < 0x20) return String.fromCodePoint(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return `\u27e8U+${code.toString(16).toUpperCase().padStart(4, "0")}\u27e9`;
  });
}

// What a subject (or anyone outside the console) wrote, isolated from the text around it: a
// right-to-left name does not reorder the words beside it.
function userText(value) {
  if (value === undefined || value === null || value === "") return value;
  return el("bdi", { class: "user-text" }, String(value));
}

// The page the latest route is showing (null while signing in). A page whose answer arrives after
// the person has moved on to another page is not shown over it.
let routedHash = null;

function show(...nodes) {
  if (routedHash !== null && (location.hash || "#/") !== routedHash) return;
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter((node) => node !== null && node !== undefined));
  main.focus();
}

function moment(iso) {
  return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "–";
}

// Due dates are days where the request's law counts them (the desk sends them so: *_on), as the
// subject is told them; days left are counted there by the desk's clock.
function daysLeftText(left) {
  if (left < 0) return tn("{count} day overdue", "{count} days overdue", -left);
  if (left === 0) return t("due today");
  return tn("{count} day left", "{count} days left", left);
}

function message(text, kind = "") {
  return el("p", { class: `message ${kind}`.trim(), role: kind === "error" ? "alert" : "status" }, text);
}

// --- the staff API ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || t("the desk answered {status}", { status }));
    this.status = status;
    this.body = body || {};
  }
}

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const answer = await fetch(API_BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "omit",
  });
  const text = await answer.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch (_) {
    parsed = { message: text };
  }
  if (answer.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    location.hash = "#/sign-in";
    throw new ApiError(401, parsed);
  }
  if (!answer.ok) throw new ApiError(answer.status, parsed);
  return parsed;
}

function problemText(error) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 409 && error.body.decided_by) {
    return t("{problem} (decided by {name})", { problem: error.message, name: error.body.decided_by });
  }
  if (error.status === 422 && Array.isArray(error.body.errors)) {
    return error.body.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  }
  return error.message;
}

// --- signing in ---------------------------------------------------------------------------------

let config = null;
let me = null;

async function loadConfig() {
  if (config === null) {
    const answer = await fetch(`${API_BASE}/console/config.json`, { credentials: "omit" });
    config = await answer.json();
  }
  return config;
}

// The user pool's hosted page signs staff in (the local cloud plays it with its demonstration
// staff); the console uses the authorization code flow with PKCE (RFC 7636): it sends a SHA-256
// challenge of a random verifier it keeps in this tab, and exchanges the one-time code that comes
// back, with the verifier, for the ID token. A code seen in the address bar or a log is useless
// without the verifier, and no token ever travels in a URL. The state ties the answer to the
// sign-in this tab started.
const SIGN_IN_KEY = "privacy-desk-sign-in";

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(byteCount) {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

async function startSignIn() {
  const settings = await loadConfig();
  if (!window.crypto || !crypto.subtle) {
    // Browsers give pages on plain http (other than this machine's own address) no WebCrypto.
    await signInPage(t("Sign-in needs the console opened over https."));
    return;
  }
  const verifier = randomText(32);
  const state = randomText(16);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(SIGN_IN_KEY, JSON.stringify({ state, verifier }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: settings.client_id,
    redirect_uri: settings.redirect_uri,
    scope: settings.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(`${settings.authorize_url}?${query}`);
}

// Back from the hosted page with ?code=...&state=... (or ?error=...): exchange the code, then take
// it out of the address bar. Returns a problem to show, or null.
async function finishSignIn() {
  const answer = new URLSearchParams(location.search);
  if (!answer.has("code") && !answer.has("error")) return null;
  history.replaceState(null, "", `${location.pathname}#/`);
  const pending = JSON.parse(sessionStorage.getItem(SIGN_IN_KEY) || "null");
  sessionStorage.removeItem(SIGN_IN_KEY);
  if (answer.has("error")) {
    // Only the error's code is read: the address is anyone's to write, so its free text is not shown.
    const code = answer.get("error");
    if (code === "access_denied") return t("Sign-in was not completed: it was cancelled or refused on the sign-in page.");
    return /^[a-z_]{1,40}$/.test(code)
      ? t("Sign-in was not completed: the sign-in page answered {code}. Sign in again.", { code })
      : t("Sign-in was not completed: the sign-in page answered with an error. Sign in again.");
  }
  if (!pending || pending.state !== answer.get("state")) {
    return t("Sign-in was not completed: the answer does not belong to a sign-in started in this tab. Sign in again.");
  }
  const settings = await loadConfig();
  let exchanged;
  try {
    exchanged = await fetch(settings.token_url, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: settings.client_id,
        code: answer.get("code"),
        redirect_uri: settings.redirect_uri,
        code_verifier: pending.verifier,
      }),
      credentials: "omit",
    });
  } catch {
    return t("Sign-in was not completed: the sign-in service could not be reached. Sign in again.");
  }
  const body = await exchanged.json().catch(() => ({}));
  if (!exchanged.ok || !body.id_token) {
    const why = body.error_description || body.error || t("the sign-in service answered {status}", { status: exchanged.status });
    return t("Sign-in was not completed: {problem}. Sign in again.", { problem: why });
  }
  sessionStorage.setItem(TOKEN_KEY, body.id_token);
  me = null;
  return null;
}

// Routing runs again on every hash change: one that comes while a code is being exchanged waits
// for the exchange rather than finding no token yet and showing the sign-in page.
let signInUnderWay = null;

async function completeSignIn() {
  if (signInUnderWay) {
    await signInUnderWay;
    return null;
  }
  signInUnderWay = finishSignIn();
  try {
    return await signInUnderWay;
  } finally {
    signInUnderWay = null;
  }
}

async function signInPage(problem) {
  document.getElementById("console-nav").hidden = true;
  const settings = await loadConfig();
  if (!settings.authorize_url) {
    show(el("h1", {}, t("Sign in")), message(t("Sign-in is not configured for this deployment."), "error"));
    return;
  }
  // The sign-in page sends members back to one address, and what this tab keeps for the sign-in
  // stays with this address's origin: start from there.
  const home = new URL(settings.redirect_uri, location.href);
  if (home.origin !== location.origin) {
    show(el("h1", {}, t("Sign in")), message(t("Staff sign in at {address}, where the sign-in page sends them back.", { address: home.href })),
      el("p", {}, el("a", { href: home.href }, t("Go to the console's address"))));
    return;
  }
  show(
    el("h1", {}, t("Sign in")),
    problem ? message(problem, "error") : el("div"),
    el("p", {}, settings.local
      ? t("The local cloud's sign-in page offers its demonstration staff.")
      : t("You sign in on your organisation's staff sign-in page, then come back here.")),
    el("button", {
      type: "button",
      onclick: () => startSignIn().catch((error) => signInPage(t("Sign-in could not start: {problem}.", { problem: error }))),
    }, t("Continue to sign in")),
  );
}

async function whoAmI() {
  if (me === null) me = await api("GET", "/staff/me");
  document.getElementById("console-nav").hidden = false;
  const who = document.getElementById("who");
  who.replaceChildren(`${me.username} · ${me.groups.join(", ")} `,
    el("button", { class: "secondary", type: "button", onclick: signOut }, t("Sign out")));
  return me;
}

// Signing out forgets the token here and ends the session on the sign-in page too, which would
// otherwise sign the next person at this browser straight back in as this member.
async function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  document.getElementById("who").replaceChildren();
  document.getElementById("console-nav").hidden = true;
  const settings = await loadConfig();
  if (settings.logout_url) {
    const query = new URLSearchParams({ client_id: settings.client_id, logout_uri: settings.redirect_uri });
    location.assign(`${settings.logout_url}?${query}`);
    return;
  }
  location.hash = "#/sign-in";
}

// --- the queue ----------------------------------------------------------------------------------

// One due date as staff read it: the day, where the request's law counts it, and the days left.
function dueText(dayText, left) {
  return `${dayText} (${daysLeftText(left)})`;
}

// Tables scroll inside their own box on a narrow screen; the page itself never grows wider.
function scrolling(table) {
  return el("div", { class: "table-scroll" }, table);
}

// A row whose cells carry their column's name: on a phone a "cards" table shows each row as a
// card of name and value (console.css), with nothing to scroll sideways.
function labelledRow(columns, cells) {
  return el("tr", {}, cells.map((cell, index) => {
    cell.setAttribute("data-label", t(columns[index]));
    return cell;
  }));
}

const QUEUE_COLUMNS = [S_("Reference"), S_("Due"), S_("Legal date"), S_("Status"), S_("Asked for"), S_("Jurisdiction"),
  S_("Channel"), S_("Subject"), S_("Received"), S_("Assigned to")];
const SELECT_COLUMN = S_("Select");

// A table's head, its columns' names in the console's language.
function tableHead(columns) {
  return el("thead", {}, el("tr", {}, columns.map((name) => el("th", { scope: "col" }, t(name)))));
}

// What staff may do to a selection of the queue at once (the staff API's bulk actions).
const BULK_ACTIONS = [
  ["close_as_spam", S_("Close as spam")],
  ["close_as_duplicate", S_("Close as a duplicate")],
  ["approve", S_("Approve")],
  ["deny", S_("Deny")],
  ["assign", S_("Assign")],
];

// Each kind of flood, as a sentence with its count and the days it spans.
function floodText(group) {
  const values = { count: group.count, first: group.first_received_at.slice(0, 10), last: group.last_received_at.slice(0, 10) };
  if (group.kind === "subject") return tn("{count} request for one subject, received {first} to {last}", "{count} requests for one subject, received {first} to {last}", group.count, values);
  if (group.kind === "agent") return tn("{count} request from one authorized agent, received {first} to {last}", "{count} requests from one authorized agent, received {first} to {last}", group.count, values);
  return tn("{count} request in near-identical words, received {first} to {last}", "{count} requests in near-identical words, received {first} to {last}", group.count, values);
}

// The form that acts on the selected requests: each is decided on its own, and the answer says
// which ones the action did not fit, and why.
function selectionForm(selected, onDone) {
  const problems = el("div", { role: "status" });
  const action = el("select", {}, BULK_ACTIONS.map(([value, label]) => el("option", { value }, t(label))));
  const code = el("select", {}, DENIAL_REASONS.map(([value, label]) => el("option", { value }, t(label))));
  const reason = el("textarea", { rows: 2, maxlength: 2000 });
  const assignee = el("input", { type: "text", autocomplete: "off", maxlength: 200 });
  const codeField = field("bulk-code", t("Reason for the denial"), code);
  const reasonField = field("bulk-reason", t("Reason, sent to each subject as written"), reason);
  const assigneeField = field("bulk-assignee", t("Assign to (staff user name)"), assignee);
  const count = el("span", {});
  const shape = () => {
    codeField.hidden = action.value !== "deny";
    reasonField.hidden = !["deny", "close_as_spam", "close_as_duplicate"].includes(action.value);
    assigneeField.hidden = action.value !== "assign";
    count.textContent = tn("Apply to {count} selected request", "Apply to {count} selected requests", selected().length, { count: selected().length });
  };
  action.addEventListener("change", shape);
  const form = el("form", {
    class: "bulk", "aria-label": t("Act on the selected requests"),
    onsubmit: async (event) => {
      event.preventDefault();
      const ids = selected();
      if (!ids.length) {
        problems.replaceChildren(message(t("Select at least one request first."), "error"));
        return;
      }
      const body = { action: action.value, request_ids: ids };
      if (action.value === "deny") body.reason_code = code.value;
      if (!reasonField.hidden && reason.value.trim()) body.reason = reason.value.trim();
      if (action.value === "assign") body.assignee = assignee.value.trim();
      try {
        const results = await api("POST", "/staff/bulk", body);
        const refused = results.filter((r) => !r.done);
        const done = results.length - refused.length;
        const notDone = el("ul", {}, refused.map((r) => el("li", {}, `${r.request_id.slice(0, 8)}: `, userText(r.problem))));
        problems.replaceChildren(
          message(tn("{count} request done.", "{count} requests done.", done, { count: done }), refused.length ? "" : "success"),
          ...(refused.length ? [notDone] : []));
        await onDone(problems);
      } catch (error) {
        problems.replaceChildren(message(problemText(error), "error"));
      }
    },
  },
  el("h2", {}, t("Act on the selected requests")),
  field("bulk-action", t("Action"), action), codeField, reasonField, assigneeField,
  el("div", { class: "form-buttons" }, el("button", { type: "submit" }, count)),
  problems);
  shape();
  return { form, refresh: shape };
}

async function queuePage(kept = null) {
  const member = await whoAmI();
  const mayBulk = member.may.includes("bulk");
  // The desk sends the queue most urgent first: by the day in the Due column (the internal
  // target where it comes before the legal date), then the legal date.
  const [requests, floods] = await Promise.all([api("GET", "/staff/requests"), api("GET", "/staff/floods")]);
  const held = member.may.includes("review_package") ? (await api("GET", "/staff/packages")).packages : [];
  const overdue = requests.filter((r) => r.legal_days_left < 0).length;
  const thisWeek = requests.filter((r) => r.legal_days_left >= 0 && r.legal_days_left < 7).length;
  const statusFilter = el("select", { id: "status-filter" }, el("option", { value: "" }, t("Any status")),
    Object.entries(STATUS_LABELS).map(([value, label]) => el("option", { value }, t(label))));
  const jurisdictions = [...new Set(requests.map((r) => r.jurisdiction))].sort();
  const jurisdictionFilter = el("select", { id: "jurisdiction-filter" }, el("option", { value: "" }, t("Any jurisdiction")),
    jurisdictions.map((code) => el("option", { value: code }, code)));
  const columns = mayBulk ? [SELECT_COLUMN, ...QUEUE_COLUMNS] : QUEUE_COLUMNS;
  const chosen = new Set();
  const body = el("tbody");
  const shownIds = () => [...body.querySelectorAll("input[data-request]")].map((box) => box.dataset.request);
  const selected = () => shownIds().filter((id) => chosen.has(id));
  const selection = mayBulk ? selectionForm(selected, async (status) => {
    await queuePage(status);
  }) : null;
  const allShown = el("input", { type: "checkbox", id: "select-shown" });
  allShown.addEventListener("change", () => {
    for (const id of shownIds()) {
      if (allShown.checked) chosen.add(id); else chosen.delete(id);
    }
    render();
  });
  const render = () => {
    const rows = requests
      .filter((r) => !statusFilter.value || r.status === statusFilter.value)
      .filter((r) => !jurisdictionFilter.value || r.jurisdiction === jurisdictionFilter.value)
      .map((r) => {
        const reference = r.request_id.slice(0, 8);
        const box = el("input", { type: "checkbox", "data-request": r.request_id, "aria-label": t("Select request {reference}", { reference }) });
        box.checked = chosen.has(r.request_id);
        box.addEventListener("change", () => {
          if (box.checked) chosen.add(r.request_id); else chosen.delete(r.request_id);
          if (selection) selection.refresh();
        });
        return labelledRow(columns, [
          ...(mayBulk ? [el("td", {}, box)] : []),
          el("td", {}, el("a", { href: `#/requests/${encodeURIComponent(r.request_id)}` }, reference)),
          el("td", { class: r.days_left < 0 ? "late due" : "due" }, el("div", {}, dueText(r.due_on, r.days_left),
            r.due_for === "target" ? el("span", { class: "note" }, t("internal target")) : null)),
          el("td", { class: r.legal_days_left < 0 ? "late" : "" }, r.respond_on),
          el("td", {}, statusLabel(r)),
          el("td", {}, (r.request_type_labels || r.request_types).join("; ")),
          el("td", {}, r.jurisdiction),
          el("td", {}, wordFor(CHANNEL_WORDS, r.channel)),
          el("td", {}, userText(r.subject)),
          el("td", {}, r.received_on),
          el("td", {}, r.assigned_to ? userText(r.assigned_to) : "—")]);
      });
    body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: columns.length }, t("No open request matches.")))]));
    if (selection) selection.refresh();
  };
  statusFilter.addEventListener("change", render);
  jurisdictionFilter.addEventListener("change", render);
  render();
  const selectGroup = (group) => {
    statusFilter.value = "";
    jurisdictionFilter.value = "";
    for (const id of group.request_ids) chosen.add(id);
    render();
    const form = document.querySelector("form.bulk select");
    if (form) form.focus();
  };
  const floodList = floods.length ? el("section", { class: "floods", "aria-labelledby": "floods-heading" },
    el("h2", { id: "floods-heading" }, t("Possible floods")),
    el("p", { class: "hint" }, t("Open requests that look like one campaign, each received within a day of the one before. Look before acting: a person may have good reason to ask again.")),
    el("ul", {}, floods.map((group) => el("li", {},
      floodText(group),
      " ",
      mayBulk ? el("button", { type: "button", class: "secondary", onclick: () => selectGroup(group) }, tn("Select this request", "Select these {count} requests", group.count, { count: group.count })) : null)))) : null;
  show(
    el("h1", {}, t("Open requests")),
    el("ul", { class: "counts", "aria-label": t("Deadlines") },
      el("li", { class: "overdue" }, el("strong", {}, String(overdue)), t("overdue")),
      el("li", { class: "soon" }, el("strong", {}, String(thisWeek)), t("due within 7 days")),
      el("li", {}, el("strong", {}, String(requests.length)), t("open"))),
    kept,
    ...(held.length ? [el("h2", {}, t("Access packages waiting for review")), el("ul", { class: "held-packages" }, held.map((p) => el("li", {},
      el("a", { href: `#/requests/${encodeURIComponent(p.request_id)}/package` }, t("Review request {reference}", { reference: p.request_id.slice(0, 8) })),
      " ", t("respond by {day}", { day: p.respond_on }), ": ", el("span", { class: p.legal_days_left < 7 ? "late" : "" }, daysLeftText(p.legal_days_left)))))] : []),
    floodList,
    el("div", { class: "filters" },
      el("div", {}, el("label", { for: "status-filter" }, t("Status")), statusFilter),
      el("div", {}, el("label", { for: "jurisdiction-filter" }, t("Jurisdiction")), jurisdictionFilter),
      mayBulk ? el("div", {}, el("label", { for: "select-shown" }, t("Select every request shown")), allShown) : null),
    el("p", { class: "hint" }, t("Most urgent first, by the Due day: the desk's internal target where it comes before the legal date. Days are counted where each request's law counts them.")),
    scrolling(el("table", { class: "cards", "aria-label": t("Open requests, most urgent first") },
      tableHead(columns),
      body)),
    selection ? selection.form : null,
  );
}

// --- the dashboard ------------------------------------------------------------------------------

// A bar chart in HTML: each label and figure is page text at the page's own size (readable on a
// phone, where a scaled-down drawing would shrink its text), each bar a progress element (no inline
// style, which the page's policy forbids). The same figures are in a table for screen readers and
// for copying.
function barChart(title, rows, labelName, valueName) {
  const largest = Math.max(1, ...rows.map(([, value]) => value));
  const chart = el("div", { role: "img", "aria-label": title, class: "chart" },
    rows.map(([label, value]) => el("div", { class: "chart-row" },
      el("span", { class: "chart-label" }, label),
      el("progress", { class: "chart-bar", max: largest, value }),
      el("span", { class: "chart-value" }, String(value)))));
  const table = el("table", { class: "chart-figures", "aria-label": t("{chart} (figures)", { chart: title }) },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, labelName), el("th", { scope: "col" }, valueName))),
    el("tbody", {}, rows.map(([label, value]) => el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, String(value))))));
  return el("figure", {}, el("figcaption", {}, title), chart, el("details", {}, el("summary", {}, t("Figures")), table));
}

async function dashboardPage() {
  await whoAmI();
  const figures = await api("GET", "/staff/dashboard?weeks=12");
  show(
    el("h1", {}, t("Dashboard")),
    el("ul", { class: "counts", "aria-label": t("Open requests") },
      el("li", { class: "overdue" }, el("strong", {}, String(figures.overdue)), t("overdue")),
      el("li", { class: "soon" }, el("strong", {}, String(figures.due_within_7_days)), t("due within 7 days")),
      el("li", {}, el("strong", {}, String(figures.open_requests)), t("open")),
      el("li", {}, el("strong", {}, figures.median_days_to_close === null ? "–" : String(figures.median_days_to_close)), t("median days to close"))),
    barChart(t("Open requests by status"), Object.entries(figures.by_status).map(([status, count]) => [wordFor(STATUS_LABELS, status), count]), t("Status"), t("requests")),
    barChart(t("Requests received per week (weeks starting Monday)"), figures.received_per_week.map((w) => [w.week_starting, w.received]), t("Week starting"), t("received")),
    barChart(t("Requests received in these weeks and closed, by days to close"), figures.days_to_close.map((b) => [b.label, b.closed]), t("Days to close"), t("closed")),
  );
}

// --- the CCPA 7102 report (admins) ---------------------------------------------------------------

const REPORT_COLUMNS = [
  ["received", S_("Received")],
  ["complied_in_whole", S_("Complied in whole")],
  ["complied_in_part", S_("In part")],
  ["denied", S_("Denied")],
  ["unverifiable", S_("of which unverifiable")],
  ["failed", S_("Failed")],
  ["linked", S_("Linked")],
  ["cancelled", S_("Cancelled")],
  ["pending", S_("Pending")],
  ["median_days", S_("Median days")],
  ["mean_days", S_("Mean days")],
];

async function reportsPage() {
  const member = await whoAmI();
  // Without a year in the address, the desk answers for this year by its own clock.
  const asked = Number(new URLSearchParams(location.hash.split("?")[1] || "").get("year")) || null;
  const heading = el("h1", {}, t("Request metrics (CCPA 7102)"));
  if (!member.may.includes("reports")) {
    show(heading, message(t("The metrics report is for the privacy-admin group."), "error"));
    return;
  }
  const report = await api("GET", asked ? `/staff/reports/metrics?year=${asked}` : "/staff/reports/metrics");
  const year = report.year;
  const picker = el("input", { type: "number", id: "report-year", min: 2000, max: 2100, value: year });
  const download = el("button", {
    type: "button",
    class: "secondary",
    onclick: async () => {
      const answer = await fetch(`${API_BASE}/staff/reports/metrics?year=${year}&format=csv`, {
        headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` },
        credentials: "omit",
      });
      const link = el("a", { href: URL.createObjectURL(await answer.blob()), download: `request-metrics-${year}.csv` });
      link.click();
      URL.revokeObjectURL(link.href);
    },
  }, t("Download as CSV"));
  const rows = report.request_types.map((row) => el("tr", {},
    el("th", { scope: "row" }, row.label || row.request_type),
    REPORT_COLUMNS.map(([key]) => el("td", {}, row[key] ?? "–"))));
  const all = report.request_types.find((row) => row.request_type === "all");
  const signals = report.preference_signals || [];
  const signalTable = signals.length
    ? scrolling(el("table", { "aria-label": t("Global Privacy Control signals received in {year}, by jurisdiction", { year }) },
      tableHead([S_("Jurisdiction"), S_("Signals received"), S_("Opted a person out")]),
      el("tbody", {}, signals.map((row) => el("tr", {},
        el("th", { scope: "row" }, row.jurisdiction), el("td", {}, row.received), el("td", {}, row.opted_out))))))
    : el("p", {}, t("No Global Privacy Control signals were received in {year}.", { year }));
  show(
    heading,
    el("form", {
      class: "filters",
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/reports?year=${picker.value}`;
      },
    }, el("div", {}, el("label", { for: "report-year" }, t("Calendar year")), picker), el("button", { type: "submit" }, t("Show")), download),
    scrolling(el("table", { "aria-label": t("Requests received in {year}, by type", { year }) },
      tableHead([S_("Request type"), ...REPORT_COLUMNS.map(([, name]) => name)]),
      el("tbody", {}, rows))),
    barChart(t("Requests denied in {year}, by reason", { year }), Object.entries(all.denied_by_reason), t("Reason"), t("denied")),
    barChart(t("Median days to respond in {year}, by request type", { year }),
      report.request_types.filter((row) => row.median_days !== null).map((row) => [row.label || row.request_type, row.median_days]),
      t("Request type"), t("median days")),
    el("h2", {}, t("Global Privacy Control signals")),
    signalTable,
  );
}

// --- triage: mail the desk could not turn into a request ---------------------------------------

const TRIAGE_COLUMNS = [S_("Received"), S_("What"), S_("Why"), S_("From"), S_("Request"), S_("Resolve")];

async function triagePage() {
  await whoAmI();
  const items = await api("GET", "/staff/triage");
  const resolveForm = (item) => {
    const note = el("textarea", { id: `note-${item.triage_id}`, name: "note", required: true, maxlength: 2000 });
    const status = el("div", { "aria-live": "polite" });
    const form = el("form", {
      "aria-label": t("Resolve the item received {moment}", { moment: moment(item.at) }),
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api("POST", `/staff/triage/${encodeURIComponent(item.triage_id)}/resolution`, { note: note.value });
          // The form and its button go: the focus goes to what replaces them, not to <body>.
          const resolved = message(t("Resolved by {name}.", { name: me.username }));
          resolved.tabIndex = -1;
          form.replaceWith(resolved);
          resolved.focus();
        } catch (error) {
          status.replaceChildren(message(problemText(error), "error"));
        }
      },
    }, el("label", { for: `note-${item.triage_id}` }, t("What was done about it")), note,
    el("button", { type: "submit" }, t("Resolve")), status);
    return form;
  };
  const rows = items.map((item) => labelledRow(TRIAGE_COLUMNS, [
    el("td", {}, moment(item.at)),
    el("td", {}, item.disposition.replaceAll("_", " ")),
    el("td", {}, userText(item.reason)),
    el("td", {}, item.sender ? userText(item.sender) : "–"),
    el("td", {}, item.request_id
      ? el("a", { href: `#/requests/${encodeURIComponent(item.request_id)}` }, item.request_id.slice(0, 8))
      : "–"),
    el("td", {}, resolveForm(item))]));
  show(el("h1", {}, t("Triage")),
    el("p", { class: "hint" }, t("Emails the desk could not read as a request, or asked staff to handle. Resolve each with a note of what was done.")),
    rows.length
      ? scrolling(el("table", { class: "cards", "aria-label": t("Emails for staff to handle") },
        tableHead(TRIAGE_COLUMNS), el("tbody", {}, rows)))
      : el("p", {}, t("No email is waiting for staff.")));
}

// --- appeals ------------------------------------------------------------------------------------

async function appealsPage() {
  await whoAmI();
  const appeals = await api("GET", "/staff/appeals");
  const rows = appeals.map((a) => el("tr", {},
    el("td", {}, el("a", { href: `#/requests/${encodeURIComponent(a.request_id)}` }, a.request_id.slice(0, 8))),
    el("td", { class: a.days_left < 0 ? "late" : "" }, dueText(a.respond_on, a.days_left)),
    el("td", {}, a.jurisdiction),
    el("td", {}, a.received_on),
    el("td", {}, a.extended ? t("extended") : "")));
  show(el("h1", {}, t("Appeals waiting for an answer")),
    rows.length
      ? scrolling(el("table", {}, tableHead([S_("Reference"), S_("Answer by"), S_("Jurisdiction"), S_("Received"), S_("Extended")]), el("tbody", {}, rows)))
      : el("p", {}, t("No appeal is waiting.")));
}

// --- Data Rights Protocol agents ---------------------------------------------------------------

async function agentsPage() {
  const member = await whoAmI();
  const heading = el("h1", {}, t("Authorized agents (Data Rights Protocol)"));
  if (!member.may.includes("agents")) {
    show(heading, message(t("The agents the desk knows are managed by the privacy-admin group."), "error"));
    return;
  }
  const agents = await api("GET", "/staff/agents");
  const status = el("p", { role: "status" });
  const change = (agent) => el("button", {
    type: "button",
    class: agent.status === "active" ? "danger" : "",
    "data-agent": agent.id,
    onclick: async () => {
      const next = agent.status === "active" ? "suspended" : "active";
      try {
        await api("POST", `/staff/agents/${encodeURIComponent(agent.id)}/status`, { status: next });
        await agentsPage();
        // The page drawn again keeps the keyboard on this agent's button, which now says the other way.
        const again = [...document.querySelectorAll("main button[data-agent]")].find((button) => button.dataset.agent === agent.id);
        if (again) again.focus();
      } catch (error) {
        status.replaceChildren(message(problemText(error), "error"));
      }
    },
  }, agent.status === "active" ? t("Suspend {agent}", { agent: agent.id }) : t("Resume {agent}", { agent: agent.id }));
  const rows = agents.map((agent) => el("tr", {},
    el("td", {}, userText(agent.id)),
    el("td", {}, userText(agent.name)),
    el("td", {}, agent.status),
    el("td", {}, userText(agent.web_url)),
    el("td", {}, change(agent))));
  show(heading,
    el("p", { class: "hint" }, t("A suspended agent's token and key set-up are refused until it is resumed. Add agents with dsr staff agents add FILE.")),
    status,
    rows.length
      ? scrolling(el("table", { "aria-label": t("Authorized agents") },
        tableHead([S_("Id"), S_("Name"), S_("Status"), S_("Web"), S_("Action")]), el("tbody", {}, rows)))
      : el("p", {}, t("The desk knows no agents yet.")));
}

// --- one request --------------------------------------------------------------------------------

// Terms and their values: each term is a message (S_), shown in the console's language.
function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, value]) => value !== undefined).map(([term, value]) => [el("dt", {}, t(term)), el("dd", {}, value ?? "–")]));
}

// What each status means for staff, beside its label: every status has both.
const STATUS_NOTES = {
  RECEIVED: S_("The workflow is starting: the subject is sent the acknowledgement and a code."),
  VERIFYING: S_("Waiting for the subject to prove their identity."),
  AWAITING_APPROVAL: S_("Waiting for a staff decision."),
  IN_PROGRESS: S_("Being carried out in each system; answers from vendors and customers are recorded here."),
  COMPLETED: S_("Closed: carried out in every system."),
  PARTIALLY_COMPLETED: S_("Closed with systems that failed: re-run them before the deadline."),
  DENIED: S_("Closed: refused, and the subject was told why."),
  UNVERIFIABLE: S_("Closed: the subject did not prove their identity in time."),
  FAILED: S_("Closed: the workflow failed; the timeline says where."),
  LINKED: S_("Joined to another request of the same subject: that request answers both."),
  CANCELLED: S_("Closed without action."),
};

function statusNote(request) {
  if (request.status === "COMPLETED" && request.answered_without_systems) return t("Closed: answered, without asking any system.");
  return wordFor(STATUS_NOTES, request.status);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A decision resumes the workflow, which moves the request on a moment later: wait (a little)
// for its status to change before showing it again.
async function statusAfter(requestId, before, attempts = 20) {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const request = await api("GET", `/staff/requests/${encodeURIComponent(requestId)}`);
    if (request.status !== before) return request.status;
    await sleep(500);
  }
  return before;
}

// The request page's state: the request shown, the message from the last action (kept while
// the page refreshes itself) and the action whose form is open.
const requestView = { id: null, shown: null, flash: null, flashStatus: null, openAction: null, watching: null, identity: null, evidence: null, certificate: null };
const problemBox = el("div");

// Each action is a button; its form opens below the buttons, one at a time. An action without a
// form (a rule that says who decides) is a note, always shown.
function actionForm(title, fields, submitLabel, send, buttonClass = "", movesStatusFrom = null) {
  const form = el("form", {
    onsubmit: async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      const requestId = requestView.id;
      try {
        const outcome = await send(new FormData(form));
        requestView.flash = outcome || t("{action}: done.", { action: title });
        requestView.flashStatus = null;
        requestView.openAction = null;
        if (movesStatusFrom) await statusAfter(requestId, movesStatusFrom);
        if (requestView.id === requestId) await showRequest(requestId, { focus: true });
      } catch (error) {
        problemBox.replaceChildren(message(problemText(error), "error"));
        button.disabled = false;
      }
    },
  }, fields, el("div", { class: "form-buttons" },
    el("button", { type: "submit", class: buttonClass }, submitLabel),
    el("button", { type: "button", class: "secondary", onclick: () => openAction(null) }, t("Close"))));
  const closeOnEscape = (event) => {
    if (event.key === "Escape") openAction(null);
  };
  return { title, buttonClass, panel: el("section", { class: "action", "aria-label": title, hidden: true, onkeydown: closeOnEscape }, el("h3", {}, title), form) };
}

function actionNote(title, text) {
  return { title, note: el("section", { class: "action note", "aria-label": title }, el("h3", {}, title), el("p", {}, text)) };
}

function openAction(title) {
  const closing = requestView.openAction;
  requestView.openAction = title;
  for (const button of document.querySelectorAll(".action-buttons button")) {
    button.setAttribute("aria-expanded", String(button.dataset.action === title));
  }
  for (const panel of document.querySelectorAll(".action-panels > section")) {
    panel.hidden = panel.getAttribute("aria-label") !== title;
    if (!panel.hidden) {
      const first = panel.querySelector("select, textarea, input, button");
      if (first) first.focus();
    }
  }
  // A form closed from inside (its Close button, Escape) hides the control the keyboard was on:
  // the focus goes back to the button that opened it, not to <body>.
  const panels = document.querySelector(".action-panels");
  const lost = document.activeElement === document.body || (panels && panels.contains(document.activeElement));
  if (title === null && closing && lost) {
    const opener = [...document.querySelectorAll(".action-buttons button")].find((button) => button.dataset.action === closing);
    if (opener) opener.focus();
  }
}

function actionArea(actions) {
  const forms = actions.filter((action) => action.panel);
  const notes = actions.filter((action) => action.note).map((action) => action.note);
  if (!forms.length && !notes.length) return [el("p", {}, t("Nothing for you to do on this request now."))];
  const buttons = forms.map((action) => el("button", {
    type: "button",
    class: `${action.buttonClass || ""} action-button`.trim(),
    "data-action": action.title,
    "aria-expanded": "false",
    onclick: () => openAction(requestView.openAction === action.title ? null : action.title),
  }, action.title));
  return [
    ...notes,
    forms.length ? el("div", { class: "action-buttons", role: "group", "aria-label": t("Actions") }, buttons) : null,
    el("div", { class: "action-panels" }, forms.map((action) => action.panel)),
  ];
}

function field(id, label, control) {
  control.id = id;
  control.name = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control);
}

// What each system does, in words; the registry's name for a system rather than its id.
const ACTION_WORDS = {
  export: S_("copy"),
  erase: S_("erasure"),
  rectify: S_("correction"),
  restrict: S_("restriction"),
  object: S_("objection"),
  opt_out: S_("opt-out"),
  limit_sensitive: S_("limit on sensitive data"),
  admt_opt_out: S_("opt-out of automated decisions"),
};

// How the subject knows the company, and how the request came, in staff's words.
const RELATIONSHIP_WORDS = {
  account_holder: S_("account holder"),
  customer_contact: S_("a contact in a customer's CRM"),
  marketing_lead: S_("marketing or event sign-up"),
  job_applicant: S_("job applicant"),
  website_visitor: S_("website visitor"),
  other: S_("other, or not said"),
};
const CHANNEL_WORDS = {
  web: S_("web form"),
  email: S_("email"),
  drp: S_("agent (DRP)"),
  gpc: S_("GPC signal"),
};

// A system's outcome in plain words; a status this list does not know is shown as it came.
const OUTCOME_WORDS = {
  done: S_("done"),
  nothing_found: S_("they hold nothing"),
  exempt: S_("kept: an exemption applies"),
  failed: S_("failed"),
  waiting: S_("waiting for an answer"),
};

function systemName(system) {
  return system.system_name || system.system_id;
}

// What staff are told once an appeal is answered, by the appeal's new status.
const APPEAL_ANSWERS = {
  UPHELD: S_("the refusal stands, and the subject has been sent the reasons"),
  REVERSED: S_("the refusal is reversed, and the request is carried out"),
};

function actionsFor(request, member) {
  const id = encodeURIComponent(request.request_id);
  const base = `/staff/requests/${id}`;
  const may = new Set(member.may);
  const actions = [];
  const review = request.review || {};
  // A recommendation is for someone else to decide on: offered to those who cannot decide, and
  // where the four-eyes rule wants a triage before anyone decides.
  const recommending = !may.has("decide") || review.four_eyes;
  if (request.status === "AWAITING_APPROVAL" && may.has("triage") && !review.triaged_by && recommending) {
    actions.push(actionForm(t("Recommend"), [
      field("recommendation", t("Recommendation"), el("select", {},
        el("option", { value: "approve" }, t("approve")), el("option", { value: "deny" }, t("deny")))),
      field("triage-note", t("Why (for whoever decides)"), el("textarea", { required: true, maxlength: 2000 })),
    ], t("Record the recommendation"), async (data) => {
      await api("POST", `${base}/triage`, { recommendation: data.get("recommendation"), note: data.get("triage-note") });
      return t("Recommendation recorded.");
    }));
  }
  // The four-eyes rule for erasure: someone other than the triager decides, after the triage.
  const fourEyesWaits = review.four_eyes && (!review.triaged_by || review.triaged_by === member.username);
  if (request.status === "AWAITING_APPROVAL" && may.has("decide") && fourEyesWaits) {
    actions.push(actionNote(t("Decision"), review.triaged_by
      ? t("You triaged this erasure: another staff member decides it.")
      : t("This erasure is decided after another staff member has triaged it.")));
  }
  if (request.status === "AWAITING_APPROVAL" && may.has("decide") && !fourEyesWaits) {
    if (request.request_types.includes("profiling_review")) {
      // Minnesota 325M.14 subd. 1(g): the subject is told why, and what the review found.
      actions.push(actionForm(t("Answer the profiling review"), [
        el("p", {}, t("Your answer is sent to the subject when the request completes.")),
        field("review-reason", t("Why the decision was made"), el("textarea", { required: true, maxlength: 2000 })),
        field("review-result", t("What the review found (kept or changed, data corrected, what could be done differently)"),
          el("textarea", { required: true, maxlength: 2000 })),
      ], t("Approve with this answer"), async (data) => {
        await api("POST", `${base}/decision`, { decision: "approve",
          review: { decision_reason: data.get("review-reason"), review_result: data.get("review-result") } });
        return (now) => (now.status === "IN_PROGRESS" ? t("Approved: the answer is being sent.") : t("Approved. {note}", { note: statusNote(now) }));
      }, "", request.status));
    } else {
      const withoutSystems = request.answered_without_systems;
      const reached = request.planned_systems || [];
      const without = answeredWithoutSystems(request);
      const what = withoutSystems
        ? t("No system is asked: {answers}. The subject is sent the answer.", { answers: without })
        : [reached.length
          ? tn("The request is carried out in {count} system: {systems}.", "The request is carried out in {count} systems: {systems}.",
            reached.length, { systems: reached.join(", ") })
          : t("The request is carried out in every system that holds the subject's data."),
        without ? ` ${t("Besides, {answers}.", { answers: without })}` : ""].join("");
      const approvedText = (now) => (now.status === "IN_PROGRESS"
        ? (withoutSystems ? t("Approved: the answer is being sent.") : t("Approved: the request is being carried out."))
        : t("Approved. {note}", { note: statusNote(now) }));
      actions.push(actionForm(t("Approve"), [el("p", {}, what)], t("Approve"), async () => {
        await api("POST", `${base}/decision`, { decision: "approve" });
        return approvedText;
      }, "", request.status));
    }
    const reason = el("select", {}, DENIAL_REASONS.map(([value, label]) => el("option", { value }, t(label))));
    // The hint between the label and the box, where it is read before writing.
    const detail = field("deny-detail", t("Explanation sent to the subject"),
      el("textarea", { maxlength: 1500, "aria-describedby": "deny-detail-hint" }));
    detail.lastChild.before(el("p", { class: "hint", id: "deny-detail-hint" },
      t("The subject reads the reason in {language}. Your explanation is sent after it as you write it: write it in {language}, or leave it empty. With Another reason, it is needed.",
        { language: request.language ? request.language_name : t("English") })));
    actions.push(actionForm(t("Deny"), [
      field("deny-reason", t("Reason"), reason),
      detail,
    ], t("Deny"), async (data) => {
      const explanation = String(data.get("deny-detail") || "").trim();
      await api("POST", `${base}/decision`, {
        decision: "deny", reason_code: data.get("deny-reason"), ...(explanation ? { reason: explanation } : {}),
      });
      return t("Denied: the subject has been sent the reason.");
    }, "danger", request.status));
  }
  const open = ["RECEIVED", "VERIFYING", "AWAITING_APPROVAL", "IN_PROGRESS"].includes(request.status);
  if (open && may.has("ask")) {
    const because = el("select", {}, el("option", { value: "clarification" }, t("to clarify the request")),
      el("option", { value: "authentication" }, t("the request cannot be authenticated: more proof of identity")),
      el("option", { value: "suspected_fraud" }, t("fraud is suspected: more proof of identity")));
    actions.push(actionForm(t("Ask for information"), [
      field("question", t("Question sent to the subject"), el("textarea", { required: true, minlength: 10, maxlength: 2000 })),
      field("because", t("Why"), because),
    ], t("Send the question"), async (data) => {
      const answer = await api("POST", `${base}/information-request`, { question: data.get("question"), because: data.get("because") });
      return answer.clock === "paused" ? t("Question sent; the clock stands still until they answer.") : t("Question sent; the clock keeps running.");
    }));
    if (request.deadlines.paused_at) {
      actions.push(actionForm(t("Information received"), [], t("Record the answer"), async () => {
        const answer = await api("POST", `${base}/information-received`);
        return t("The clock runs again; respond by {day} ({place} time).", { day: answer.respond_on, place: request.jurisdiction });
      }));
    }
  }
  if (open && may.has("extend") && !request.deadlines.extended_at && request.deadlines.extended_respond_by) {
    actions.push(actionForm(t("Extend"), [
      field("extension-reason", t("Why more time is needed (sent to the subject)"), el("textarea", { required: true, minlength: 10, maxlength: 1000 })),
    ], t("Extend the deadline"), async (data) => {
      const answer = await api("POST", `${base}/extension`, { reason: data.get("extension-reason") });
      return t("Extended: respond by {day} ({place} time).", { day: answer.respond_on, place: request.jurisdiction });
    }));
  }
  for (const system of request.systems.filter((s) => s.status === "waiting" && s.waiting_on && may.has("confirm"))) {
    const key = `${system.system_id}-${system.action}`;
    actions.push(actionForm(t("Confirm the {action} in {system}", { action: wordFor(ACTION_WORDS, system.action), system: systemName(system) }), [
      field(`answer-${key}`, t("What {who} answered", { who: system.waiting_on }), el("select", {},
        el("option", { value: "done" }, t("done")), el("option", { value: "nothing_found" }, t("they hold nothing")),
        el("option", { value: "failed" }, t("they could not")))),
      field(`note-${key}`, t("Their answer, in short"), el("textarea", { required: true, maxlength: 2000 })),
    ], t("Record the answer"), async (data) => {
      await api("POST", `${base}/systems/${encodeURIComponent(system.system_id)}/${encodeURIComponent(system.action)}/confirmation`,
        { answer: data.get(`answer-${key}`), note: data.get(`note-${key}`) });
      return t("Recorded the answer for {system}.", { system: systemName(system) });
    }));
  }
  if (request.status === "PARTIALLY_COMPLETED" && may.has("rerun")) {
    actions.push(actionForm(t("Re-run failed systems"), [el("p", {}, t("Only the systems that failed are asked again."))], t("Re-run"), async () => {
      await api("POST", `${base}/rerun`);
      return t("Re-running the systems that failed.");
    }, "", request.status));
  }
  if (["RECEIVED", "VERIFYING", "AWAITING_APPROVAL"].includes(request.status) && may.has("cancel")) {
    actions.push(actionForm(t("Cancel"), [
      field("cancel-reason", t("Why (sent to the subject)"), el("textarea", { required: true, minlength: 5, maxlength: 1000 })),
    ], t("Cancel the request"), async (data) => {
      await api("POST", `${base}/cancel`, { reason: data.get("cancel-reason") });
      return t("Cancelled: the subject has been told why.");
    }, "danger"));
  }
  // An access package held for review (the timeline says when it was held and released).
  const held = request.status === "IN_PROGRESS" && request.timeline.some((e) => e.action === "access package held for review")
    && !request.timeline.some((e) => e.action === "package released");
  if (held) {
    const title = t("Review the package");
    actions.push({ title, note: el("section", { class: "action note", "aria-label": title }, el("h3", {}, title),
      el("p", {}, t("The access package waits for review: the subject cannot download it until it is released."), " ",
        may.has("review_package") ? el("a", { href: `#/requests/${id}/package` }, t("Review the access package"))
          : t("A member of the approver group reviews and releases it."))) });
  }
  // An appeal is answered by someone other than whoever refused the request.
  const refusedByMe = request.appeal && request.appeal.original_decision_by === member.username;
  if (request.appeal && request.appeal.status === "OPEN" && may.has("decide") && refusedByMe) {
    actions.push(actionNote(t("Answer the appeal"), t("You refused this request: another staff member answers the appeal.")));
  }
  if (request.appeal && request.appeal.status === "OPEN" && may.has("decide") && !refusedByMe) {
    actions.push(actionForm(t("Answer the appeal"), [
      field("appeal-decision", t("Decision"), el("select", {}, el("option", { value: "uphold" }, t("uphold the refusal")),
        el("option", { value: "reverse" }, t("reverse it and carry the request out")))),
      field("appeal-reason", t("Reasons (sent to the subject)"), el("textarea", { required: true, maxlength: 2000 })),
    ], t("Send the answer"), async (data) => {
      const answer = await api("POST", `${base}/appeal/decision`, { decision: data.get("appeal-decision"), reason: data.get("appeal-reason") });
      return t("Appeal answered: {outcome}.", { outcome: wordFor(APPEAL_ANSWERS, answer.appeal) });
    }));
  }
  return actions;
}

// The subject's full identity is shown only when asked for, with a reason the trail records.
function revealForm(request) {
  if (request.identity_released) {
    return el("section", { "aria-label": t("Identity") },
      message(t("The identity was erased after the request closed; only its keyed hash is kept.")));
  }
  const requestId = request.request_id;
  const shown = el("div", { "aria-live": "polite", id: "identity-shown", tabindex: -1 });
  const showIdentity = (identity) => shown.replaceChildren(identity.reduced
    ? message(t("The identity was erased after the request closed; only its keyed hash is kept."))
    : facts([
      [S_("Email"), userText(identity.email)],
      [S_("Name"), userText(identity.name)],
      [S_("Phone"), userText(identity.phone)],
      [S_("Address"), identity.postal_address ? userText(Object.values(identity.postal_address).filter(Boolean).join(", ")) : null],
      [S_("Account"), userText(identity.account_id)],
      [S_("Agent"), identity.agent_name ? userText(`${identity.agent_name} <${identity.agent_email}>`) : null],
    ]));
  // An identity revealed on this request stays shown while staff stay on it (the page is drawn
  // again after each action); it is kept in this page's memory only, and forgotten on leaving.
  if (requestView.identity && requestView.identity.requestId === requestId) {
    showIdentity(requestView.identity.shown);
    return el("section", { "aria-label": t("Identity") }, shown);
  }
  const reason = el("input", { type: "text", id: "reveal-reason", required: true, minlength: 5, maxlength: 500 });
  const form = el("form", {
    class: "reveal",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const identity = await api("POST", `/staff/requests/${encodeURIComponent(requestId)}/identity`, { reason: reason.value });
        showIdentity(identity);
        form.remove();
        shown.focus(); // the form and its button are gone: the focus goes to what they revealed
        requestView.revealed = true;
        requestView.identity = { requestId, shown: identity };
      } catch (error) {
        shown.replaceChildren(message(problemText(error), "error"));
      }
    },
  }, el("div", { class: "field" }, el("label", { for: "reveal-reason" }, t("Why you need the full identity (recorded)")), reason),
  el("button", { type: "submit", class: "secondary" }, t("Reveal the identity")));
  return el("section", { "aria-label": t("Identity") }, form, shown);
}

// The request's evidence pack, produced when staff ask (the trail records it): its checksum and
// links to its two files, kept shown while staff stay on the request.
function evidenceSection(request) {
  const requestId = request.request_id;
  const produced = el("div", { "aria-live": "polite", id: "evidence-produced", tabindex: -1 });
  const showPack = (pack) => produced.replaceChildren(
    el("p", {}, pack.closed
      ? t("Evidence pack produced {moment}.", { moment: moment(pack.produced_at) })
      : t("Evidence pack as of {moment}: the request is still open.", { moment: moment(pack.produced_at) })),
    facts([
      [S_("SHA-256 of the JSON file"), el("code", { id: "evidence-sha256" }, pack.sha256)],
      [S_("Files"), el("span", {},
        el("a", { href: pack.json_url, id: "evidence-json" }, t("JSON file")), " · ",
        el("a", { href: pack.pdf_url, id: "evidence-pdf" }, t("PDF (prints the checksum)")))],
    ]),
    el("p", { class: "hint" }, tn("The links work for {count} minute.", "The links work for {count} minutes.",
      Math.round(pack.link_seconds / 60))));
  if (requestView.evidence && requestView.evidence.requestId === requestId) showPack(requestView.evidence.pack);
  const button = el("button", {
    type: "button",
    class: "secondary",
    id: "evidence-pack",
    onclick: async () => {
      button.disabled = true;
      try {
        const pack = await api("POST", `/staff/requests/${encodeURIComponent(requestId)}/evidence`);
        requestView.evidence = { requestId, pack };
        showPack(pack);
        produced.focus();
      } catch (error) {
        produced.replaceChildren(message(problemText(error), "error"));
      } finally {
        button.disabled = false;
      }
    },
  }, t("Evidence pack"));
  return [el("h2", {}, t("Evidence")),
    el("p", { class: "hint" }, t("The timeline, verification, decision, systems, notices and deadlines as a JSON file and a PDF, without the subject's identity; kept 24 months.")),
    button, produced, ...certificateControls(request)];
}

// A closed erasure carried out: its subject can be sent a deletion certificate, once per press.
function certificateControls(request) {
  const certifiable = request.request_types.includes("erasure") && !request.identity_released
    && ["COMPLETED", "PARTIALLY_COMPLETED"].includes(request.status);
  if (!certifiable) return [];
  const sent = el("div", { "aria-live": "polite", id: "certificate-sent", tabindex: -1 });
  const showSent = (language) => sent.replaceChildren(
    message(t("Deletion certificate sent to the subject, in {language}, with its PDF.", { language })));
  if (requestView.certificate && requestView.certificate.requestId === request.request_id) showSent(requestView.certificate.language);
  const button = el("button", {
    type: "button",
    class: "secondary",
    id: "deletion-certificate",
    onclick: async () => {
      button.disabled = true;
      try {
        const answer = await api("POST", `/staff/requests/${encodeURIComponent(request.request_id)}/deletion-certificate`);
        requestView.certificate = { requestId: request.request_id, language: answer.language };
        showSent(answer.language);
        sent.focus();
      } catch (error) {
        sent.replaceChildren(message(problemText(error), "error"));
      } finally {
        button.disabled = false;
      }
    },
  }, t("Send deletion certificate"));
  return [el("p", { class: "hint" }, t("The subject is emailed, in their language, where their data was deleted, what was kept and why, and when.")), button, sent];
}

// The last question sent to the subject while it waits for an answer: when, what, and whether the
// clock stands still meanwhile (only where the request's law says so).
function informationAsked(request) {
  const asked = request.information_request;
  if (!asked) return [];
  return [el("h2", { id: "information-asked" }, t("Information asked")), facts([
    [S_("Asked"), t("{moment} by {name}", { moment: moment(asked.asked_at), name: asked.asked_by })],
    [S_("Question"), asked.question ? el("span", { class: "statement" }, userText(asked.question)) : undefined],
    [S_("Clock"), asked.clock_paused
      ? el("strong", {}, t("stands still until the subject answers (since {moment})", { moment: moment(asked.asked_at) }))
      : t("keeps running: the law does not pause it for this question")],
  ])];
}

const SYSTEM_COLUMNS = [S_("System"), S_("Action"), S_("Outcome"), S_("Records"), S_("Note")];
const FAILED_NEXT_STEP = S_("Next: fix the cause, then “Re-run failed systems” (offered once the request closes).");

// Where no system is asked for what the request wants, who answers it instead.
function answeredWithoutSystems(request) {
  const answers = [];
  if (request.request_types.includes("third_party_list")) answers.push(t("the list of third parties comes from the registry"));
  if (request.request_types.includes("profiling_review")) answers.push(t("the review is the staff's answer"));
  return answers.join("; ");
}

// A closed request has no countdown: the day it closed, against the legal date.
function closedText(request) {
  const before = request.closed_days_before_legal;
  if (before === null || before === undefined) return t("closed");
  if (before === 0) return t("closed {day}, on the legal date", { day: request.closed_on });
  return before > 0
    ? tn("closed {day}, {count} day before the legal date", "closed {day}, {count} days before the legal date", before, { day: request.closed_on })
    : tn("closed {day}, {count} day after the legal date", "closed {day}, {count} days after the legal date", -before, { day: request.closed_on });
}

function verificationText(request) {
  if (!request.verification_label) return "–";
  const level = request.verification_label;
  if (request.verified && request.verified_by_agent) {
    return t("{level}: verified by the agent's claims ({agent}), not by the person", { level, agent: request.verified_by_agent });
  }
  if (request.verified) return t("{level}: verified", { level });
  if (["RECEIVED", "VERIFYING"].includes(request.status)) return t("{level}: not verified yet", { level });
  return t("{level}: not verified", { level });
}

// How often whoever a waiting hand-off waits on was reminded, and when last (after its wait).
function reminded(system) {
  if (!system.reminders_sent) return "";
  const last = { moment: moment(system.last_reminded_at) };
  return "; " + tn("reminded once, last on {moment}", "reminded {count} times, last on {moment}", system.reminders_sent, last);
}

function requestNodes(request, member) {
  const d = request.deadlines;
  const place = t("{place} time", { place: request.jurisdiction });
  const timeline = el("ol", { class: "timeline" }, request.timeline.map((event) => el("li", {},
    el("time", { datetime: event.at }, moment(event.at)),
    userText(event.actor), ": ", event.action, " — ", userText(event.outcome))));
  const systems = request.systems.length
    ? scrolling(el("table", { class: "cards", "aria-label": t("Systems") },
      tableHead(SYSTEM_COLUMNS),
      el("tbody", {}, request.systems.map((s) => labelledRow(SYSTEM_COLUMNS, [
        el("td", {}, systemName(s)), el("td", {}, wordFor(ACTION_WORDS, s.action)), el("td", {}, wordFor(OUTCOME_WORDS, s.status)),
        el("td", {}, s.records ?? ""),
        el("td", {}, s.error ? [userText(s.error), s.status === "failed" ? `. ${t(FAILED_NEXT_STEP)}` : ""]
          : s.waiting_on ? [t("waiting on {who} until {moment}", { who: s.waiting_on, moment: moment(s.answer_by) }), reminded(s)] : s.confirmed_by || s.rows || "")])))))
    : el("p", {}, request.answered_without_systems
      ? t("No system needed to be asked: {answers}.", { answers: answeredWithoutSystems(request) })
      : t("No system has been asked yet."));
  // A message from the last action is shown while the request keeps the status it led to.
  if (requestView.flash && !requestView.flashStatus) requestView.flashStatus = request.status;
  // (An outcome that depends on where the request has got to is a function of the request.)
  const flash = typeof requestView.flash === "function" ? requestView.flash(request)
    : requestView.flash && requestView.flashStatus === request.status ? requestView.flash : null;
  const open = ["RECEIVED", "VERIFYING", "AWAITING_APPROVAL", "IN_PROGRESS"].includes(request.status);
  const appeal = request.appeal
    ? [el("h2", {}, t("Appeal")), facts([
      [S_("Status"), request.appeal.status],
      [S_("Received"), moment(request.appeal.received_at)],
      [S_("Answer by"), `${request.appeal.respond_on} (${place})`],
      [S_("Refused by"), request.appeal.original_decision_by],
      [S_("Answered"), request.appeal.decided_by
        ? t("{decision} by {name}", { decision: request.appeal.decision, name: request.appeal.decided_by }) : undefined],
    ]), el("p", {}, t("What the subject wrote:")), el("p", { class: "statement" }, userText(request.appeal.statement))]
    : [];
  const review = request.review && request.review.triaged_by
    ? [el("h2", {}, t("Review")), facts([
      [S_("Recommended"), t("{decision} by {name}", { decision: request.review.recommendation, name: request.review.triaged_by })],
      [S_("Why"), userText(request.review.triage_note)],
      [S_("Decided"), request.review.decided_by
        ? t("{decision} by {name}", { decision: request.review.decision, name: request.review.decided_by }) : undefined],
    ])]
    : [];
  const nodes = [
    el("p", {}, el("a", { href: "#/" }, t("← Queue"))),
    el("h1", {}, t("Request {reference}", { reference: request.request_id.slice(0, 8) })),
    flash ? message(flash) : null,
    problemBox,
    facts([
      [S_("Status"), [el("strong", { id: "request-status" }, statusLabel(request)),
        el("span", { class: "note" }, statusNote(request)),
        request.information_request
          ? el("span", { class: "note" }, request.information_request.clock_paused
            ? t("Waiting for the subject's answer to a question: the clock stands still.")
            : t("Waiting for the subject's answer to a question."))
          : null]],
      [S_("Linked to"), request.linked_to
        ? el("a", { href: `#/requests/${encodeURIComponent(request.linked_to)}` }, t("request {reference}", { reference: request.linked_to.slice(0, 8) }))
        : undefined],
      [S_("Subject"), request.identity_released ? el("em", { id: "identity-released" }, request.subject) : userText(request.subject)],
      [S_("Name"), request.identity_released ? undefined : userText(request.subject_name)],
      [S_("Relationship"), wordFor(RELATIONSHIP_WORDS, request.relationship)],
      [S_("Asked for"), rightsAsked(request)],
      [S_("Subject wrote"), request.details ? userText(request.details) : undefined],
      [S_("Review answer"), request.profiling_review_answer
        ? el("span", {}, t("Why:"), " ", userText(request.profiling_review_answer.decision_reason),
          ". ", t("Found:"), " ", userText(request.profiling_review_answer.review_result))
        : undefined],
      [S_("Jurisdiction"), request.jurisdiction],
      [S_("Channel"), wordFor(CHANNEL_WORDS, request.channel)],
      [S_("Language"), request.language_name],
      [S_("Sent by agent"), request.protocol_agent ? userText(request.protocol_agent) : undefined],
      [S_("Verification level"), verificationText(request)],
      [S_("Access package"), request.package_available_until
        ? t("the subject's download page works until {moment} (with a fresh code)", { moment: moment(request.package_available_until) })
        : undefined],
      [S_("Received"), t("{day} ({place}), at {moment}", { day: request.received_on, place, moment: moment(request.received_at) })],
    ]),
    revealForm(request),
    el("h2", {}, t("Deadlines")),
    el("p", { class: "hint" }, t("Days as the subject is told them: where the request's law counts days ({zone}).", { zone: d.time_zone })),
    facts([
      [S_("Respond by"), el("span", { id: "respond-on" }, `${d.respond_on} (${place}, ${open ? daysLeftText(request.legal_days_left) : closedText(request)})`)],
      [S_("Internal target"), d.target_on
        ? (request.due_for === "target" ? t("{day}: the queue orders by it", { day: d.target_on }) : d.target_on) : undefined],
      [S_("Acknowledge by"), d.acknowledge_on || undefined],
      [S_("Extension possible to"), d.extended_respond_on
        || (d.policy === "DEFAULT" ? t("the company's policy allows none") : t("the law allows none"))],
      [S_("Extension notice by"), d.extension_notice_on || undefined],
      [S_("Extended"), d.extended_at ? [moment(d.extended_at), ": ", userText(d.extension_reason)] : undefined],
      [S_("Policy"), d.policy ? t("{policy} (version {version})", { policy: d.policy, version: d.policy_version }) : undefined],
    ]),
    ...informationAsked(request),
    ...review,
    el("h2", {}, t("Actions")),
    ...actionArea(actionsFor(request, member)),
    ...appeal,
    el("h2", {}, t("Systems")),
    systems,
    el("h2", {}, t("Timeline")),
    timeline,
    ...evidenceSection(request),
  ];
  return nodes.filter(Boolean);
}

// A type asked for, in the words the subject chose it by.
function typeLabel(request, type) {
  const index = request.request_types.indexOf(type);
  return (request.request_type_labels || [])[index] || type.replaceAll("_", " ");
}

// Each type asked for, and whether the request's law gives it (as the policy table records the
// version the request runs on) or the company honours it voluntarily.
function rightsAsked(request) {
  const bases = request.rights || [];
  if (!bases.length) return request.request_types.map((type) => typeLabel(request, type)).join("; ");
  return el("ul", { id: "rights-asked", class: "rights-asked" }, ...bases.map((right) => el("li", {},
    el("strong", {}, typeLabel(request, right.request_type)), ": ",
    el("span", { class: right.legal ? "legal-right" : "voluntary-right" }, right.basis))));
}

async function showRequest(requestId, { focus = false } = {}) {
  const member = await whoAmI();
  const request = await api("GET", `/staff/requests/${encodeURIComponent(requestId)}`);
  if (requestView.id !== requestId) return;
  requestView.shown = JSON.stringify(request);
  problemBox.replaceChildren();
  const main = document.getElementById("main");
  main.replaceChildren(...requestNodes(request, member));
  if (focus) main.focus();
  if (requestView.openAction) openAction(requestView.openAction);
  watchRequest(requestId);
}

// While a request page is open the desk may move the request on (the workflow runs after a
// decision; vendors and customers answer): the page reads it again every few seconds for a
// while after it was shown, acted on or last seen to change, and shows it afresh when it
// changed, unless a form is open or an identity has been revealed, which a refresh would take
// away.
const WATCH_FOR_MS = 90 * 1000;

function watchRequest(requestId) {
  if (requestView.watching) clearTimeout(requestView.watching.timer);
  let until = Date.now() + WATCH_FOR_MS;
  const watching = { timer: null };
  requestView.watching = watching;
  const tick = async () => {
    if (requestView.watching !== watching || requestView.id !== requestId || Date.now() > until) return;
    if (!requestView.openAction && !requestView.revealed && document.visibilityState !== "hidden") {
      try {
        const request = await api("GET", `/staff/requests/${encodeURIComponent(requestId)}`);
        if (requestView.watching !== watching || requestView.id !== requestId) return;
        if (JSON.stringify(request) !== requestView.shown && !requestView.openAction && !requestView.revealed) {
          requestView.shown = JSON.stringify(request);
          until = Date.now() + WATCH_FOR_MS; // a request on the move is watched while it moves
          const member = await whoAmI();
          const main = document.getElementById("main");
          // The page drawn afresh takes away the control the keyboard was on: the focus goes
          // back to it if it is drawn again (by its id), else to the page, not to <body>.
          const hadFocus = main.contains(document.activeElement) ? document.activeElement.id || "main" : null;
          main.replaceChildren(...requestNodes(request, member));
          if (hadFocus && !main.contains(document.activeElement)) (document.getElementById(hadFocus) || main).focus();
          if (requestView.openAction) openAction(requestView.openAction);
        }
      } catch (_) {
        // The next look tries again; the page keeps what it shows.
      }
    }
    watching.timer = setTimeout(tick, 1500);
  };
  watching.timer = setTimeout(tick, 1500);
}

async function requestPage(requestId) {
  if (requestView.id !== requestId) {
    requestView.flash = null;
    requestView.flashStatus = null;
    requestView.openAction = null;
    requestView.identity = null;
    requestView.evidence = null;
    requestView.certificate = null;
  }
  requestView.id = requestId;
  requestView.revealed = Boolean(requestView.identity);
  await showRequest(requestId, { focus: true });
}

// --- an access package held for review ----------------------------------------------------------

// Where review before release is on (the ReviewAccessPackages setting, or a system's
// review_before_release flag), a reviewer (the approver group) reads each system's part record by
// record, withholds a field or a whole record on a ground the law allows (the desk sends the
// grounds with their labels: dsr.review.withholding), and releases the package. The desk builds it
// less what was withheld and tells the subject how much was withheld from each system and why.
// Every value is put on the page as text.
const reviewView = { id: null, flash: null };

function recordValue(value) {
  if (value === null || value === undefined || value === "") return t("(empty)");
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function groundLabel(held, code) {
  const ground = held.grounds.find((g) => g.code === code);
  return ground ? ground.label : code;
}

// One redaction, a release: the page is drawn again with the outcome, or the problem is shown.
async function packageAction(send, done) {
  try {
    await send();
    reviewView.flash = done;
    await packageReviewPage(reviewView.id, { keep: true });
  } catch (error) {
    problemBox.replaceChildren(message(problemText(error), "error"));
    problemBox.focus();
  }
}

function recordCard(held, part, record, index) {
  const base = `/staff/requests/${encodeURIComponent(held.request_id)}/package`;
  const taken = held.redactions.filter((r) => r.system_id === part.system_id && r.record === index);
  const whole = taken.find((r) => !r.field);
  const names = record && typeof record === "object" ? Object.keys(record) : [];
  const heading = t("Record {number}", { number: index + 1 });
  const takeBack = (r) => el("button", {
    type: "button",
    class: "secondary",
    onclick: () => packageAction(() => api("POST", `${base}/redactions/removal`,
      { system_id: r.system_id, record: r.record, ...(r.field ? { field: r.field } : {}), ground: r.ground }), t("Redaction taken back.")),
  }, t("Take back"));
  const rows = names.map((name) => {
    const redacted = taken.find((r) => r.field === name);
    const withheld = redacted || whole;
    return [el("dt", {}, userText(name)), el("dd", {}, withheld
      ? [el("strong", {}, t("Withheld: {ground}", { ground: groundLabel(held, withheld.ground) })), " ", redacted ? takeBack(redacted) : null]
      : userText(recordValue(record[name])))];
  });
  const prefix = `${part.system_id}-${index}`;
  const redact = whole
    ? el("p", {}, el("strong", {}, t("The whole record is withheld: {ground}", { ground: groundLabel(held, whole.ground) })), " ", takeBack(whole))
    : el("form", {
      class: "redact",
      onsubmit: (event) => {
        event.preventDefault();
        const data = new FormData(event.target);
        const chosen = data.get(`${prefix}-what`);
        packageAction(() => api("POST", `${base}/redactions`, {
          system_id: part.system_id, record: index, ...(chosen ? { field: chosen } : {}), ground: data.get(`${prefix}-ground`),
        }), chosen ? t("Field withheld: {field}.", { field: chosen }) : t("Record withheld."));
      },
    },
    field(`${prefix}-what`, t("Withhold"), el("select", {}, el("option", { value: "" }, t("the whole record")),
      names.filter((name) => !taken.some((r) => r.field === name)).map((name) => el("option", { value: name }, name)))),
    field(`${prefix}-ground`, t("Ground (the subject is told it)"), el("select", {}, held.grounds.map((g) => el("option", { value: g.code }, g.label)))),
    el("button", { type: "submit" }, t("Withhold it")));
  return el("section", { class: "record", "aria-label": `${part.name}: ${heading}` }, el("h3", {}, heading), el("dl", { class: "facts" }, rows), redact);
}

async function packageReviewPage(requestId, { keep = false } = {}) {
  await whoAmI();
  if (!keep) reviewView.flash = null;
  reviewView.id = requestId;
  problemBox.replaceChildren();
  problemBox.tabIndex = -1;
  const id = encodeURIComponent(requestId);
  const held = await api("GET", `/staff/requests/${id}/package`);
  const released = Boolean(held.released_at);
  const parts = released ? [] : await Promise.all(held.parts.map((part) => api("GET", `/staff/requests/${id}/package/systems/${encodeURIComponent(part.system_id)}`)));
  const release = el("form", {
    onsubmit: (event) => {
      event.preventDefault();
      packageAction(() => api("POST", `/staff/requests/${id}/package/release`, {}),
        t("Released: the package is being built without what was withheld, and the subject will be told when it is ready."));
    },
  }, el("p", {}, tn("{count} redaction will be applied.", "{count} redactions will be applied.", held.redactions.length)),
  el("button", { type: "submit" }, t("Release the package")));
  show(...[
    el("h1", {}, t("Review the access package")),
    el("p", {}, el("a", { href: `#/requests/${id}` }, t("Back to request {reference}", { reference: requestId.slice(0, 8) }))),
    reviewView.flash ? message(reviewView.flash) : null,
    problemBox,
    facts([
      [S_("Held since"), moment(held.held_at)],
      [S_("Respond by"), moment(held.respond_by)],
      [S_("Released"), released ? t("{moment} by {name}", { moment: moment(held.released_at), name: held.released_by }) : undefined],
    ]),
    released ? null : el("p", { class: "hint" }, t("Withhold only what the law lets us keep from the subject: another person's data, a trade secret, legally privileged advice, a password or account number. The released package tells the subject how much was withheld from each system and on what grounds.")),
    held.parts.map((part, n) => [
      el("h2", {}, part.name),
      el("p", {}, tn("{count} record", "{count} records", part.records)),
      released ? null : parts[n].records.map((record, index) => recordCard(held, part, record, index)),
    ]),
    released ? null : [el("h2", {}, t("Release")), release],
  ].flat(Infinity).filter(Boolean));
}

// --- routing ------------------------------------------------------------------------------------

async function route() {
  routedHash = null;
  if (catalogRead === null) catalogRead = readCatalog();
  await catalogRead;
  try {
    const problem = await completeSignIn();
    if (problem) return await signInPage(problem);
    const hash = location.hash || "#/";
    routedHash = hash;
    if (hash === "#/sign-in") return await signInPage();
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      location.hash = "#/sign-in";
      return undefined;
    }
    const request = hash.match(/^#\/requests\/([0-9a-f-]{36})$/);
    if (request) return await requestPage(request[1]);
    requestView.id = null;
    const heldPackage = hash.match(/^#\/requests\/([0-9a-f-]{36})\/package$/);
    if (heldPackage) return await packageReviewPage(heldPackage[1]);
    requestView.identity = null;
    if (hash === "#/triage") return await triagePage();
    if (hash === "#/appeals") return await appealsPage();
    if (hash === "#/dashboard") return await dashboardPage();
    if (hash.startsWith("#/reports")) return await reportsPage();
    if (hash === "#/agents") return await agentsPage();
    return await queuePage();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    show(el("h1", {}, t("Something went wrong")), message(problemText(error), "error"));
    return undefined;
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
