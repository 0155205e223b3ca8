/* The risk form's live preview: the level that the organisation's matrix gives the chosen likelihood and
   impact (and the residual ones), as the register shows it. Only a preview: the service derives the level
   when the risk is saved. The matrix comes from the page (json_script "risk-level-preview"); no build step. */
(function () {
  "use strict";
  var source = document.getElementById("risk-level-preview");
  if (!source) {
    return;
  }
  var matrix = JSON.parse(source.textContent);

  function level(likelihood, impact) {
    var row = matrix.bands[likelihood - 1];
    return row ? row[impact - 1] : undefined;
  }

  document.querySelectorAll("[data-level-preview]").forEach(function (preview) {
    var names = preview.getAttribute("data-level-preview").split(" ");
    var fields = names.map(function (name) {
      return document.querySelector('[name="' + name + '"]');
    });
    var badge = preview.querySelector(".badge");
    if (fields.some(function (field) { return !field; })) {
      return;
    }
    function update() {
      var code = level(parseInt(fields[0].value, 10), parseInt(fields[1].value, 10));
      preview.hidden = !code;
      if (code) {
        badge.className = "badge level-badge level-" + code;
        badge.textContent = matrix.labels[code];
      }
    }
    fields.forEach(function (field) {
      field.addEventListener("change", update);
    });
    update();
  });
})();
