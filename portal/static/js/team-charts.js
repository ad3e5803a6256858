// Draws the team view's trend charts from each canvas's data-chart attribute (JSON).
// Chart.js comes from npm (static/vendor); no inline script, so the strict CSP holds.
(function () {
  "use strict";

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var data;
    try {
      data = JSON.parse(canvas.dataset.chart);
    } catch (e) {
      return;
    }
    canvas.dataset.drawn = "1";
    // Chart.js sizes a responsive chart from its parent: give it a parent of fixed height,
    // or the canvas and its container grow each other without end.
    if (!canvas.parentElement.classList.contains("chart-box")) {
      var box = document.createElement("div");
      box.className = "chart-box";
      canvas.parentElement.insertBefore(box, canvas);
      box.appendChild(canvas);
    }
    // A bucket without data is a gap in the line, never a zero.
    var datasets = [
      { label: data.label, data: data.values, borderColor: "#2457a6", backgroundColor: "#2457a6",
        spanGaps: false, tension: 0.2, pointRadius: 2 }
    ];
    // An interval (e.g. the QA mean's 95 % CI) as two thin dotted lines around the values.
    if (data.low && data.high) {
      [data.low, data.high].forEach(function (values, index) {
        datasets.push({ label: index === 0 ? data.bandLabel : "", data: values, borderColor: "#8aa6d6",
          borderDash: [2, 3], borderWidth: 1, pointRadius: 0, spanGaps: true });
      });
    }
    if (data.target !== null && data.target !== undefined) {
      datasets.push({ label: data.targetLabel, data: data.labels.map(function () { return data.target; }),
        borderColor: "#b54708", borderDash: [6, 4], pointRadius: 0 });
    }
    function given(value) { return value === null || value === undefined ? undefined : value; }
    function title(text) { return text ? { display: true, text: text } : { display: false }; }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        // Hovering anywhere over a date shows every line's value there (the server's rounding
        // for the main line when it sends one).
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: true, position: "bottom",
          labels: { filter: function (item) { return item.text !== ""; } } },
          tooltip: { filter: function (item) { return item.dataset.label !== "" && item.raw !== null; },
            callbacks: { label: function (item) {
              if (item.datasetIndex === 0 && data.shown && data.shown[item.dataIndex]) {
                return item.dataset.label + ": " + data.shown[item.dataIndex];
              }
              return item.dataset.label + ": " + item.formattedValue;
            } } } },
        // The y-axis starts at the metric's baseline (0, or a rating scale's floor) sent by
        // the server, so a small move does not look like a crash.
        scales: { x: { ticks: { maxTicksLimit: 8 }, title: title(data.xTitle) },
          y: { min: given(data.yMin), max: given(data.yMax), title: title(data.yTitle) } } }
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
