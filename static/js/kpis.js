/* The KPI page's chart: the series as a line, the norm bands (green, amber, red) behind it and the
   target as a dashed line. Data comes from the page (json_script "kpi-chart-data"); the same data is
   in a table on the page for screen readers. Chart.js 4 is vendored, no build step. */
(function () {
  "use strict";
  var source = document.getElementById("kpi-chart-data");
  var canvas = document.getElementById("kpi-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = {
    green: "rgba(25, 135, 84, 0.12)",
    amber: "rgba(255, 193, 7, 0.18)",
    red: "rgba(220, 53, 69, 0.10)",
  };
  var points = { green: "#198754", amber: "#b58105", red: "#dc3545" };

  // The bands, from the bottom of the chart to its top, in the KPI's direction.
  function bands(yMin, yMax) {
    if (data.higherIsBetter) {
      return [
        [yMin, data.acceptable, colours.red],
        [data.acceptable, data.good, colours.amber],
        [data.good, yMax, colours.green],
      ];
    }
    return [
      [yMin, data.good, colours.green],
      [data.good, data.acceptable, colours.amber],
      [data.acceptable, yMax, colours.red],
    ];
  }

  var normBands = {
    id: "normBands",
    beforeDatasetsDraw: function (chart) {
      var area = chart.chartArea;
      var y = chart.scales.y;
      var ctx = chart.ctx;
      ctx.save();
      bands(y.min, y.max).forEach(function (band) {
        var low = Math.max(band[0], y.min);
        var high = Math.min(band[1], y.max);
        if (high <= low) {
          return;
        }
        var top = y.getPixelForValue(high);
        var bottom = y.getPixelForValue(low);
        ctx.fillStyle = band[2];
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
      });
      ctx.restore();
    },
  };

  // A period without a measurement has no value (null): a gap in the line, left out of the scale.
  var values = data.values
    .filter(function (value) { return value !== null; })
    .concat([data.target, data.good, data.acceptable]);
  var lowest = Math.min.apply(null, values);
  var highest = Math.max.apply(null, values);
  var margin = (highest - lowest) * 0.15 || Math.abs(highest) * 0.05 || 1;

  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.periods,
      datasets: [
        {
          label: data.labels.value + (data.unit ? " (" + data.unit + ")" : ""),
          data: data.values,
          borderColor: "#0d6efd",
          borderWidth: 2,
          tension: 0.2,
          pointRadius: 3,
          pointBackgroundColor: data.statuses.map(function (status) { return points[status]; }),
          pointBorderColor: data.statuses.map(function (status) { return points[status]; }),
          spanGaps: false,
        },
        {
          label: data.labels.target,
          data: data.periods.map(function () { return data.target; }),
          borderColor: "#6c757d",
          borderDash: [6, 4],
          borderWidth: 1,
          pointRadius: 0,
          fill: false,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: "index", intersect: false },
      scales: { y: { suggestedMin: lowest - margin, suggestedMax: highest + margin } },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            afterLabel: function (item) {
              if (item.datasetIndex !== 0) {
                return "";
              }
              return data.statuses[item.dataIndex] ? data.labels[data.statuses[item.dataIndex]] : data.labels.missing;
            },
          },
        },
      },
    },
    plugins: [normBands],
  });
})();
