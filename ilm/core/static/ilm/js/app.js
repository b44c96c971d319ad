// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
      target.form.requestSubmit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.querySelectorAll("[data-autosubmit-hide]").forEach(function (button) { button.hidden = true; });
})();
