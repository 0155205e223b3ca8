/* The risk score pages: line charts of the monthly scores (the data comes from the page through
   json_script, named by the canvas's data-chart-source; the same figures are in a table on the page),
   and the live sum of the active weights on the areas page. Chart.js 4 is vendored, no build step. */
(function () {
  "use strict";

  function drawCharts() {
    if (typeof Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-chart-source]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart-source"));
      if (!source) {
        return;
      }
      var data = JSON.parse(source.textContent);
      new Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: data.datasets.map(function (set) {
            return {
              label: set.label,
              data: set.data,
              borderColor: set.colour,
              backgroundColor: set.colour,
              borderWidth: set.width || 1.5,
              pointRadius: set.width ? 3 : 2,
              tension: 0.2,
              spanGaps: false,
            };
          }),
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { suggestedMin: 50, suggestedMax: 100 } },
          plugins: { legend: { position: "bottom" } },
        },
      });
    });
  }

  function weightSum() {
    var output = document.getElementById("weight-sum");
    var form = output && output.closest("form");
    if (!form) {
      return;
    }
    function update() {
      var total = 0;
      form.querySelectorAll(".area-row").forEach(function (row) {
        var weight = row.querySelector("input.area-weight");
        var active = row.querySelector("input.area-active");
        var value = weight ? parseFloat(String(weight.value).replace(",", ".")) : NaN;
        if (active && active.checked && !isNaN(value)) {
          total += value;
        }
      });
      total = Math.round(total * 100) / 100;
      output.textContent = String(total).replace(".", document.documentElement.lang === "nl" ? "," : ".");
      output.classList.toggle("text-success", total === 100);
      output.classList.toggle("text-danger", total !== 100);
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  drawCharts();
  weightSum();
})();
