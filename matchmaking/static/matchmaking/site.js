// Ryumon: the few behaviours htmx does not cover. A file, not an inline script (the CSP allows
// none); every page works without it.
//
// - <details data-open-from="(min-width: 64rem)"> is open on screens that match the query and
//   keeps its open or closed state across htmx swaps (the menu, the filter drawer).
// - After a swap requested by an element with data-focus-after="<id>" (a paging link, the
//   "Apply filters" button), focus moves to that element (a heading with tabindex="-1").
// - After a swap, the new content's [data-announce] text (or the attribute's value) is written
//   to #live-status, a live region outside the swapped part, so screen readers hear it.
// - A <form data-auto-submit> is sent once, as soon as the page is read: the answer link of an
//   outcome mail records by POST (a mail scanner's GET records nothing), in one click still.
(function () {
  "use strict";

  var openBeforeSwap = {};

  function fitToScreen(root) {
    root.querySelectorAll("details[data-open-from]").forEach(function (details) {
      var query = window.matchMedia(details.dataset.openFrom);
      if (query.matches || openBeforeSwap[details.id]) {
        details.open = true;
      }
      if (!details.dataset.watched) {
        details.dataset.watched = "1";
        query.addEventListener("change", function () {
          details.open = query.matches;
        });
      }
    });
  }

  function announce(text) {
    var region = document.getElementById("live-status");
    if (!region || !text) {
      return;
    }
    // Empty first, so that the same count said twice is still spoken.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text.replace(/\s+/g, " ").trim();
    }, 50);
  }

  document.addEventListener("DOMContentLoaded", function () {
    fitToScreen(document);
    document.querySelectorAll("form[data-auto-submit]").forEach(function (form) {
      if (!form.dataset.sent) {
        form.dataset.sent = "1";
        form.submit();
      }
    });
    var menu = document.getElementById("site-menu");
    if (menu) {
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open && !window.matchMedia(menu.dataset.openFrom).matches) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    }
  });

  document.addEventListener("htmx:beforeSwap", function () {
    openBeforeSwap = {};
    document.querySelectorAll("details[id][open]").forEach(function (details) {
      openBeforeSwap[details.id] = true;
    });
  });

  document.addEventListener("htmx:afterSwap", function () {
    fitToScreen(document);
  });

  var handled = new WeakSet();
  document.addEventListener("htmx:afterSettle", function (event) {
    var info = event.detail;
    var root = event.target;
    if (!info || !info.requestConfig || handled.has(info)) {
      return;
    }
    handled.add(info);
    var config = info.requestConfig;
    var trigger = config.triggeringEvent;
    var source = trigger && trigger.type === "submit" && trigger.submitter ? trigger.submitter : config.elt;
    var focusId = source && source.dataset ? source.dataset.focusAfter : null;
    var focusTarget = focusId ? document.getElementById(focusId) : null;
    if (focusTarget) {
      focusTarget.focus();
    }
    var said = null;
    if (root instanceof Element) {
      said = root.matches("[data-announce]") ? root : root.querySelector("[data-announce]");
    }
    if (said) {
      announce(said.getAttribute("data-announce") || said.textContent);
    }
  });
})();
