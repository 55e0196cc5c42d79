/* Global Privacy Control for the privacy desk: embed on the company's own pages with
 *   <script src="https://DESK/gpc.js" defer></script>
 * When the browser sends the signal (navigator.globalPrivacyControl === true), this sends it to
 * the desk with a random identifier kept in this site's own storage (the desk keeps only a keyed
 * hash of it) and, when the page knows the person, who they are:
 *   - signed in: <meta name="privacy-desk-account-assertion" content="..."> holds the product's
 *     signed statement of the account;
 *   - or an email typed on a form here: PrivacyDesk.gpc.identify(email).
 * Once the desk has the signal, the element with id "gpc-honored" (added at the end of the page
 * if there is none) says "Opt-Out Preference Signal Honored" (11 CCR 7025(c)(6)). The signal is
 * sent once a day for each person the browser is known as (nobody, an account, an email), not
 * on every page.
 * Optional attributes on the script tag: data-country and data-region (ISO codes) where the page
 * knows where the person lives. No dependencies; nothing is sent without the signal. */
(function () {
  "use strict";
  var HONORED = "Opt-Out Preference Signal Honored";
  var STORAGE_KEY = "privacy-desk-gpc-browser";
  var SENT_KEY = "privacy-desk-gpc-sent";
  var DAY_MS = 24 * 3600 * 1000;
  var script = document.currentScript;
  var desk = script ? new URL(script.src, location.href).origin : location.origin;
  var enabled = navigator.globalPrivacyControl === true;

  function browserId() {
    var id = null;
    try { id = window.localStorage.getItem(STORAGE_KEY); } catch (blocked) { id = null; }
    if (!id || !/^[A-Za-z0-9_-]{16,128}$/.test(id)) {
      var bytes = new Uint8Array(18);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { window.localStorage.setItem(STORAGE_KEY, id); } catch (blocked) { /* kept for this page only */ }
    }
    return id;
  }

  function showHonored() {
    var shown = document.getElementById("gpc-honored");
    if (!shown) {
      shown = document.createElement("p");
      shown.id = "gpc-honored";
      document.body.appendChild(shown);
    }
    shown.textContent = HONORED;
    shown.hidden = false;
  }

  // Whom a signal is for, as this browser remembers it: never the email itself.
  function digest(text) {
    var hash = 5381;
    for (var i = 0; i < text.length; i += 1) { hash = ((hash * 33) ^ text.charCodeAt(i)) >>> 0; }
    return hash.toString(36);
  }

  function accountOf(statement) {
    try {
      var plain = statement.replace(/-/g, "+").replace(/_/g, "/");
      var signed = window.atob(plain + "===".slice((plain.length + 3) % 4));
      return String(JSON.parse(signed.slice(64)).account_id || "");
    } catch (unreadable) { return ""; }
  }

  function sentToday(whom) {
    try {
      var last = JSON.parse(window.localStorage.getItem(SENT_KEY) || "{}");
      return last.whom === whom && Date.now() - last.at < DAY_MS;
    } catch (blocked) { return false; }
  }

  function remember(whom) {
    try { window.localStorage.setItem(SENT_KEY, JSON.stringify({ whom: whom, at: Date.now() })); }
    catch (blocked) { /* sent again on the next page */ }
  }

  function send(who) {
    if (!enabled) { return Promise.resolve(false); }
    var body = { browser_id: browserId() };
    var whom = "nobody";
    var statement = document.querySelector('meta[name="privacy-desk-account-assertion"]');
    if (statement && statement.content) {
      body.account_assertion = statement.content;
      whom = "account:" + digest(accountOf(statement.content));
    } else if (who && who.email) {
      body.email = who.email;
      whom = "email:" + digest(who.email.toLowerCase());
    }
    if (sentToday(whom)) { showHonored(); return Promise.resolve(true); }
    if (script && script.dataset.country) { body.country = script.dataset.country; }
    if (script && script.dataset.region) { body.region = script.dataset.region; }
    return fetch(desk + "/signals/gpc", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      keepalive: true
    }).then(function (answer) {
      if (answer.ok) { remember(whom); showHonored(); }
      return answer.ok;
    }, function () { return false; });
  }

  window.PrivacyDesk = window.PrivacyDesk || {};
  window.PrivacyDesk.gpc = {
    enabled: enabled,
    sent: null,
    identify: function (email) { return send({ email: String(email || "").trim() }); }
  };
  if (enabled) {
    var start = function () { window.PrivacyDesk.gpc.sent = send(null); };
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
    else { start(); }
  }
}());
