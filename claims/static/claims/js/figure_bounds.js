// A figure's qualifier, value and bounds are read from its text: read-only in the
// admin until "bounds overridden" is ticked, open as soon as it is. The server
// ignores what is sent for them without the box ticked, script or not.
(function () {
  "use strict";
  var DERIVED = ["qualifier", "value", "low", "high"];

  function fieldsOf(box) {
    var prefix = box.name.replace(/bounds_overridden$/, "");
    var form = box.form;
    return DERIVED.map(function (name) {
      return form ? form.elements.namedItem(prefix + name) : null;
    }).filter(Boolean);
  }

  function apply(box) {
    fieldsOf(box).forEach(function (field) {
      if (box.checked) {
        field.removeAttribute("readonly");
        field.removeAttribute("aria-readonly");
      } else {
        field.setAttribute("readonly", "");
        field.setAttribute("aria-readonly", "true");
      }
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name && /bounds_overridden$/.test(target.name)) {
      apply(target);
    } else if (target.tagName === "SELECT" && target.hasAttribute("readonly")) {
      // A select has no read-only state of its own: undo the pick.
      target.value = target.getAttribute("data-initial") || "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[readonly]").forEach(function (select) {
      select.setAttribute("data-initial", select.value);
    });
  });
})();
