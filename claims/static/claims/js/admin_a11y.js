// The admin's autocomplete boxes (select2, as Django ships it) made readable by a
// screen reader: the search box of a multiple choice is named after its field's
// label, and the "remove all" button that select2 puts in the list of choices (a
// list holds list items only) is hidden from them. Select2 draws them again on
// every change: they are mended again each time.
"use strict";
(function () {
  function mend() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) return;
      const label = select.id && document.querySelector('label[for="' + select.id + '"]');
      const name = label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (field.getAttribute("aria-label") !== name) field.setAttribute("aria-label", name);
      });
      container.querySelectorAll("ul > .select2-selection__clear").forEach(function (clear) {
        // A mouse's shortcut, never focused (the keyboard removes choices with
        // Backspace): hidden from screen readers rather than moved, as select2
        // finds it by its place when it draws the choices again.
        if (!clear.hasAttribute("aria-hidden")) clear.setAttribute("aria-hidden", "true");
      });
    });
  }
  function start() {
    mend();
    new MutationObserver(mend).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
