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

// A link to a section folded on the review page opens it.
(function () {
  "use strict";
  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    var fold = target && target.querySelector("details.fold");
    if (fold) fold.open = true;
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
