// Baton: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }
})();

// Tell the server the browser's time zone, so times are shown and entered in it.
(function () {
  "use strict";
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var value = encodeURIComponent(zone || "");
    if (value && document.cookie.indexOf("baton_tz=" + value) === -1) {
      document.cookie = "baton_tz=" + value + ";path=/;max-age=31536000;samesite=lax";
    }
  } catch (e) { /* older browsers: server time zone */ }
})();
