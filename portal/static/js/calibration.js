// The calibration page: the distribution charts (from each canvas's data-calibration-chart),
// Escape to cancel an inline rating change, and focus back on the row after a save or cancel.
// Chart.js comes from npm (static/vendor); no inline script, so the strict CSP holds.
(function () {
  "use strict";

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var data;
    try {
      data = JSON.parse(canvas.dataset.calibrationChart);
    } catch (e) {
      return;
    }
    canvas.dataset.drawn = "1";
    var text = data.text || {};
    var datasets = [
      { type: "bar", label: text.now, data: data.shares, backgroundColor: "#2457a6", order: 2 }
    ];
    if (data.whatIf) {
      datasets.push({ type: "bar", label: text.whatIf, data: data.whatIf, backgroundColor: "#7fb77e", order: 3 });
    }
    // The guideline's maximum per rating as a short horizontal mark over its bars.
    datasets.push({ type: "line", label: text.guideline, data: data.guideline, showLine: false,
      pointStyle: "line", pointRadius: 18, pointHoverRadius: 18, borderWidth: 3,
      borderColor: "#b54708", backgroundColor: "#b54708", order: 1 });
    new window.Chart(canvas, {
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {
          legend: { display: true, position: "bottom" },
          tooltip: { callbacks: { title: function (items) {
            return items.length ? (data.names || data.labels)[items[0].dataIndex] : "";
          } } }
        },
        scales: {
          x: { title: { display: true, text: text.x } },
          y: { min: 0, suggestedMax: 50, title: { display: true, text: text.y } }
        }
      }
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-calibration-chart]").forEach(draw);
  }

  function returnFocus() {
    var el = document.querySelector("[data-return-focus]");
    if (el) {
      el.removeAttribute("data-return-focus");
      el.focus();
    }
  }

  // An edit row that came in puts the cursor on its first invalid field, else its rating;
  // otherwise a row that came back (saved or cancelled) puts it on its Change button.
  function placeFocus() {
    var editing = document.querySelector("[data-autofocus-edit]");
    if (editing) {
      editing.removeAttribute("data-autofocus-edit");
      var first = editing.querySelector("[aria-invalid='true']") || editing.querySelector("select, textarea");
      if (first) first.focus();
      return;
    }
    returnFocus();
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); placeFocus(); });
  document.addEventListener("htmx:afterSettle", function () {
    drawAll(document);
    placeFocus();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    var row = event.target.closest("tr[data-edit-row]");
    if (!row) return;
    var cancel = row.querySelector("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.click();
    }
  });
})();
