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
  // The main menu's groups: one open at a time; Escape or a click elsewhere closes it.
  var menus = document.querySelectorAll("details[data-menu]");
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) { menus.forEach(function (other) { if (other !== menu) { other.open = false; } }); }
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
  // Grids of number inputs (e.g. training participants by role and gender): row, column and grand totals.
  function sumGrid(table) {
    var columns = [], grand = 0;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var total = 0;
      row.querySelectorAll("input[type=number]").forEach(function (input, index) {
        var value = parseInt(input.value, 10) || 0;
        total += value;
        columns[index] = (columns[index] || 0) + value;
      });
      var output = row.querySelector("[data-row-total]");
      if (output) { output.value = total; }
      grand += total;
    });
    table.querySelectorAll("[data-col-total]").forEach(function (output) {
      output.value = columns[parseInt(output.dataset.colTotal, 10) - 1] || 0;
    });
    var all = table.querySelector("[data-grand-total]");
    if (all) { all.value = grand; }
  }
  document.querySelectorAll("table[data-totals]").forEach(sumGrid);
  document.addEventListener("input", function (event) {
    var table = event.target instanceof HTMLInputElement && event.target.closest("table[data-totals]");
    if (table) { sumGrid(table); }
  });
})();
