// The portal's own small behaviours. No inline scripts: everything hangs off data- attributes.
(function () {
  "use strict";

  // The stylesheet folds the phone menu and wraps tables only when this script runs.
  document.documentElement.classList.add("js");

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
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); return; }
      if (menuOpen()) { setMenu(false); menuToggle().focus(); }
    }
  });

  // Phone menu: the "Menu" button shows and hides the header's menu (CSS folds it under 640 px).
  function menuToggle() { return document.querySelector("[data-menu-toggle]"); }
  function menuOpen() {
    var toggle = menuToggle();
    return !!toggle && toggle.offsetParent !== null && toggle.getAttribute("aria-expanded") === "true";
  }
  function setMenu(open) {
    var toggle = menuToggle();
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("is-open", open);
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target instanceof Element && event.target.closest("[data-menu-toggle]");
    if (toggle) { setMenu(toggle.getAttribute("aria-expanded") !== "true"); }
  });

  // Tables scroll inside their card: each table.table sits in a .table-scroll box, which becomes
  // a labelled, focusable region (so keyboard users can scroll it) only while it is too narrow.
  function tableLabel(table) {
    var caption = table.querySelector("caption");
    if (caption) {
      // A caption repeating its section's heading (a panel's first table) would give two
      // landmarks one name: then "Table: <caption>".
      var text = caption.textContent.trim();
      var section = table.closest("section[aria-labelledby]");
      var title = section && document.getElementById(section.getAttribute("aria-labelledby"));
      return title && headingText(title) === text ? document.body.dataset.tableLabel.replace("{name}", text) : text;
    }
    var before = Array.prototype.filter.call(
      document.querySelectorAll("main h1, main h2, main h3"),
      function (h) { return h.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING; }
    );
    var heading = before[before.length - 1];
    var name = heading ? headingText(heading) : "";
    // "Table: <heading>", so the region's name differs from its section's.
    return name ? document.body.dataset.tableLabel.replace("{name}", name) : document.body.dataset.tableName;
  }
  function headingText(heading) {  // the heading's own words, without links beside them
    var own = Array.prototype.filter.call(heading.childNodes, function (n) { return n.nodeType === Node.TEXT_NODE; })
      .map(function (n) { return n.textContent; }).join(" ").replace(/\s+/g, " ").trim();
    return own || heading.textContent.trim();
  }
  function markScrollable(box) {
    var table = box.querySelector("table");
    if (table && box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", tableLabel(table));
      box.setAttribute("tabindex", "0");
    } else {
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      box.removeAttribute("tabindex");
    }
  }
  function fitTables(root) {
    var tables = Array.prototype.slice.call(root.querySelectorAll("table.table"));
    if (root instanceof Element && root.matches("table.table")) { tables.push(root); }
    tables.forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("table-scroll")) {
        box = document.createElement("div");
        box.className = "table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
    });
    document.querySelectorAll(".table-scroll").forEach(markScrollable);
  }
  fitTables(document);
  document.addEventListener("htmx:load", function (event) { fitTables(event.target); });
  document.addEventListener("toggle", function (event) {  // a table in a <details> had no width
    if (event.target instanceof HTMLDetailsElement && event.target.open) {
      event.target.querySelectorAll(".table-scroll").forEach(markScrollable);
    }
  }, true);
  var resizing = false;
  window.addEventListener("resize", function () {
    if (resizing) { return; }
    resizing = true;
    window.requestAnimationFrame(function () {
      resizing = false;
      document.querySelectorAll(".table-scroll").forEach(markScrollable);
    });
  });
})();
