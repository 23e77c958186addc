// Autocomplete for the search box: titles and acronyms while typing.
// ARIA 1.2 combobox with a listbox popup (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/):
// arrow keys move through the options, Enter opens the chosen record, Escape closes the list.
// Without JavaScript the search box works as a plain form.
(function () {
  "use strict";
  var input = document.getElementById("q");
  if (!input || !input.dataset.suggestUrl || !window.fetch) { return; }

  var KIND_LABELS = { programme: "Förderprogramm", project: "Vorhaben", lab: "Reallabor",
                      priority: "Forschungsschwerpunkt" };
  var listId = "q-suggestions";
  var list = document.createElement("ul");
  list.id = listId;
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Vorschläge");
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  input.parentNode.appendChild(list);
  input.parentNode.appendChild(status);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);

  var items = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(suggestions) {
    items = suggestions;
    list.textContent = "";
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = listId + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = (KIND_LABELS[s.kind] || s.kind) + ": ";
      li.appendChild(kind);
      li.appendChild(document.createTextNode(s.acronym ? s.acronym + " – " + s.title : s.title));
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep the focus in the input
        window.location.assign(s.url);
      });
      list.appendChild(li);
    });
    if (suggestions.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = suggestions.length + " Vorschläge. Mit den Pfeiltasten auswählen.";
    } else {
      close();
      status.textContent = "";
    }
    active = -1;
  }

  function load() {
    var text = input.value.trim();
    if (text.length < 2) { render([]); return; }
    var ticket = ++latest;
    fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(text),
          { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (body) { if (ticket === latest) { render(body.suggestions || []); } })
      .catch(function () { if (ticket === latest) { render([]); } });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden) { load(); return; }
      event.preventDefault();
      highlight(Math.min(active + 1, items.length - 1));
    } else if (event.key === "ArrowUp") {
      if (list.hidden) { return; }
      event.preventDefault();
      highlight(Math.max(active - 1, -1));
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      window.location.assign(items[active].url);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
}());
