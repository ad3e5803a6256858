// The team view's detail sections: a tile's link (or a URL ending in #section-<key>) opens that
// section, whose panel htmx then loads on its first "toggle". No inline script (strict CSP).
(function () {
  "use strict";

  function openSection(hash, scroll) {
    if (!hash || hash.indexOf("#section-") !== 0) return;
    var section = document.getElementById(hash.slice(1));
    if (!section || section.tagName !== "DETAILS") return;
    section.open = true;
    if (scroll) section.scrollIntoView();
    var summary = section.querySelector("summary");
    if (summary) summary.focus({ preventScroll: !scroll });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#section-"]');
    if (!link) return;
    event.preventDefault();
    var hash = link.getAttribute("href");
    if (window.location.hash !== hash && window.history && window.history.pushState) {
      window.history.pushState(null, "", hash);
    }
    openSection(hash, true);
  });
  window.addEventListener("hashchange", function () {
    openSection(window.location.hash, true);
  });
  document.addEventListener("DOMContentLoaded", function () {
    openSection(window.location.hash, true);
  });
})();
