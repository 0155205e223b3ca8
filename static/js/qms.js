/* Small behaviours every page may use, declared in the markup by data attributes: the Content-Security-Policy
   allows no inline handler (onchange, onsubmit), no javascript: link and no style attribute.

   data-autosubmit         on a field: changing it submits its form
   data-confirm="..."      on a form: submitting asks first
   data-history-back       on a link: goes back in the browser's history (a link without a page of its own)
   data-width="42"         the element's width in per cent (progress and contribution bars)
   data-indent="2.5"       the element's left padding in rem (a level of a tree)
   data-colour="#0d6efd"   the element's background colour

   Sizes and colours are set through the CSS object model, which the policy allows; on the first page and on
   everything htmx swaps in later (htmx.onLoad). */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target.closest ? event.target.closest("[data-autosubmit]") : null;
    if (field && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-history-back]") : null;
    if (link) {
      event.preventDefault();
      window.history.back();
    }
  });

  function number(element, name) {
    var value = parseFloat(element.getAttribute(name));
    return isNaN(value) ? null : value;
  }

  function applyStyles(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = Array.prototype.slice.call(scope.querySelectorAll("[data-width], [data-indent], [data-colour]"));
    if (scope.matches && scope.matches("[data-width], [data-indent], [data-colour]")) {
      elements.push(scope);
    }
    elements.forEach(function (element) {
      var width = number(element, "data-width");
      var indent = number(element, "data-indent");
      var colour = element.getAttribute("data-colour");
      if (width !== null) {
        element.style.width = Math.max(0, Math.min(100, width)) + "%";
      }
      if (indent !== null) {
        element.style.paddingLeft = Math.max(0, indent) + "rem";
      }
      if (colour) {
        element.style.backgroundColor = colour;
      }
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(applyStyles); // the whole page once it is loaded, then each swapped-in part
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { applyStyles(document); });
  } else {
    applyStyles(document);
  }
})();
