/* Every page: what htmx requests tell the person, and where focus goes after a swap.
   - One persistent live region (#app-status, role="status", outside every swapped part)
     announces each save ("Saved. Score 88: 0 errors, 2 warnings."), each refusal (422) and
     each conflict (409).
   - A server error (5xx, or 403/404 on a write), a dropped connection or a time-out shows a
     visible message beside the form that sent the request, and announces it. Nothing is
     swapped, so the form keeps what the person typed. A plain-text answer from the server
     (a locked database, an expired security check) is shown as it is.
   - After any swap, focus never falls back to <body>.
   No inline handlers or styles: the page's Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var status = document.getElementById("app-status");
  var clearTimer = null;

  function announce(text, kind) {
    if (!status) { return; }
    window.clearTimeout(clearTimer);
    status.classList.toggle("is-error", kind === "error");
    status.classList.toggle("is-warning", kind === "warning");
    // Empty first, then fill: the same words twice in a row are announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
      if (kind === "ok") {
        clearTimer = window.setTimeout(function () { status.textContent = ""; }, 8000);
      }
    }, 50);
  }
  window.canvasAnnounce = announce;

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function count(el) {
    var match = el && el.textContent.match(/\d+/);
    return match ? parseInt(match[0], 10) : 0;
  }

  function scoreSummary() {
    var box = document.getElementById("score");
    if (!box) { return ""; }
    var chip = box.querySelector(".score-chip");
    var scored = box.getAttribute("data-scored") !== "false";
    return (scored ? " Score " + count(chip) : " Not scored yet") + ": " + plural(count(box.querySelector(".n-error")), "error") +
      ", " + plural(count(box.querySelector(".n-warning")), "warning") + ".";
  }

  function verb(detail) {
    var config = detail.requestConfig || {};
    return (config.verb || "get").toLowerCase();
  }

  function plainText(xhr) {
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    var text = xhr && xhr.responseText ? xhr.responseText.trim() : "";
    return type.indexOf("text/plain") === 0 && text && text.length < 400 ? text : "";
  }

  // The visible message sits where the person acted: above the form's buttons (or just
  // before the form, or the element, that sent the request).
  function noteSpot(elt) {
    var form = elt.closest ? (elt.closest("form") || elt.form || elt) : null;
    if (form && form.id === "entry-action") { form = elt.closest(".entry-actions") || elt; }
    if (!form || !form.isConnected) { return null; }
    var actions = form.querySelector(".form-actions");
    return actions || form;
  }

  function errorNote(elt) {
    var spot = noteSpot(elt);
    if (!spot) { return null; }
    var note = spot.previousElementSibling;
    if (!note || !note.classList.contains("request-error")) {
      note = document.createElement("p");
      note.className = "request-error";
      spot.parentNode.insertBefore(note, spot);
    }
    return note;
  }

  function clearErrors(elt) {
    var spot = elt && noteSpot(elt);
    var note = spot && spot.previousElementSibling;
    if (note && note.classList.contains("request-error")) { note.remove(); }
  }

  function failed(detail, why) {
    var write = verb(detail) !== "get";
    var text = plainText(detail.xhr);
    if (!text) {
      if (why === "network") {
        text = write
          ? "Not saved: the connection to the server was lost. Your text is still in the form; try again when you are back online."
          : "Could not load this part of the page: the connection to the server was lost. Try again.";
      } else if (why === "timeout") {
        text = write
          ? "Not saved: the server took too long to answer. Your text is still in the form; try again."
          : "Could not load this part of the page: the server took too long to answer. Try again.";
      } else {
        text = write
          ? "Not saved: the server had a problem. Your text is still in the form."
          : "Could not load this part of the page: the server had a problem. Try again.";
      }
    }
    var note = errorNote(detail.elt);
    if (note) { note.textContent = text; }
    announce(text, "error");
  }

  document.body.addEventListener("htmx:responseError", function (event) { failed(event.detail, "server"); });
  document.body.addEventListener("htmx:sendError", function (event) { failed(event.detail, "network"); });
  document.body.addEventListener("htmx:timeout", function (event) { failed(event.detail, "timeout"); });

  // What to announce once the response has been swapped in (its score, its conflict).
  var pending = null;

  function announcePending(root) {
    var what = pending;
    pending = null;
    if (what === "comment") {
      announce("Comment saved.", "ok");
    } else if (what === "saved") {
      announce("Saved." + scoreSummary(), "ok");
    } else if (what === "conflict") {
      var scope = root && root.isConnected ? root : document;
      var title = scope.querySelector(".conflict-title") || document.querySelector(".conflict-title");
      announce("Not saved: " + (title ? title.textContent.trim() + " " : "") +
        "Your changes are still in the form: re-apply them or cancel.", "warning");
    }
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail;
    var xhr = detail.xhr;
    if (!xhr || verb(detail) === "get") { return; }
    var code = xhr.status;
    if (code >= 200 && code < 300) {
      clearErrors(detail.elt);
      var path = (detail.pathInfo && detail.pathInfo.requestPath) || "";
      pending = /\/comments\//.test(path) ? "comment" : "saved"; // a comment changes no score
    } else if (code === 409) {
      clearErrors(detail.elt);
      pending = "conflict";
    } else if (code === 422) {
      clearErrors(detail.elt);
      announce("Not saved: check the fields marked in the form.", "warning");
      return;
    } else {
      return;
    }
    // A response that swaps nothing (204) is announced anyway.
    window.setTimeout(function () { if (pending) { announcePending(null); } }, 300);
  });

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (pending) { announcePending(event.detail.target); }
  });

  // Focus never falls back to <body>: listeners on document run after the page's own
  // (editor.js listens on <body> and puts focus where the action was).
  document.addEventListener("htmx:afterSettle", function (event) {
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) { return; }
    var old = event.detail.target;
    var el = (old && old.id && document.getElementById(old.id)) || old;
    if (!el || !el.isConnected) { el = document.getElementById("main"); }
    if (!el) { return; }
    var target = el.querySelector("[aria-invalid='true'], .request-error, a[href], button:not([disabled]), input:not([type='hidden']), select, textarea, summary") || el;
    if (target === el && !el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: true });
  });
})();
