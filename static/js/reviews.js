/* The management review's charts: each canvas carries its chart in data-review-chart, a pack's CHART
   ({kind: "bar"|"line"|"stacked", title, labels, series: [{name, values}], unit}, already translated).
   Chart.js 4 is vendored, no build step; the same figures are in the section's tables, and the PDF draws
   its charts as SVG on the server (reviews/charts.py). */
(function () {
  "use strict";

  var COLOURS = ["#0d6efd", "#fd7e14", "#198754", "#d63384", "#6f42c1", "#20c997", "#6c757d", "#dc3545", "#0dcaf0"];

  function draw(canvas) {
    if (canvas.getAttribute("data-drawn")) {
      return;
    }
    var chart;
    try {
      chart = JSON.parse(canvas.getAttribute("data-review-chart"));
    } catch (error) {
      return;
    }
    if (!chart || !chart.labels) {
      return;
    }
    var kind = chart.kind || "bar";
    var unit = chart.unit || "";
    var series = chart.series || [];
    // Counts get whole ticks (no 0.1 steps between 0 and 1 risk).
    var whole = series.every(function (entry) {
      return (entry.values || []).every(function (value) { return value === null || Math.round(value) === value; });
    });
    canvas.setAttribute("data-drawn", "1");
    new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels: chart.labels,
        datasets: series.map(function (entry, n) {
          var colour = COLOURS[n % COLOURS.length];
          return {
            label: entry.name,
            data: entry.values,
            borderColor: colour,
            backgroundColor: colour,
            borderWidth: kind === "line" ? 2 : 1,
            pointRadius: kind === "line" ? 3 : 0,
            tension: 0.2,
            spanGaps: false,
          };
        }),
      },
      options: {
        responsive: true,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: series.length > 1 || kind !== "bar", position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                return (context.dataset.label ? context.dataset.label + ": " : "") + (value === null ? "–" : value + unit);
              },
            },
          },
        },
        scales: {
          x: { stacked: kind === "stacked" },
          y: {
            stacked: kind === "stacked",
            // A line (a score month by month) reads flat from zero: its axis fits the values.
            beginAtZero: kind !== "line",
            suggestedMax: unit === "%" && kind !== "line" ? 100 : undefined,
            ticks: { precision: whole ? 0 : undefined, callback: function (value) { return value + unit; } },
          },
        },
      },
    });
  }

  function drawAll(root) {
    if (typeof Chart === "undefined") {
      return;
    }
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("canvas[data-review-chart]").forEach(draw);
  }

  drawAll(document);
  if (typeof htmx !== "undefined") {
    htmx.onLoad(drawAll);
  }
})();
