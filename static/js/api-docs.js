// The API docs page, made usable without a mouse or a screen: Swagger UI draws a parameter's
// select or input with no label of its own, so each is named after its parameter ("status, in
// query"); and its code samples and responses scroll, so each is a tab stop a keyboard can scroll.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.MutationObserver) return;

  function hasName(control) {
    return control.getAttribute("aria-label") || control.getAttribute("aria-labelledby") ||
      (control.id && document.querySelector('label[for="' + control.id + '"]')) || control.closest("label");
  }

  function nameControls() {
    var rows = root.querySelectorAll("tr[data-param-name]");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var name = row.getAttribute("data-param-name") + ", in " + row.getAttribute("data-param-in");
      var controls = row.querySelectorAll("select, input, textarea");
      for (var j = 0; j < controls.length; j++) {
        if (!hasName(controls[j])) controls[j].setAttribute("aria-label", name);
      }
    }
  }

  function focusableCode() {
    var blocks = root.querySelectorAll("pre.microlight:not([tabindex])");
    for (var i = 0; i < blocks.length; i++) blocks[i].setAttribute("tabindex", "0");
  }

  new MutationObserver(function () {
    nameControls();
    focusableCode();
  }).observe(root, { childList: true, subtree: true });
})();
