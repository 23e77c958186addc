// Choosers (several choices as checkboxes, templates/_forms.html): a filter over the options
// and the count of chosen ones. Without this script the checkboxes alone work.
(function () {
  "use strict";
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/ß/g, "ss");
  }
  document.querySelectorAll("fieldset.chooser").forEach(function (chooser) {
    var filter = chooser.querySelector(".chooser__filter");
    var input = filter.querySelector("input");
    var options = Array.prototype.slice.call(chooser.querySelectorAll(".kern-form-check"));
    var count = chooser.querySelector(".chooser__count");
    if (options.length > 8) {
      filter.hidden = false;
    }
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      options.forEach(function (option) {
        var box = option.querySelector("input");
        option.hidden = wanted !== "" && !box.checked &&
          fold(option.textContent).indexOf(wanted) === -1;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter in the filter must not send the form
      }
    });
    chooser.addEventListener("change", function () {
      var n = chooser.querySelectorAll(".chooser__options input:checked").length;
      count.textContent = n + " ausgewählt";
    });
  });
})();
