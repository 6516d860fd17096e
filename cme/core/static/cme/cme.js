/* Shared page behaviour, driven by data attributes (no inline handlers: the
   Content-Security-Policy allows scripts from 'self' only).

   <select data-autosubmit>                submits its form when changed
   <form data-confirm="…">                 asks before submitting
   <button data-confirm="…">               asks before its click does anything
   <input type="checkbox" data-select-all="steps">  (un)checks every input[name=steps]
   <button data-add-row="prefix">          adds a row to a formset from #prefix-empty
   <form data-toggle-source="id_mode" data-toggle-target="field-x" data-toggle-value="online">
                                           shows #field-x only while #id_mode is "online"
   <div data-progress="42">                sets the element's width to 42%

   Delegated listeners work for content htmx swaps in; per-element set-up runs on load
   and again on every htmx:load. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit], input[data-autosubmit]") && el.form) {
      el.form.submit();
    }
    if (el.matches && el.matches("input[type=checkbox][data-select-all]")) {
      document.querySelectorAll('input[type=checkbox][name="' + el.dataset.selectAll + '"]').forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var adder = event.target.closest && event.target.closest("[data-add-row]");
    if (adder) { addRow(adder.dataset.addRow); }
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!total || (max && +total.value >= +max.value)) { return; }
    var html = document.getElementById(prefix + "-empty").innerHTML.replace(/__prefix__/g, total.value);
    document.getElementById(prefix + "-rows").insertAdjacentHTML("beforeend", html);
    total.value = +total.value + 1;
  }

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }

  function setUp(root) {
    within(root, "[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, +el.dataset.progress || 0)) + "%";
    });
    within(root, "[data-toggle-source]").forEach(function (form) {
      var source = document.getElementById(form.dataset.toggleSource);
      var target = document.getElementById(form.dataset.toggleTarget);
      if (!source || !target || source.dataset.toggleBound) { return; }
      var toggle = function () { target.hidden = source.value !== form.dataset.toggleValue; };
      source.addEventListener("change", toggle);
      source.dataset.toggleBound = "1";
      toggle();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelectorAll) { setUp(event.detail.elt); }
  });
})();
