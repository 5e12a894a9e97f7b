/* Names each person autocomplete (select2) of the film form for screen readers.

   select2 hides the <select>, which carries the row's name ("Person, credit 3"), and shows
   a combobox named only by the chosen person: an empty row's box had no name at all. This
   copies the select's name, with the choice, onto the box, at load, when a row is added
   and when the choice changes. The form works without it (and without JavaScript). */
(function () {
  "use strict";

  function name(select) {
    const container = select.nextElementSibling;
    const label = select.getAttribute("aria-label");
    if (!label || !container || !container.classList.contains("select2")) {
      return;
    }
    const chosen = select.selectedOptions[0];
    const text = chosen && chosen.value ? chosen.textContent.trim() : "none chosen";
    const rendered = container.querySelector(".select2-selection__rendered");
    if (rendered) {
      rendered.setAttribute("aria-label", label + ": " + text);
    }
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(name);
  }

  // After autocomplete.js has built the boxes (it does so on DOMContentLoaded).
  window.addEventListener("load", nameAll);
  document.addEventListener("formset:added", function () {
    window.setTimeout(nameAll, 0);
  });
  if (window.django && window.django.jQuery) {
    // select2 announces a new choice through jQuery, not a native event.
    window.django.jQuery(document).on("change", "select.admin-autocomplete", function () {
      name(this);
    });
  }
})();
