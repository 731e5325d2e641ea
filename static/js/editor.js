/* Canvas editor: the small things htmx does not do.
   - A finding's link scrolls to its entry and highlights it (plain anchors work without JS).
   - After an htmx swap, focus goes where a keyboard user expects it.
   - Escape closes an open form; opening a delete confirmation focuses its button.
   - An entry's comment marker opens its thread in the block's margin.
   No inline handlers: the page's Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function highlight(el) {
    el.classList.remove("is-highlighted");
    void el.offsetWidth; // restart the animation
    el.classList.add("is-highlighted");
    window.setTimeout(function () { el.classList.remove("is-highlighted"); }, 2600);
  }

  function reveal(id) {
    var target = document.getElementById(id);
    if (!target) { return false; }
    var details = target.closest("details:not([open])");
    if (details) { details.open = true; }
    target.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "center" });
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus({ preventScroll: true });
    highlight(target);
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.finding-link");
    if (!link || !link.hash) { return; }
    var id = decodeURIComponent(link.hash.slice(1));
    if (reveal(id)) {
      event.preventDefault();
      history.replaceState(null, "", "#" + id);
    }
  });

  // ?finding=RULE (from the cohort dashboard's common gaps): mark that rule's findings
  // in the panel and reveal the first one's entry.
  function showFinding(rule) {
    var items = document.querySelectorAll("#findings li.finding");
    var first = null;
    Array.prototype.forEach.call(items, function (li) {
      if (li.getAttribute("data-rule") === rule) {
        li.classList.add("is-target");
        first = first || li;
      }
    });
    if (!first) { return false; }
    var link = first.querySelector("a.finding-link");
    var id = link && link.hash ? decodeURIComponent(link.hash.slice(1)) : "";
    if (!(id && reveal(id))) { reveal(first.id || "findings") || highlight(first); }
    highlight(first);
    return true;
  }

  window.addEventListener("DOMContentLoaded", function () {
    var rule = new URLSearchParams(window.location.search).get("finding");
    if (rule && showFinding(rule)) { return; }
    if (window.location.hash.length > 1) {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = document.getElementById(id);
      if (target) {
        var field = target.querySelector("form [aria-invalid='true'], form input:not([type='hidden']), form select, form textarea");
        if (field) {
          field.focus();
          // The browser's own scroll to the fragment can take the focus back to the
          // page once the page has loaded: give it to the form's field again then.
          window.addEventListener("load", function () {
            if (document.activeElement === document.body) { field.focus(); }
          }, { once: true });
        } else { highlight(target); }
      }
    }
  });

  function firstField(root) {
    return root.querySelector("[aria-invalid='true']") ||
      root.querySelector("input:not([type='hidden']):not([disabled]), select, textarea");
  }

  // What was acted on, so focus can follow it after the swap (move, add, delete).
  var last = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var entry = elt.closest && elt.closest(".entry");
    var list = elt.closest && elt.closest(".entry-list");
    last = {
      entryId: entry ? entry.id : null,
      label: elt.getAttribute && elt.getAttribute("aria-label"),
      known: list ? Array.prototype.map.call(list.querySelectorAll(".entry"), function (e) { return e.id; }) : []
    };
  });

  function refocus(el) {
    var action = last;
    last = null;
    if (!action) { return false; }
    var entry = action.entryId && document.getElementById(action.entryId);
    if (entry && !entry.classList.contains("is-editing")) {
      var same = action.label && entry.querySelector('[aria-label="' + CSS.escape(action.label) + '"]');
      var target = (same && !same.disabled && same) || entry.querySelector(".entry-actions a") || entry;
      target.focus();
      return true;
    }
    var added = Array.prototype.filter.call(el.querySelectorAll(".entry"), function (e) {
      return action.known.indexOf(e.id) === -1;
    })[0];
    if (added) {
      added.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "nearest" });
      (added.querySelector(".entry-actions a") || added).focus({ preventScroll: true });
      highlight(added);
      return true;
    }
    if (action.entryId) { // it was deleted: go on from the block's add button
      var add = el.querySelector(".add-slot a");
      if (add) { add.focus(); return true; }
    }
    return false;
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    var old = event.detail.target;
    var el = (old && old.id && document.getElementById(old.id)) || old;
    if (!el || !el.isConnected) { return; }
    var invalid = el.querySelector("[aria-invalid='true']");
    var alert = el.querySelector(".conflict");
    if (invalid) { invalid.focus(); return; }
    if (alert) {
      var submit = el.querySelector("button[type='submit']");
      if (submit) { submit.focus(); }
      return;
    }
    var opened = el.querySelector("form.entry-form");
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (opened && verb === "get") {
      var field = firstField(opened);
      if (field) { field.focus(); }
      return;
    }
    if (pendingThread && showThread()) { last = null; return; }
    var active = document.activeElement;
    if (!active || active === document.body || !active.isConnected) {
      if (refocus(el)) { return; }
      var edit = el.querySelector(".entry-actions a, .add-slot a, .venture a.button");
      (edit || el).focus({ preventScroll: true });
    }
    last = null;
  });

  // An entry's comment marker opens its block's threads in the margin and shows the entry's
  // oldest open thread (without JavaScript the marker is a link to the block's comment page).
  var pendingThread = null;

  function showThread() {
    var thread = pendingThread && document.getElementById(pendingThread);
    if (!thread) { return false; }
    pendingThread = null;
    thread.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "center" });
    if (!thread.hasAttribute("tabindex")) { thread.setAttribute("tabindex", "-1"); }
    thread.classList.add("is-target");
    thread.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("click", function (event) {
    var marker = event.target.closest && event.target.closest("a.comment-marker");
    if (!marker) { return; }
    var slot = document.getElementById("comments-" + marker.getAttribute("data-block"));
    if (!slot || slot.tagName !== "DETAILS") { return; } // follow the link
    event.preventDefault();
    pendingThread = "comment-" + marker.getAttribute("data-thread");
    if (!slot.open) { slot.open = true; } // loads the threads (hx-trigger="toggle once")
    window.setTimeout(showThread, 0); // already loaded: show it now
  });

  // The findings panel is replaced on every save: keep its scroll position.
  var panelScroll = 0;
  document.body.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "findings") {
      panelScroll = event.detail.target.scrollTop;
    }
  });
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var panel = document.getElementById("findings");
    if (panel && event.detail.target && event.detail.target.id === "findings") {
      panel.scrollTop = panelScroll;
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var form = event.target.closest && event.target.closest("form.entry-form");
    if (form) {
      var cancel = form.querySelector(".form-actions a.button");
      if (cancel) { event.preventDefault(); cancel.click(); }
      return;
    }
    var details = event.target.closest && event.target.closest("details.confirm-delete[open]");
    if (details) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  });

  // The overview's cards: a click anywhere on a card that is not itself a control, or Enter
  // on a card that holds the focus (a finding's link focuses it), opens it for editing.
  function openCard(card) {
    var open = card && card.querySelector(":scope > .entry-head .entry-open");
    if (open) { open.click(); return true; }
    return false;
  }
  document.addEventListener("click", function (event) {
    var card = event.target.closest && event.target.closest(".is-overview .entry:not(.is-editing)");
    if (!card || event.target.closest("a, button, summary, input, select, textarea, label, .chip, .comment-marker")) { return; }
    openCard(card);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches) { return; }
    if (event.target.matches(".entry:not(.is-editing)") && openCard(event.target)) {
      event.preventDefault();
    }
  });

  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.matches && details.matches("details.confirm-delete") && details.open) {
      var yes = details.querySelector("button[type='submit']");
      if (yes) { yes.focus(); }
    }
  }, true);
})();
