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
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes);
  main.focus();
}

function day(iso) {
  return iso ? new Date(iso).toISOString().slice(0, 10) : "–";
}

function moment(iso) {
  return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "–";
}

function daysLeft(iso, now = Date.now()) {
  return Math.floor((new Date(iso).getTime() - now) / DAY_MS);
}

function daysLeftText(iso) {
  const left = daysLeft(iso);
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
  const settings = await loadConfig();
  if (settings.logout_url) {
    const query = new URLSearchParams({ client_id: settings.client_id, logout_uri: settings.redirect_uri });
    location.assign(`${settings.logout_url}?${query}`);
    return;
  }
  location.hash = "#/sign-in";
}

// --- the queue ----------------------------------------------------------------------------------

async function queuePage() {
  await whoAmI();
  const requests = await api("GET", "/staff/requests");
  const now = Date.now();
  const overdue = requests.filter((r) => daysLeft(r.respond_by, now) < 0).length;
  const thisWeek = requests.filter((r) => daysLeft(r.respond_by, now) >= 0 && daysLeft(r.respond_by, now) < 7).length;
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
      .map((r) => el("tr", {},
        el("td", {}, el("a", { href: `#/requests/${encodeURIComponent(r.request_id)}` }, r.request_id.slice(0, 8))),
        el("td", { class: daysLeft(r.respond_by, now) < 0 ? "late" : "" }, `${day(r.respond_by)} (${daysLeftText(r.respond_by)})`),
        el("td", {}, STATUS_LABELS[r.status] || r.status),
        el("td", {}, r.request_types.join(", ")),
        el("td", {}, r.jurisdiction),
        el("td", {}, r.channel),
        el("td", {}, r.subject),
        el("td", {}, day(r.received_at))));
    body.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 8 }, "No open request matches."))]));
  };
  statusFilter.addEventListener("change", render);
  jurisdictionFilter.addEventListener("change", render);
  render();
  show(
    el("h1", {}, "Open requests"),
    el("ul", { class: "counts", "aria-label": "Deadlines" },
      el("li", { class: "overdue" }, el("strong", {}, String(overdue)), "overdue"),
      el("li", { class: "soon" }, el("strong", {}, String(thisWeek)), "due this week"),
      el("li", {}, el("strong", {}, String(requests.length)), "open")),
    el("div", { class: "filters" },
      el("div", {}, el("label", { for: "status-filter" }, "Status"), statusFilter),
      el("div", {}, el("label", { for: "jurisdiction-filter" }, "Jurisdiction"), jurisdictionFilter)),
    el("table", { "aria-label": "Open requests, most urgent first" },
      el("thead", {}, el("tr", {}, ["Reference", "Due", "Status", "Asked for", "Jurisdiction", "Channel", "Subject", "Received"]
        .map((name) => el("th", { scope: "col" }, name)))),
      body),
  );
}

// --- the dashboard ------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// A bar chart drawn with SVG elements (no inline style, which the page's policy forbids), with
// the same figures in a table beside it for screen readers and for copying.
function barChart(title, rows, valueName) {
  const width = 640;
  const barHeight = 22;
  const labelWidth = 130;
  const largest = Math.max(1, ...rows.map(([, value]) => value));
  const height = rows.length * (barHeight + 6) + 6;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title, class: "chart" },
    rows.map(([label, value], index) => {
      const y = 6 + index * (barHeight + 6);
      const length = Math.round(((width - labelWidth - 60) * value) / largest);
      return svg("g", {},
        svg("text", { x: labelWidth - 8, y: y + barHeight * 0.7, "text-anchor": "end", class: "chart-label" }, label),
        svg("rect", { x: labelWidth, y, width: Math.max(length, value ? 2 : 0), height: barHeight, class: "chart-bar" }),
        svg("text", { x: labelWidth + length + 6, y: y + barHeight * 0.7, class: "chart-value" }, String(value)));
    }));
  const table = el("table", { class: "chart-figures", "aria-label": `${title} (figures)` },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""), el("th", { scope: "col" }, valueName))),
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
    el("h2", {}, "Open requests by status"),
    barChart("Open requests by status", Object.entries(figures.by_status).map(([status, count]) => [STATUS_LABELS[status] || status, count]), "requests"),
    el("h2", {}, "Received per week"),
    barChart("Requests received per week (weeks starting Monday)", figures.received_per_week.map((w) => [w.week_starting, w.received]), "received"),
    el("h2", {}, "Days to close"),
    barChart("Requests received in these weeks and closed, by days to close", figures.days_to_close.map((b) => [b.label, b.closed]), "closed"),
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
  const year = Number(new URLSearchParams(location.hash.split("?")[1] || "").get("year")) || new Date().getUTCFullYear() - 1;
  const heading = el("h1", {}, "Request metrics (CCPA 7102)");
  if (!member.may.includes("reports")) {
    show(heading, message("The metrics report is for the privacy-admin group.", "error"));
    return;
  }
  const report = await api("GET", `/staff/reports/metrics?year=${year}`);
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
    el("th", { scope: "row" }, row.request_type.replaceAll("_", " ")),
    REPORT_COLUMNS.map(([key]) => el("td", {}, row[key] ?? "–"))));
  const all = report.request_types.find((row) => row.request_type === "all");
  show(
    heading,
    el("form", {
      class: "filters",
      onsubmit: (event) => {
        event.preventDefault();
        location.hash = `#/reports?year=${picker.value}`;
      },
    }, el("div", {}, el("label", { for: "report-year" }, "Calendar year"), picker), el("button", { type: "submit" }, "Show"), download),
    el("table", { "aria-label": `Requests received in ${year}, by type` },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Request type"), REPORT_COLUMNS.map(([, name]) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, rows)),
    el("h2", {}, "Denied, by reason"),
    barChart(`Requests denied in ${year}, by reason`, Object.entries(all.denied_by_reason), "denied"),
    el("h2", {}, "Days to respond"),
    barChart(`Median days to respond in ${year}, by request type`,
      report.request_types.filter((row) => row.median_days !== null).map((row) => [row.request_type.replaceAll("_", " "), row.median_days]),
      "median days"),
  );
}

// --- appeals ------------------------------------------------------------------------------------

async function appealsPage() {
  await whoAmI();
  const appeals = await api("GET", "/staff/appeals");
  const rows = appeals.map((a) => el("tr", {},
    el("td", {}, el("a", { href: `#/requests/${encodeURIComponent(a.request_id)}` }, a.request_id.slice(0, 8))),
    el("td", { class: daysLeft(a.respond_by) < 0 ? "late" : "" }, `${day(a.respond_by)} (${daysLeftText(a.respond_by)})`),
    el("td", {}, a.jurisdiction),
    el("td", {}, day(a.received_at)),
    el("td", {}, a.extended ? "extended" : "")));
  show(el("h1", {}, "Appeals waiting for an answer"),
    rows.length
      ? el("table", {}, el("thead", {}, el("tr", {}, ["Reference", "Answer by", "Jurisdiction", "Received", ""].map((n) => el("th", { scope: "col" }, n)))), el("tbody", {}, rows))
      : el("p", {}, "No appeal is waiting."));
}

// --- one request --------------------------------------------------------------------------------

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(([, value]) => value !== undefined).map(([term, value]) => [el("dt", {}, term), el("dd", {}, value ?? "–")]));
}

function actionBox(title, ...content) {
  return el("section", { class: "action", "aria-label": title }, el("h3", {}, title), ...content);
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

function actionForm(title, fields, submitLabel, send, buttonClass = "", movesStatusFrom = null) {
  const form = el("form", {
    onsubmit: async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const outcome = await send(new FormData(form));
        flash = outcome || `${title}: done.`;
        if (movesStatusFrom) await statusAfter(currentRequestId, movesStatusFrom);
        await requestPage(currentRequestId);
      } catch (error) {
        flash = null;
        problemBox.replaceChildren(message(problemText(error), "error"));
        button.disabled = false;
      }
    },
  }, fields, el("button", { type: "submit", class: buttonClass }, submitLabel));
  return actionBox(title, form);
}

function field(id, label, control) {
  control.id = id;
  control.name = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), control);
}

let flash = null;
let currentRequestId = null;
const problemBox = el("div");

function actionsFor(request, member) {
  const id = encodeURIComponent(request.request_id);
  const base = `/staff/requests/${id}`;
  const may = new Set(member.may);
  const boxes = [];
  const review = request.review || {};
  if (request.status === "AWAITING_APPROVAL" && may.has("triage") && !review.triaged_by) {
    boxes.push(actionForm("Recommend", [
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
    boxes.push(actionBox("Decision", el("p", {}, review.triaged_by
      ? "You triaged this erasure: another staff member decides it."
      : "This erasure is decided after another staff member has triaged it.")));
  }
  if (request.status === "AWAITING_APPROVAL" && may.has("decide") && !fourEyesWaits) {
    boxes.push(actionForm("Approve", [], "Approve", async () => {
      await api("POST", `${base}/decision`, { decision: "approve" });
      return "Approved: the request is being carried out.";
    }, "", request.status));
    const reason = el("select", {}, DENIAL_REASONS.map(([value, label]) => el("option", { value }, label)));
    boxes.push(actionForm("Deny", [
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
  const open = !["COMPLETED", "PARTIALLY_COMPLETED", "DENIED", "UNVERIFIABLE", "FAILED", "LINKED", "CANCELLED"].includes(request.status);
  if (open && may.has("ask")) {
    const because = el("select", {}, el("option", { value: "clarification" }, "to clarify the request"),
      el("option", { value: "suspected_fraud" }, "fraud is suspected: more proof of identity"));
    boxes.push(actionForm("Ask for information", [
      field("question", "Question sent to the subject", el("textarea", { required: true, minlength: 10, maxlength: 2000 })),
      field("because", "Why", because),
    ], "Send the question", async (data) => {
      const answer = await api("POST", `${base}/information-request`, { question: data.get("question"), because: data.get("because") });
      return answer.clock === "paused" ? "Question sent; the clock stands still until they answer." : "Question sent; the clock keeps running.";
    }));
    if (request.deadlines.paused_at) {
      boxes.push(actionForm("Information received", [], "Record the answer", async () => {
        const answer = await api("POST", `${base}/information-received`);
        return `The clock runs again; respond by ${day(answer.respond_by)}.`;
      }));
    }
  }
  if (open && may.has("extend") && !request.deadlines.extended_at && request.deadlines.extended_respond_by) {
    boxes.push(actionForm("Extend", [
      field("extension-reason", "Why more time is needed (sent to the subject)", el("textarea", { required: true, minlength: 10, maxlength: 1000 })),
    ], "Extend the deadline", async (data) => {
      const answer = await api("POST", `${base}/extension`, { reason: data.get("extension-reason") });
      return `Extended: respond by ${day(answer.respond_by)}.`;
    }));
  }
  for (const system of request.systems.filter((s) => s.status === "waiting" && s.waiting_on && may.has("confirm"))) {
    const key = `${system.system_id}-${system.action}`;
    boxes.push(actionForm(`Confirm ${system.system_id} (${system.action})`, [
      field(`answer-${key}`, `What ${system.waiting_on} answered`, el("select", {},
        el("option", { value: "done" }, "done"), el("option", { value: "nothing_found" }, "they hold nothing"),
        el("option", { value: "failed" }, "they could not"))),
      field(`note-${key}`, "Their answer, in short", el("textarea", { required: true, maxlength: 2000 })),
    ], "Record the answer", async (data) => {
      await api("POST", `${base}/systems/${encodeURIComponent(system.system_id)}/${encodeURIComponent(system.action)}/confirmation`,
        { answer: data.get(`answer-${key}`), note: data.get(`note-${key}`) });
      return `Recorded the answer for ${system.system_id}.`;
    }));
  }
  if (request.status === "PARTIALLY_COMPLETED" && may.has("rerun")) {
    boxes.push(actionForm("Re-run failed systems", [], "Re-run", async () => {
      await api("POST", `${base}/rerun`);
      return "Re-running the systems that failed.";
    }, "", request.status));
  }
  if (["RECEIVED", "VERIFYING", "AWAITING_APPROVAL"].includes(request.status) && may.has("cancel")) {
    boxes.push(actionForm("Cancel", [
      field("cancel-reason", "Why (sent to the subject)", el("textarea", { required: true, minlength: 5, maxlength: 1000 })),
    ], "Cancel the request", async (data) => {
      await api("POST", `${base}/cancel`, { reason: data.get("cancel-reason") });
      return "Cancelled: the subject has been told why.";
    }, "danger"));
  }
  if (request.appeal && request.appeal.status === "OPEN" && may.has("decide")) {
    boxes.push(actionForm("Answer the appeal", [
      field("appeal-decision", "Decision", el("select", {}, el("option", { value: "uphold" }, "uphold the refusal"),
        el("option", { value: "reverse" }, "reverse it and carry the request out"))),
      field("appeal-reason", "Reasons (sent to the subject)", el("textarea", { required: true, maxlength: 2000 })),
    ], "Send the answer", async (data) => {
      const answer = await api("POST", `${base}/appeal/decision`, { decision: data.get("appeal-decision"), reason: data.get("appeal-reason") });
      return `Appeal answered: ${answer.appeal}.`;
    }));
  }
  return boxes;
}

// The subject's full identity is shown only when asked for, with a reason the trail records.
function revealForm(requestId) {
  const shown = el("div", { "aria-live": "polite" });
  const reason = el("input", { type: "text", id: "reveal-reason", required: true, minlength: 5, maxlength: 500 });
  const form = el("form", {
    class: "reveal",
    onsubmit: async (event) => {
      event.preventDefault();
      try {
        const identity = await api("POST", `/staff/requests/${encodeURIComponent(requestId)}/identity`, { reason: reason.value });
        shown.replaceChildren(identity.reduced
          ? message("The identity was let go after the request closed; only its keyed hash is kept.")
          : facts([
            ["Email", identity.email],
            ["Name", identity.name],
            ["Phone", identity.phone],
            ["Address", identity.postal_address ? Object.values(identity.postal_address).filter(Boolean).join(", ") : null],
            ["Account", identity.account_id],
            ["Agent", identity.agent_name ? `${identity.agent_name} <${identity.agent_email}>` : null],
          ]));
        form.remove();
      } catch (error) {
        shown.replaceChildren(message(problemText(error), "error"));
      }
    },
  }, el("div", { class: "field" }, el("label", { for: "reveal-reason" }, "Why you need the full identity (recorded)"), reason),
  el("button", { type: "submit", class: "secondary" }, "Reveal the identity"));
  return el("section", { "aria-label": "Identity" }, form, shown);
}

async function requestPage(requestId) {
  currentRequestId = requestId;
  const member = await whoAmI();
  const request = await api("GET", `/staff/requests/${encodeURIComponent(requestId)}`);
  const d = request.deadlines;
  const timeline = el("ol", { class: "timeline" }, request.timeline.map((event) => el("li", {},
    el("time", { datetime: event.at }, moment(event.at)),
    `${event.actor}: ${event.action} — ${event.outcome}`)));
  const systems = request.systems.length
    ? el("table", { "aria-label": "Systems" },
      el("thead", {}, el("tr", {}, ["System", "Action", "Outcome", "Records", "Note"].map((n) => el("th", { scope: "col" }, n)))),
      el("tbody", {}, request.systems.map((s) => el("tr", {},
        el("td", {}, s.system_id), el("td", {}, s.action), el("td", {}, s.status),
        el("td", {}, s.records ?? ""), el("td", {}, s.error || (s.waiting_on ? `waiting on ${s.waiting_on} until ${day(s.answer_by)}` : s.confirmed_by || ""))))))
    : el("p", {}, "No system has been asked yet.");
  const appeal = request.appeal
    ? [el("h2", {}, "Appeal"), facts([
      ["Status", request.appeal.status],
      ["Received", moment(request.appeal.received_at)],
      ["Answer by", `${day(request.appeal.respond_by)} (${daysLeftText(request.appeal.respond_by)})`],
      ["Refused by", request.appeal.original_decision_by],
      ["Answered", request.appeal.decided_by ? `${request.appeal.decision} by ${request.appeal.decided_by}` : undefined],
    ]), el("p", {}, "What the subject wrote:"), el("p", { class: "statement" }, request.appeal.statement)]
    : [];
  const review = request.review && request.review.triaged_by
    ? [el("h2", {}, "Review"), facts([
      ["Recommended", `${request.review.recommendation} by ${request.review.triaged_by}`],
      ["Why", request.review.triage_note],
      ["Decided", request.review.decided_by ? `${request.review.decision} by ${request.review.decided_by}` : undefined],
    ])]
    : [];
  const shown = flash ? [message(flash)] : [];
  flash = null;
  problemBox.replaceChildren();
  const actions = actionsFor(request, member);
  show(
    el("p", {}, el("a", { href: "#/" }, "← Queue")),
    el("h1", {}, `Request ${request.request_id.slice(0, 8)}`),
    ...shown,
    problemBox,
    facts([
      ["Status", el("strong", { id: "request-status" }, STATUS_LABELS[request.status] || request.status)],
      ["Subject", request.subject],
      ["Name", request.subject_name],
      ["Relationship", request.relationship],
      ["Asked for", request.request_types.join(", ")],
      ["Jurisdiction", request.jurisdiction],
      ["Channel", request.channel],
      ["Verification", request.verification_level || "–"],
      ["Access package", request.package_available_until
        ? `the subject's download page works until ${moment(request.package_available_until)} (with a fresh code)`
        : undefined],
      ["Received", moment(request.received_at)],
    ]),
    revealForm(request.request_id),
    el("h2", {}, "Deadlines"),
    facts([
      ["Respond by", `${day(d.respond_by)} (${daysLeftText(d.respond_by)})`],
      ["Internal target", d.target_by ? day(d.target_by) : undefined],
      ["Acknowledge by", d.acknowledge_by ? day(d.acknowledge_by) : undefined],
      ["Extension possible to", d.extended_respond_by ? day(d.extended_respond_by) : "the law allows none"],
      ["Extension notice by", d.extension_notice_by ? day(d.extension_notice_by) : undefined],
      ["Extended", d.extended_at ? `${moment(d.extended_at)}: ${d.extension_reason}` : undefined],
      ["Policy", d.policy ? `${d.policy} (version ${d.policy_version})` : undefined],
    ]),
    ...review,
    el("h2", {}, "Actions"),
    actions.length ? el("div", { class: "actions" }, actions) : el("p", {}, "Nothing for you to do on this request now."),
    ...appeal,
    el("h2", {}, "Systems"),
    systems,
    el("h2", {}, "Timeline"),
    timeline,
  );
}

// --- routing ------------------------------------------------------------------------------------

async function route() {
  try {
    const problem = await completeSignIn();
    if (problem) return await signInPage(problem);
    const hash = location.hash || "#/";
    if (hash === "#/sign-in") return await signInPage();
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      location.hash = "#/sign-in";
      return undefined;
    }
    const request = hash.match(/^#\/requests\/([0-9a-f-]{36})$/);
    if (request) return await requestPage(request[1]);
    if (hash === "#/appeals") return await appealsPage();
    if (hash === "#/dashboard") return await dashboardPage();
    if (hash.startsWith("#/reports")) return await reportsPage();
    return await queuePage();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    show(el("h1", {}, "Something went wrong"), message(problemText(error), "error"));
    return undefined;
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
