// Blameless language check as you write: textareas marked data-language-check
// are sent (debounced) to /api/language-check/ and the hits are listed under
// the field, each phrase highlighted with its suggestion. It only advises.
(function () {
  "use strict";
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  var reviewMatch = window.location.pathname.match(/^\/reviews\/(\d+)\//);
  var reviewId = reviewMatch ? reviewMatch[1] : null;

  function render(box, text, hits) {
    box.textContent = "";
    if (!hits.length) return;
    var title = document.createElement("p");
    title.className = "lang-title";
    title.textContent = hits.length === 1 ? "1 phrase may read as blame:" : hits.length + " phrases may read as blame:";
    box.appendChild(title);
    var list = document.createElement("ul");
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var before = text.slice(Math.max(0, hit.start - 30), hit.start);
      var after = text.slice(hit.end, hit.end + 30);
      var context = document.createElement("span");
      context.className = "lang-context";
      context.appendChild(document.createTextNode("…" + before));
      var mark = document.createElement("mark");
      mark.textContent = hit.phrase;
      context.appendChild(mark);
      context.appendChild(document.createTextNode(after + "… "));
      item.appendChild(context);
      var advice = document.createElement("span");
      advice.className = "suggestion";
      advice.textContent = hit.message + " Try: " + hit.suggestion;
      item.appendChild(advice);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function watch(field) {
    var box = document.querySelector('.language-hits[data-for="' + field.id + '"]');
    if (!box) return;
    var timer = null, last = null;
    function run() {
      var text = field.value;
      if (text === last) return;
      last = text;
      if (!text.trim()) { render(box, text, []); return; }
      fetch("/api/language-check/", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ text: text, review: reviewId ? Number(reviewId) : null })
      }).then(function (r) { return r.ok ? r.json() : { hits: [] }; })
        .then(function (data) { if (field.value === text) render(box, text, data.hits || []); })
        .catch(function () { /* offline: the server checks again on save */ });
    }
    field.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 400); });
    if (field.value.trim()) run();
  }
  document.querySelectorAll("textarea[data-language-check]").forEach(watch);
})();
