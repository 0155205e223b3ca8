/* The cockpit's small charts: a trend line or counts side by side, from the canvas's data attributes
   (data-cockpit-chart="line|bar", data-labels, data-values as JSON; the CSP allows no inline script). The
   same figures are in the tile's text. Chart.js 4 is vendored, no build step. */
(function () {
  "use strict";

  function draw(canvas) {
    var kind = canvas.getAttribute("data-cockpit-chart");
    var labels = JSON.parse(canvas.getAttribute("data-labels") || "[]");
    var values = JSON.parse(canvas.getAttribute("data-values") || "[]");
    var colour = window.getComputedStyle(canvas).color || "#6c757d";
    new Chart(canvas, {
      type: kind === "bar" ? "bar" : "line",
      data: {
        labels: labels,
        datasets: [{
          data: values,
          borderColor: colour,
          backgroundColor: colour,
          borderWidth: kind === "bar" ? 0 : 2,
          pointRadius: kind === "bar" ? 0 : 2,
          tension: 0.25,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { display: kind === "bar", grid: { display: false }, ticks: { font: { size: 10 } } },
          y: { display: false, beginAtZero: kind === "bar" },
        },
      },
    });
  }

  if (typeof Chart === "undefined") {
    return;
  }
  document.querySelectorAll("canvas[data-cockpit-chart]").forEach(draw);
})();
