/* The audit report pages' charts: the maturity report's averages (bars), distribution of levels (stacked
   bars) and year-on-year per principle (lines), and an audit's scores per principle (radar). Each canvas
   names its data with data-chart-source: a json_script block of {kind, labels, datasets: [{label, data,
   colour, dashed}], max}; the same figures are in tables on the page. Chart.js 4 is vendored, no build
   step; the PDF draws its radar as SVG on the server. */
(function () {
  "use strict";

  function dataset(kind, set) {
    var line = kind === "line" || kind === "radar";
    return {
      label: set.label,
      data: set.data,
      borderColor: set.colour,
      backgroundColor: kind === "radar" ? "transparent" : set.colour,
      borderWidth: line ? (set.dashed ? 1.5 : 2.5) : 1,
      borderDash: set.dashed ? [5, 4] : [],
      pointRadius: line ? 3 : 0,
      pointBackgroundColor: set.colour,
      tension: kind === "line" ? 0.2 : 0,
      spanGaps: kind === "radar",
    };
  }

  function options(data) {
    var kind = data.kind;
    var base = {
      responsive: true,
      animation: false,
      plugins: { legend: { display: kind !== "bar", position: "bottom" } },
    };
    if (kind === "radar") {
      base.scales = { r: { min: 0, max: data.max, ticks: { stepSize: 1 } } };
      base.aspectRatio = 1.3;
    } else if (kind === "stacked") {
      base.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } };
    } else {
      base.scales = { y: { min: kind === "line" ? 1 : 0, max: data.max, ticks: { stepSize: 1 } } };
      base.interaction = { mode: "index", intersect: false };
      if (kind === "line") {
        base.aspectRatio = 3.5; // the chart spans the page's width
      }
    }
    return base;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: data.kind === "stacked" ? "bar" : data.kind,
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) { return dataset(data.kind, set); }),
      },
      options: options(data),
    });
  }

  if (typeof Chart !== "undefined") {
    document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
  }
})();
