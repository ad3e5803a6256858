// Behaviour of the organisation pages. No inline scripts: everything hangs off data- attributes.
(function () {
  "use strict";

  // The org tree: a button loads its person's reports once (htmx, on the "tree-expand"
  // event), then only shows and hides them.
  function setExpanded(button, expanded) {
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    button.textContent = expanded ? "\u2212" : "+";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-tree-toggle]");
    if (!button) { return; }
    var list = document.getElementById(button.getAttribute("aria-controls"));
    var expanded = button.getAttribute("aria-expanded") === "true";
    setExpanded(button, !expanded);
    if (expanded) {
      if (list) { list.hidden = true; }
    } else if (button.dataset.loaded) {
      if (list) { list.hidden = false; }
    } else {
      button.dataset.loaded = "1";
      window.htmx.trigger(button, "tree-expand");
    }
  });

  // A failed load leaves the button collapsed, ready to try again.
  function reset(event) {
    var button = event.detail.elt;
    if (button && button.hasAttribute && button.hasAttribute("data-tree-toggle")) {
      delete button.dataset.loaded;
      setExpanded(button, false);
    }
  }
  document.addEventListener("htmx:responseError", reset);
  document.addEventListener("htmx:sendError", reset);

  // Filters inside <form data-drop-empty> leave empty values out of the URL (and history).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt.closest("form[data-drop-empty]");
    var data = event.detail.formData;
    if (!form || event.detail.verb !== "get" || !data) { return; }
    var empty = [];
    data.forEach(function (value, key) { if (value === "") { empty.push(key); } });
    empty.forEach(function (key) { data.delete(key); });
  });
})();
