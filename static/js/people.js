// Person fields in a large organisation: a text field that suggests people as you type
// (the ARIA 1.2 combobox pattern with a list popup). Without this file the field still
// works: the server finds the person from the name, username or email typed.
(function () {
  "use strict";
  var counter = 0;

  function enhance(input) {
    counter += 1;
    var list = document.createElement("ul");
    list.id = "people-" + counter;
    list.className = "people-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var results = [];
    var active = -1;
    var timer = null;
    var asked = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i += 1) {
        items[i].setAttribute("aria-selected", String(i === index));
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      if (index < 0 || index >= results.length) return;
      input.value = results[index].label;
      close();
    }

    function show(found) {
      results = found;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "people-none";
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.textContent = "Nobody matches";
        list.appendChild(none);
      }
      found.forEach(function (person, i) {
        var item = document.createElement("li");
        item.id = list.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = person.name;
        var who = document.createElement("span");
        who.className = "muted";
        who.textContent = " " + person.username;
        item.appendChild(who);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field
          choose(i);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2) {
        close();
        return;
      }
      asked = text;
      fetch(input.dataset.peopleSearch + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (asked === text && document.activeElement === input) show(data.results || []);
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && results.length;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        mark(Math.min(active + 1, results.length - 1));
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choose, do not submit yet
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-people-search]").forEach(enhance);
})();
