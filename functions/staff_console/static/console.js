// The staff console: a page of the staff API. It keeps no session on a server: the token lives in
// this tab's sessionStorage and goes in the Authorization header. Everything a subject wrote is
// put on the page as text (textContent), never as markup.
"use strict";

const TOKEN_KEY = "privacy-desk-staff-token";
// The page is served at <API base>/console: the staff API is under the same base (in AWS, the
// stage: /prod).
const API_BASE = location.pathname.replace(/\/console\/?$/, "");
const DAY_MS = 24 * 3600 * 1000;

// Denial reasons staff choose from: the Data Rights Protocol's, then the desk's own. The chosen
// label and the free text together are what the subject is sent.
const DENIAL_REASONS = [
  ["insuf_verification", "We could not verify your identity well enough for this request"],
  ["no_match", "We hold no personal data that matches the details you gave"],
  ["suspected_fraud", "We have reason to believe the request was not made by you"],
  ["claim_not_covered", "The law does not give this right for this data"],
  ["outside_jurisdiction", "The law you relied on does not apply to us for this data"],
  ["too_many_requests", "You have made this request too often in the period the law allows"],
  ["legal_obligation", "The law requires us to keep this data"],
  ["other", "Another reason, explained below"],
];

const STATUS_LABELS = {
  RECEIVED: "Received",
  VERIFYING: "Verifying identity",
  AWAITING_APPROVAL: "Awaiting approval",
  IN_PROGRESS: "In progress",
  COMPLETED: "Completed",
  PARTIALLY_COMPLETED: "Partially completed",
  DENIED: "Denied",
  UNVERIFIABLE: "Unverifiable",
  FAILED: "Failed",
  LINKED: "Linked to another request",
  CANCELLED: "Cancelled",
};

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
  main.replaceChildren(...nodes);
  main.focus();
}

function moment(iso) {
  return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "–";
}

// Due dates are days where the request's law counts them (the desk sends them so: *_on), as the
// subject is told them; days left are counted there by the desk's clock.
function daysLeftText(left) {
  if (left < 0) return `${-left} day${left === -1 ? "" : "s"} overdue`;
  if (left === 0) return "due today";
  return `${left} day${left === 1 ? "" : "s"} left`;
}

function message(text, kind = "") {
  return el("p", { class: `message ${kind}`.trim(), role: kind === "error" ? "alert" : "status" }, text);
}

// --- the staff API ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `the desk answered ${status}`);
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
  if (error.status === 409 && error.body.decided_by) return `${error.message} (decided by ${error.body.decided_by})`;
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
    await signInPage("Sign-in needs the console opened over https.");
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
    return code === "access_denied"
      ? "Sign-in was not completed: it was cancelled or refused on the sign-in page."
      : `Sign-in was not completed: the sign-in page answered ${/^[a-z_]{1,40}$/.test(code) ? code : "with an error"}. Sign in again.`;
  }
  if (!pending || pending.state !== answer.get("state")) {
    return "Sign-in was not completed: the answer does not belong to a sign-in started in this tab. Sign in again.";
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
    return "Sign-in was not completed: the sign-in service could not be reached. Sign in again.";
  }
  const body = await exchanged.json().catch(() => ({}));
  if (!exchanged.ok || !body.id_token) {
    return `Sign-in was not completed: ${body.error_description || body.error || `the sign-in service answered ${exchanged.status}`}. Sign in again.`;
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
    show(el("h1", {}, "Sign in"), message("Sign-in is not configured for this deployment.", "error"));
    return;
  }
  // The sign-in page sends members back to one address, and what this tab keeps for the sign-in
  // stays with this address's origin: start from there.
  const home = new URL(settings.redirect_uri, location.href);
  if (home.origin !== location.origin) {
    show(el("h1", {}, "Sign in"), message(`Staff sign in at ${home.href}, where the sign-in page sends them back.`),
      el("p", {}, el("a", { href: home.href }, "Go to the console's address")));
    return;
  }
  show(
    el("h1", {}, "Sign in"),
    problem ? message(problem, "error") : el("div"),
    el("p", {}, settings.local
      ? "The local cloud's sign-in page offers its demonstration staff."
      : "You sign in on your organisation's staff sign-in page, then come back here."),
    el("button", {
      type: "button",
      onclick: () => startSignIn().catch((error) => signInPage(`Sign-in could not start: ${error}.`)),
    }, "Continue to sign in"),
  );
}

async function whoAmI() {
  if (me === null) me = await api("GET", "/staff/me");
  document.getElementById("console-nav").hidden = false;
  const who = document.getElementById("who");
  who.replaceChildren(`${me.username} · ${me.groups.join(", ")} `,
    el("button", { class: "secondary", type: "button", onclick: signOut }, "Sign out"));
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
    cell.setAttribute("data-label", columns[index]);
    return cell;
  }));
}

const QUEUE_COLUMNS = ["Reference", "Due", "Legal date", "Status", "Asked for", "Jurisdiction", "Channel", "Subject", "Received"];

async function queuePage() {
  await whoAmI();
  // The desk sends the queue most urgent first: by the day in the Due column (the internal
  // target where it comes before the legal date), then the legal date.
  const requests = await api("GET", "/staff/requests");
  const overdue = requests.filter((r) => r.legal_days_left < 0).length;
  const thisWeek = requests.filter((r) => r.legal_days_left >= 0 && r.legal_days_left < 7).length;
  const statusFilter = el("select", { id: "status-filter" }, el("option", { value: "" }, "Any status"),
    Object.entries(STATUS_LABELS).map(([value, label]) => el("option", { value }, label)));
  const jurisdictions = [...new Set(requests.map((r) => r.jurisdiction))].sort();
  const jurisdictionFilter = el("select", { id: "jurisdiction-filter" }, el("option", { value: "" }, "Any jurisdiction"),
    jurisdictions.map((code) => el("option", { value: code }, code)));
  const body = el("tbody");
  const render = () => {
    const rows = requests
      .filter((r) => !statusFilter.value || r.status === statusFilter.value)
      .filter((r) => !jurisdictionFilter.value || r.jurisdiction === jurisdictionFilter.value)
      .map((r) => labelledRow(QUEUE_COLUMNS, [
        el("td", {}, el("a", { href: `#/requests/${encodeURIComponent(r.request_id)}` }, r.request_id.slice(0, 8))),
        el("td", { class: r.days_left < 0 ? "late due" : "due" }, el("div", {}, dueText(r.due_on, r.days_left),
          r.due_for === "target" ? el("span", { class: "note" }, "internal target") : null)),
        el("td", { class: r.legal_days_left < 0 ? "late" : "" }, r.respond_on),
        el("td", {}, r.status_label || STATUS_LABELS[r.status] || r.status),
        el("td", {}, (r.request_type_labels || r.request_types).join("; ")),
        el("td", {}, r.jurisdiction),
        el("td", {}, CHANNEL_WORDS[r.channel] || r.channel),
        el("td", {}, userText(r.subject)),
        el("td", {}, r.received_on)]));
    body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 9 }, "No open request matches."))]));
  };
  statusFilter.addEventListener("change", render);
  jurisdictionFilter.addEventListener("change", render);
  render();
  show(
    el("h1", {}, "Open requests"),
    el("ul", { class: "counts", "aria-label": "Deadlines" },
      el("li", { class: "overdue" }, el("strong", {}, String(overdue)), "overdue"),
      el("li", { class: "soon" }, el("strong", {}, String(thisWeek)), "due within 7 days"),
      el("li", {}, el("strong", {}, String(requests.length)), "open")),
    el("div", { class: "filters" },
      el("div", {}, el("label", { for: "status-filter" }, "Status"), statusFilter),
      el("div", {}, el("label", { for: "jurisdiction-filter" }, "Jurisdiction"), jurisdictionFilter)),
    el("p", { class: "hint" }, "Most urgent first, by the Due day: the desk's internal target where it comes before the legal date. Days are counted where each request's law counts them."),
    scrolling(el("table", { class: "cards", "aria-label": "Open requests, most urgent first" },
      el("thead", {}, el("tr", {}, QUEUE_COLUMNS.map((name) => el("th", { scope: "col" }, name)))),
      body)),
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
  const table = el("table", { class: "chart-figures", "aria-label": `${title} (figures)` },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, labelName), el("th", { scope: "col" }, valueName))),
    el("tbody", {}, rows.map(([label, value]) => el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, String(value))))));
  return el("figure", {}, el("figcaption", {}, title), chart, el("details", {}, el("summary", {}, "Figures"), table));
}

async function dashboardPage() {
  await whoAmI();
  const figures = await api("GET", "/staff/dashboard?weeks=12");
  show(
    el("h1", {}, "Dashboard"),
    el("ul", { class: "counts", "aria-label": "Open requests" },
      el("li", { class: "overdue" }, el("strong", {}, String(figures.overdue)), "overdue"),
      el("li", { class: "soon" }, el("strong", {}, String(figures.due_within_7_days)), "due within 7 days"),
      el("li", {}, el("strong", {}, String(figures.open_requests)), "open"),
      el("li", {}, el("strong", {}, figures.median_days_to_close === null ? "–" : String(figures.median_days_to_close)), "median days to close")),
    barChart("Open requests by status", Object.entries(figures.by_status).map(([status, count]) => [STATUS_LABELS[status] || status, count]), "Status", "requests"),
    barChart("Requests received per week (weeks starting Monday)", figures.received_per_week.map((w) => [w.week_starting, w.received]), "Week starting", "received"),
    barChart("Requests received in these weeks and closed, by days to close", figures.days_to_close.map((b) => [b.label, b.closed]), "Days to close", "closed"),
  );
}

// --- the CCPA 7102 report (admins) ---------------------------------------------------------------

const REPORT_COLUMNS = [
  ["received", "Received"],
  ["complied_in_whole", "Complied in whole"],
  ["complied_in_part", "In part"],
  ["denied", "Denied"],
  ["unverifiable", "of which unverifiable"],
  ["failed", "Failed"],
  ["linked", "Linked"],
  ["cancelled", "Cancelled"],
  ["pending", "Pending"],
  ["median_days", "Median days"],
  ["mean_days", "Mean days"],
];

async function reportsPage() {
  const member = await whoAmI();
  // Without a year in the address, the desk answers for this year by its own clock.
  const asked = Number(new URLSearchParams(location.hash.split("?")[1] || "").get("year")) || null;
  const heading = el("h1", {}, "Request metrics (CCPA 7102)");
  if (!member.may.includes("reports")) {
    show(heading, message("The metrics report is for the privacy-admin group.", "error"));
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
  }, "Download as CSV");
  const rows = report.request_types.map((row) => el("tr", {},
    el("th", { scope: "row" }, row.label || row.request_type),
    REPORT_COLUMNS.map(([key]) => el("td", {}, row[key] ?? "–"))));
  const all = report.request_types.find((row) => row.request_type === "all");
  const signals = report.preference_signals || [];
  const signalTable = signals.length
    ? scrolling(el("table", { "aria-label": `Global Privacy Control signals received in ${year}, by jurisdiction` },
      el("thead", {}, el("tr", {}, ["Jurisdiction", "Signals received", "Opted a person out"].map((name) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, signals.map((row) => el("tr", {},
        el("th", { scope: "row" }, row.jurisdiction), el("td", {}, row.received), el("td", {}, row.opted_out))))))
    : el("p", {}, `No Global Privacy Control signals were received in ${year}.`);
  show(
    heading,
    el("form", {
      class: "filters",
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/reports?year=${picker.value}`;
      },
    }, el("div", {}, el("label", { for: "report-year" }, "Calendar year"), picker), el("button", { type: "submit" }, "Show"), download),
    scrolling(el("table", { "aria-label": `Requests received in ${year}, by type` },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Request type"), REPORT_COLUMNS.map(([, name]) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, rows))),
    barChart(`Requests denied in ${year}, by reason`, Object.entries(all.denied_by_reason), "Reason", "denied"),
    barChart(`Median days to respond in ${year}, by request type`,
      report.request_types.filter((row) => row.median_days !== null).map((row) => [row.label || row.request_type, row.median_days]),
      "Request type", "median days"),
    el("h2", {}, "Global Privacy Control signals"),
    signalTable,
  );
}

// --- triage: mail the desk could not turn into a request ---------------------------------------

const TRIAGE_COLUMNS = ["Received", "What", "Why", "From", "Request", "Resolve"];

async function triagePage() {
  await whoAmI();
  const items = await api("GET", "/staff/triage");
  const resolveForm = (item) => {
    const note = el("textarea", { id: `note-${item.triage_id}`, name: "note", required: true, maxlength: 2000 });
    const status = el("div", { "aria-live": "polite" });
    const form = el("form", {
      "aria-label": `Resolve the item received ${moment(item.at)}`,
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api("POST", `/staff/triage/${encodeURIComponent(item.triage_id)}/resolution`, { note: note.value });
          // The form and its button go: the focus goes to what replaces them, not to <body>.
          const resolved = message(`Resolved by ${me.username}.`);
          resolved.tabIndex = -1;
          form.replaceWith(resolved);
          resolved.focus();
        } catch (error) {
          status.replaceChildren(message(problemText(error), "error"));
        }
      },
    }, el("label", { for: `note-${item.triage_id}` }, "What was done about it"), note,
    el("button", { type: "submit" }, "Resolve"), status);
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
  show(el("h1", {}, "Triage"),
    el("p", { class: "hint" }, "Emails the desk could not read as a request, or asked staff to handle. Resolve each with a note of what was done."),
    rows.length
      ? scrolling(el("table", { class: "cards", "aria-label": "Emails for staff to handle" },
        el("thead", {}, el("tr", {}, TRIAGE_COLUMNS.map((n) => el("th", { scope: "col" }, n)))), el("tbody", {}, rows)))
      : el("p", {}, "No email is waiting for staff."));
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
    el("td", {}, a.extended ? "extended" : "")));
  show(el("h1", {}, "Appeals waiting for an answer"),
    rows.length
      ? scrolling(el("table", {}, el("thead", {}, el("tr", {}, ["Reference", "Answer by", "Jurisdiction", "Received", "Extended"].map((n) => el("th", { scope: "col" }, n)))), el("tbody", {}, rows)))
      : el("p", {}, "No appeal is waiting."));
}

// --- Data Rights Protocol agents ---------------------------------------------------------------

async function agentsPage() {
  const member = await whoAmI();
  const heading = el("h1", {}, "Authorized agents (Data Rights Protocol)");
  if (!member.may.includes("agents")) {
    show(heading, message("The agents the desk knows are managed by the privacy-admin group.", "error"));
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
  }, agent.status === "active" ? `Suspend ${agent.id}` : `Resume ${agent.id}`);
  const rows = agents.map((agent) => el("tr", {},
    el("td", {}, userText(agent.id)),
    el("td", {}, userText(agent.name)),
    el("td", {}, agent.status),
    el("td", {}, userText(agent.web_url)),
    el("td", {}, change(agent))));
  show(heading,
    el("p", { class: "hint" }, "A suspended agent's token and key set-up are refused until it is resumed. Add agents with dsr staff agents add FILE."),
    status,
    rows.length
      ? scrolling(el("table", { "aria-label": "Authorized agents" },
        el("thead", {}, el("tr", {}, ["Id", "Name", "Status", "Web", "Action"].map((n) => el("th", { scope: "col" }, n)))), el("tbody", {}, rows)))
      : el("p", {}, "The desk knows no agents yet."));
}

// --- one request --------------------------------------------------------------------------------

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, value]) => value !== undefined).map(([term, value]) => [el("dt", {}, term), el("dd", {}, value ?? "–")]));
}

// What each status means for staff, beside its label: every status has both.
const STATUS_NOTES = {
  RECEIVED: "The workflow is starting: the subject is sent the acknowledgement and a code.",
  VERIFYING: "Waiting for the subject to prove their identity.",
  AWAITING_APPROVAL: "Waiting for a staff decision.",
  IN_PROGRESS: "Being carried out in each system; answers from vendors and customers are recorded here.",
  COMPLETED: "Closed: carried out in every system.",
  PARTIALLY_COMPLETED: "Closed with systems that failed: re-run them before the deadline.",
  DENIED: "Closed: refused, and the subject was told why.",
  UNVERIFIABLE: "Closed: the subject did not prove their identity in time.",
  FAILED: "Closed: the workflow failed; the timeline says where.",
  LINKED: "Joined to another request of the same subject: that request answers both.",
  CANCELLED: "Closed without action.",
};

function statusNote(request) {
  if (request.status === "COMPLETED" && request.answered_without_systems) return "Closed: answered, without asking any system.";
  return STATUS_NOTES[request.status];
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
const requestView = { id: null, shown: null, flash: null, flashStatus: null, openAction: null, watching: null, identity: null };
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
        requestView.flash = outcome || `${title}: done.`;
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
    el("button", { type: "button", class: "secondary", onclick: () => openAction(null) }, "Close")));
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
  if (!forms.length && !notes.length) return [el("p", {}, "Nothing for you to do on this request now.")];
  const buttons = forms.map((action) => el("button", {
    type: "button",
    class: `${action.buttonClass || ""} action-button`.trim(),
    "data-action": action.title,
    "aria-expanded": "false",
    onclick: () => openAction(requestView.openAction === action.title ? null : action.title),
  }, action.title));
  return [
    ...notes,
    forms.length ? el("div", { class: "action-buttons", role: "group", "aria-label": "Actions" }, buttons) : null,
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
  export: "copy",
  erase: "erasure",
  rectify: "correction",
  restrict: "restriction",
  object: "objection",
  opt_out: "opt-out",
  limit_sensitive: "limit on sensitive data",
  admt_opt_out: "opt-out of automated decisions",
};

// How the subject knows the company, and how the request came, in staff's words.
const RELATIONSHIP_WORDS = {
  account_holder: "account holder",
  customer_contact: "a contact in a customer's CRM",
  marketing_lead: "marketing or event sign-up",
  job_applicant: "job applicant",
  website_visitor: "website visitor",
  other: "other, or not said",
};
const CHANNEL_WORDS = {
  web: "web form",
  email: "email",
  drp: "agent (DRP)",
  gpc: "GPC signal",
};

// A system's outcome in plain words; a status this list does not know is shown as it came.
const OUTCOME_WORDS = {
  done: "done",
  nothing_found: "they hold nothing",
  exempt: "kept: an exemption applies",
  failed: "failed",
  waiting: "waiting for an answer",
};

function systemName(system) {
  return system.system_name || system.system_id;
}

// What staff are told once an appeal is answered, by the appeal's new status.
const APPEAL_ANSWERS = {
  UPHELD: "the refusal stands, and the subject has been sent the reasons",
  REVERSED: "the refusal is reversed, and the request is carried out",
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
    actions.push(actionForm("Recommend", [
      field("recommendation", "Recommendation", el("select", {},
        el("option", { value: "approve" }, "approve"), el("option", { value: "deny" }, "deny"))),
      field("triage-note", "Why (for whoever decides)", el("textarea", { required: true, maxlength: 2000 })),
    ], "Record the recommendation", async (data) => {
      await api("POST", `${base}/triage`, { recommendation: data.get("recommendation"), note: data.get("triage-note") });
      return "Recommendation recorded.";
    }));
  }
  // The four-eyes rule for erasure: someone other than the triager decides, after the triage.
  const fourEyesWaits = review.four_eyes && (!review.triaged_by || review.triaged_by === member.username);
  if (request.status === "AWAITING_APPROVAL" && may.has("decide") && fourEyesWaits) {
    actions.push(actionNote("Decision", review.triaged_by
      ? "You triaged this erasure: another staff member decides it."
      : "This erasure is decided after another staff member has triaged it."));
  }
  if (request.status === "AWAITING_APPROVAL" && may.has("decide") && !fourEyesWaits) {
    if (request.request_types.includes("profiling_review")) {
      // Minnesota 325M.14 subd. 1(g): the subject is told why, and what the review found.
      actions.push(actionForm("Answer the profiling review", [
        el("p", {}, "Your answer is sent to the subject when the request completes."),
        field("review-reason", "Why the decision was made", el("textarea", { required: true, maxlength: 2000 })),
        field("review-result", "What the review found (kept or changed, data corrected, what could be done differently)",
          el("textarea", { required: true, maxlength: 2000 })),
      ], "Approve with this answer", async (data) => {
        await api("POST", `${base}/decision`, { decision: "approve",
          review: { decision_reason: data.get("review-reason"), review_result: data.get("review-result") } });
        return (now) => (now.status === "IN_PROGRESS" ? "Approved: the answer is being sent." : `Approved. ${statusNote(now)}`);
      }, "", request.status));
    } else {
      const withoutSystems = request.answered_without_systems;
      const reached = request.planned_systems || [];
      const without = answeredWithoutSystems(request);
      const what = withoutSystems
        ? `No system is asked: ${without}. The subject is sent the answer.`
        : [reached.length ? `The request is carried out in ${reached.length} system${reached.length === 1 ? "" : "s"}: ${reached.join(", ")}.`
          : "The request is carried out in every system that holds the subject's data.",
        without ? ` Besides, ${without}.` : ""].join("");
      const approvedText = (now) => (now.status === "IN_PROGRESS"
        ? `Approved: ${withoutSystems ? "the answer is being sent" : "the request is being carried out"}.`
        : `Approved. ${statusNote(now)}`);
      actions.push(actionForm("Approve", [el("p", {}, what)], "Approve", async () => {
        await api("POST", `${base}/decision`, { decision: "approve" });
        return approvedText;
      }, "", request.status));
    }
    const reason = el("select", {}, DENIAL_REASONS.map(([value, label]) => el("option", { value }, label)));
    actions.push(actionForm("Deny", [
      field("deny-reason", "Reason", reason),
      field("deny-detail", "Explanation sent to the subject", el("textarea", { maxlength: 1500 })),
    ], "Deny", async (data) => {
      const chosen = DENIAL_REASONS.find(([value]) => value === data.get("deny-reason"));
      const detail = String(data.get("deny-detail") || "").trim();
      const text = chosen[0] === "other" ? detail : [chosen[1] + ".", detail].filter(Boolean).join(" ");
      await api("POST", `${base}/decision`, { decision: "deny", reason: text });
      return "Denied: the subject has been sent the reason.";
    }, "danger", request.status));
  }
  const open = ["RECEIVED", "VERIFYING", "AWAITING_APPROVAL", "IN_PROGRESS"].includes(request.status);
  if (open && may.has("ask")) {
    const because = el("select", {}, el("option", { value: "clarification" }, "to clarify the request"),
      el("option", { value: "authentication" }, "the request cannot be authenticated: more proof of identity"),
      el("option", { value: "suspected_fraud" }, "fraud is suspected: more proof of identity"));
    actions.push(actionForm("Ask for information", [
      field("question", "Question sent to the subject", el("textarea", { required: true, minlength: 10, maxlength: 2000 })),
      field("because", "Why", because),
    ], "Send the question", async (data) => {
      const answer = await api("POST", `${base}/information-request`, { question: data.get("question"), because: data.get("because") });
      return answer.clock === "paused" ? "Question sent; the clock stands still until they answer." : "Question sent; the clock keeps running.";
    }));
    if (request.deadlines.paused_at) {
      actions.push(actionForm("Information received", [], "Record the answer", async () => {
        const answer = await api("POST", `${base}/information-received`);
        return `The clock runs again; respond by ${answer.respond_on} (${request.jurisdiction} time).`;
      }));
    }
  }
  if (open && may.has("extend") && !request.deadlines.extended_at && request.deadlines.extended_respond_by) {
    actions.push(actionForm("Extend", [
      field("extension-reason", "Why more time is needed (sent to the subject)", el("textarea", { required: true, minlength: 10, maxlength: 1000 })),
    ], "Extend the deadline", async (data) => {
      const answer = await api("POST", `${base}/extension`, { reason: data.get("extension-reason") });
      return `Extended: respond by ${answer.respond_on} (${request.jurisdiction} time).`;
    }));
  }
  for (const system of request.systems.filter((s) => s.status === "waiting" && s.waiting_on && may.has("confirm"))) {
    const key = `${system.system_id}-${system.action}`;
    actions.push(actionForm(`Confirm the ${ACTION_WORDS[system.action] || system.action} in ${systemName(system)}`, [
      field(`answer-${key}`, `What ${system.waiting_on} answered`, el("select", {},
        el("option", { value: "done" }, "done"), el("option", { value: "nothing_found" }, "they hold nothing"),
        el("option", { value: "failed" }, "they could not"))),
      field(`note-${key}`, "Their answer, in short", el("textarea", { required: true, maxlength: 2000 })),
    ], "Record the answer", async (data) => {
      await api("POST", `${base}/systems/${encodeURIComponent(system.system_id)}/${encodeURIComponent(system.action)}/confirmation`,
        { answer: data.get(`answer-${key}`), note: data.get(`note-${key}`) });
      return `Recorded the answer for ${systemName(system)}.`;
    }));
  }
  if (request.status === "PARTIALLY_COMPLETED" && may.has("rerun")) {
    actions.push(actionForm("Re-run failed systems", [el("p", {}, "Only the systems that failed are asked again.")], "Re-run", async () => {
      await api("POST", `${base}/rerun`);
      return "Re-running the systems that failed.";
    }, "", request.status));
  }
  if (["RECEIVED", "VERIFYING", "AWAITING_APPROVAL"].includes(request.status) && may.has("cancel")) {
    actions.push(actionForm("Cancel", [
      field("cancel-reason", "Why (sent to the subject)", el("textarea", { required: true, minlength: 5, maxlength: 1000 })),
    ], "Cancel the request", async (data) => {
      await api("POST", `${base}/cancel`, { reason: data.get("cancel-reason") });
      return "Cancelled: the subject has been told why.";
    }, "danger"));
  }
  // An appeal is answered by someone other than whoever refused the request.
  const refusedByMe = request.appeal && request.appeal.original_decision_by === member.username;
  if (request.appeal && request.appeal.status === "OPEN" && may.has("decide") && refusedByMe) {
    actions.push(actionNote("Answer the appeal", "You refused this request: another staff member answers the appeal."));
  }
  if (request.appeal && request.appeal.status === "OPEN" && may.has("decide") && !refusedByMe) {
    actions.push(actionForm("Answer the appeal", [
      field("appeal-decision", "Decision", el("select", {}, el("option", { value: "uphold" }, "uphold the refusal"),
        el("option", { value: "reverse" }, "reverse it and carry the request out"))),
      field("appeal-reason", "Reasons (sent to the subject)", el("textarea", { required: true, maxlength: 2000 })),
    ], "Send the answer", async (data) => {
      const answer = await api("POST", `${base}/appeal/decision`, { decision: data.get("appeal-decision"), reason: data.get("appeal-reason") });
      return `Appeal answered: ${APPEAL_ANSWERS[answer.appeal] || answer.appeal}.`;
    }));
  }
  return actions;
}

// The subject's full identity is shown only when asked for, with a reason the trail records.
function revealForm(request) {
  if (request.identity_released) {
    return el("section", { "aria-label": "Identity" },
      message("The identity was erased after the request closed; only its keyed hash is kept."));
  }
  const requestId = request.request_id;
  const shown = el("div", { "aria-live": "polite", id: "identity-shown", tabindex: -1 });
  const showIdentity = (identity) => shown.replaceChildren(identity.reduced
    ? message("The identity was erased after the request closed; only its keyed hash is kept.")
    : facts([
      ["Email", userText(identity.email)],
      ["Name", userText(identity.name)],
      ["Phone", userText(identity.phone)],
      ["Address", identity.postal_address ? userText(Object.values(identity.postal_address).filter(Boolean).join(", ")) : null],
      ["Account", userText(identity.account_id)],
      ["Agent", identity.agent_name ? userText(`${identity.agent_name} <${identity.agent_email}>`) : null],
    ]));
  // An identity revealed on this request stays shown while staff stay on it (the page is drawn
  // again after each action); it is kept in this page's memory only, and forgotten on leaving.
  if (requestView.identity && requestView.identity.requestId === requestId) {
    showIdentity(requestView.identity.shown);
    return el("section", { "aria-label": "Identity" }, shown);
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
  }, el("div", { class: "field" }, el("label", { for: "reveal-reason" }, "Why you need the full identity (recorded)"), reason),
  el("button", { type: "submit", class: "secondary" }, "Reveal the identity"));
  return el("section", { "aria-label": "Identity" }, form, shown);
}

// The last question sent to the subject while it waits for an answer: when, what, and whether the
// clock stands still meanwhile (only where the request's law says so).
function informationAsked(request) {
  const asked = request.information_request;
  if (!asked) return [];
  return [el("h2", { id: "information-asked" }, "Information asked"), facts([
    ["Asked", `${moment(asked.asked_at)} by ${asked.asked_by}`],
    ["Question", asked.question ? el("span", { class: "statement" }, userText(asked.question)) : undefined],
    ["Clock", asked.clock_paused
      ? el("strong", {}, `stands still until the subject answers (since ${moment(asked.asked_at)})`)
      : "keeps running: the law does not pause it for this question"],
  ])];
}

const SYSTEM_COLUMNS = ["System", "Action", "Outcome", "Records", "Note"];
const FAILED_NEXT_STEP = "Next: fix the cause, then “Re-run failed systems” (offered once the request closes).";

// Where no system is asked for what the request wants, who answers it instead.
function answeredWithoutSystems(request) {
  const answers = [];
  if (request.request_types.includes("third_party_list")) answers.push("the list of third parties comes from the registry");
  if (request.request_types.includes("profiling_review")) answers.push("the review is the staff's answer");
  return answers.join("; ");
}

// A closed request has no countdown: the day it closed, against the legal date.
function closedText(request) {
  const before = request.closed_days_before_legal;
  if (before === null || before === undefined) return "closed";
  if (before === 0) return `closed ${request.closed_on}, on the legal date`;
  const days = `${Math.abs(before)} day${Math.abs(before) === 1 ? "" : "s"}`;
  return `closed ${request.closed_on}, ${days} ${before > 0 ? "before" : "after"} the legal date`;
}

function verificationText(request) {
  if (!request.verification_label) return "–";
  if (request.verified && request.verified_by_agent) {
    return `${request.verification_label}: verified by the agent's claims (${request.verified_by_agent}), not by the person`;
  }
  if (request.verified) return `${request.verification_label}: verified`;
  if (["RECEIVED", "VERIFYING"].includes(request.status)) return `${request.verification_label}: not verified yet`;
  return `${request.verification_label}: not verified`;
}

function requestNodes(request, member) {
  const d = request.deadlines;
  const place = `${request.jurisdiction} time`;
  const timeline = el("ol", { class: "timeline" }, request.timeline.map((event) => el("li", {},
    el("time", { datetime: event.at }, moment(event.at)),
    userText(event.actor), ": ", event.action, " — ", userText(event.outcome))));
  const systems = request.systems.length
    ? scrolling(el("table", { class: "cards", "aria-label": "Systems" },
      el("thead", {}, el("tr", {}, SYSTEM_COLUMNS.map((n) => el("th", { scope: "col" }, n)))),
      el("tbody", {}, request.systems.map((s) => labelledRow(SYSTEM_COLUMNS, [
        el("td", {}, systemName(s)), el("td", {}, ACTION_WORDS[s.action] || s.action), el("td", {}, OUTCOME_WORDS[s.status] || s.status),
        el("td", {}, s.records ?? ""),
        el("td", {}, s.error ? [userText(s.error), s.status === "failed" ? `. ${FAILED_NEXT_STEP}` : ""] : s.waiting_on ? `waiting on ${s.waiting_on} until ${moment(s.answer_by)}` : s.confirmed_by || s.rows || "")])))))
    : el("p", {}, request.answered_without_systems
      ? `No system needed to be asked: ${answeredWithoutSystems(request)}.`
      : "No system has been asked yet.");
  // A message from the last action is shown while the request keeps the status it led to.
  if (requestView.flash && !requestView.flashStatus) requestView.flashStatus = request.status;
  // (An outcome that depends on where the request has got to is a function of the request.)
  const flash = typeof requestView.flash === "function" ? requestView.flash(request)
    : requestView.flash && requestView.flashStatus === request.status ? requestView.flash : null;
  const open = ["RECEIVED", "VERIFYING", "AWAITING_APPROVAL", "IN_PROGRESS"].includes(request.status);
  const appeal = request.appeal
    ? [el("h2", {}, "Appeal"), facts([
      ["Status", request.appeal.status],
      ["Received", moment(request.appeal.received_at)],
      ["Answer by", `${request.appeal.respond_on} (${place})`],
      ["Refused by", request.appeal.original_decision_by],
      ["Answered", request.appeal.decided_by ? `${request.appeal.decision} by ${request.appeal.decided_by}` : undefined],
    ]), el("p", {}, "What the subject wrote:"), el("p", { class: "statement" }, userText(request.appeal.statement))]
    : [];
  const review = request.review && request.review.triaged_by
    ? [el("h2", {}, "Review"), facts([
      ["Recommended", `${request.review.recommendation} by ${request.review.triaged_by}`],
      ["Why", userText(request.review.triage_note)],
      ["Decided", request.review.decided_by ? `${request.review.decision} by ${request.review.decided_by}` : undefined],
    ])]
    : [];
  const nodes = [
    el("p", {}, el("a", { href: "#/" }, "← Queue")),
    el("h1", {}, `Request ${request.request_id.slice(0, 8)}`),
    flash ? message(flash) : null,
    problemBox,
    facts([
      ["Status", [el("strong", { id: "request-status" }, request.status_label || STATUS_LABELS[request.status] || request.status),
        el("span", { class: "note" }, statusNote(request)),
        request.information_request
          ? el("span", { class: "note" }, request.information_request.clock_paused
            ? "Waiting for the subject's answer to a question: the clock stands still."
            : "Waiting for the subject's answer to a question.")
          : null]],
      ["Linked to", request.linked_to
        ? el("a", { href: `#/requests/${encodeURIComponent(request.linked_to)}` }, `request ${request.linked_to.slice(0, 8)}`)
        : undefined],
      ["Subject", request.identity_released ? el("em", { id: "identity-released" }, request.subject) : userText(request.subject)],
      ["Name", request.identity_released ? undefined : userText(request.subject_name)],
      ["Relationship", RELATIONSHIP_WORDS[request.relationship] || request.relationship],
      ["Asked for", rightsAsked(request)],
      ["Subject wrote", request.details ? userText(request.details) : undefined],
      ["Review answer", request.profiling_review_answer
        ? el("span", {}, "Why: ", userText(request.profiling_review_answer.decision_reason),
          ". Found: ", userText(request.profiling_review_answer.review_result))
        : undefined],
      ["Jurisdiction", request.jurisdiction],
      ["Channel", CHANNEL_WORDS[request.channel] || request.channel],
      ["Language", request.language_name],
      ["Sent by agent", request.protocol_agent ? userText(request.protocol_agent) : undefined],
      ["Verification level", verificationText(request)],
      ["Access package", request.package_available_until
        ? `the subject's download page works until ${moment(request.package_available_until)} (with a fresh code)`
        : undefined],
      ["Received", `${request.received_on} (${place}), at ${moment(request.received_at)}`],
    ]),
    revealForm(request),
    el("h2", {}, "Deadlines"),
    el("p", { class: "hint" }, `Days as the subject is told them: where the request's law counts days (${d.time_zone}).`),
    facts([
      ["Respond by", el("span", { id: "respond-on" }, `${d.respond_on} (${place}, ${open ? daysLeftText(request.legal_days_left) : closedText(request)})`)],
      ["Internal target", d.target_on ? `${d.target_on}${request.due_for === "target" ? ": the queue orders by it" : ""}` : undefined],
      ["Acknowledge by", d.acknowledge_on || undefined],
      ["Extension possible to", d.extended_respond_on
        || (d.policy === "DEFAULT" ? "the company's policy allows none" : "the law allows none")],
      ["Extension notice by", d.extension_notice_on || undefined],
      ["Extended", d.extended_at ? [moment(d.extended_at), ": ", userText(d.extension_reason)] : undefined],
      ["Policy", d.policy ? `${d.policy} (version ${d.policy_version})` : undefined],
    ]),
    ...informationAsked(request),
    ...review,
    el("h2", {}, "Actions"),
    ...actionArea(actionsFor(request, member)),
    ...appeal,
    el("h2", {}, "Systems"),
    systems,
    el("h2", {}, "Timeline"),
    timeline,
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
  }
  requestView.id = requestId;
  requestView.revealed = Boolean(requestView.identity);
  await showRequest(requestId, { focus: true });
}

// --- routing ------------------------------------------------------------------------------------

async function route() {
  routedHash = null;
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
    requestView.identity = null;
    if (hash === "#/triage") return await triagePage();
    if (hash === "#/appeals") return await appealsPage();
    if (hash === "#/dashboard") return await dashboardPage();
    if (hash.startsWith("#/reports")) return await reportsPage();
    if (hash === "#/agents") return await agentsPage();
    return await queuePage();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    show(el("h1", {}, "Something went wrong"), message(problemText(error), "error"));
    return undefined;
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
