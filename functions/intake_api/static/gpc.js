/* Global Privacy Control for the privacy desk: embed on the company's own pages with
 *   <script src="https://DESK/gpc.js" defer></script>
 * When the browser sends the signal (navigator.globalPrivacyControl === true), this sends it to
 * the desk with a random identifier kept in this site's own storage (the desk keeps only a keyed
 * hash of it) and, when the page knows the person, who they are:
 *   - signed in: <meta name="privacy-desk-account-assertion" content="..."> holds the product's
 *     signed statement of the account;
 *   - or an email typed on a form here: PrivacyDesk.gpc.identify(email).
 * Once the desk has the signal, the element with id "gpc-honored" (added at the end of the page
 * if there is none) says "Opt-Out Preference Signal Honored" (11 CCR 7025(c)(6)).
 * Optional attributes on the script tag: data-country and data-region (ISO codes) where the page
 * knows where the person lives. No dependencies; nothing is sent without the signal. */
(function () {
  "use strict";
  var HONORED = "Opt-Out Preference Signal Honored";
  var STORAGE_KEY = "privacy-desk-gpc-browser";
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

  function send(who) {
    if (!enabled) { return Promise.resolve(false); }
    var body = { browser_id: browserId() };
    var statement = document.querySelector('meta[name="privacy-desk-account-assertion"]');
    if (statement && statement.content) { body.account_assertion = statement.content; }
    else if (who && who.email) { body.email = who.email; }
    if (script && script.dataset.country) { body.country = script.dataset.country; }
    if (script && script.dataset.region) { body.region = script.dataset.region; }
    return fetch(desk + "/signals/gpc", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      keepalive: true
    }).then(function (answer) {
      if (answer.ok) { showHonored(); }
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
