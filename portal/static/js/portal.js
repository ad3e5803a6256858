// The portal's own small behaviours. No inline scripts: everything hangs off data- attributes.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form when changed (e.g. the language menu).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit();
    }
  });

  // <form data-confirm="..."> asks before a destructive submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }
  }, true);

  // Move focus to the first invalid field after an htmx swap of a form with errors.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.target.querySelector("[aria-invalid='true']");
    if (invalid) { invalid.focus(); }
  });

  // Main-menu groups: one open at a time; a click elsewhere or Escape closes them.
  function closeGroups(except) {
    document.querySelectorAll("details[data-navgroup][open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }
  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el instanceof HTMLDetailsElement && el.hasAttribute("data-navgroup") && el.open) {
      closeGroups(el);
    }
  }, true);
  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element) || !event.target.closest("details[data-navgroup]")) {
      closeGroups(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details[data-navgroup][open]");
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
    }
  });
})();
