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

// The bell in the header: how many notifications are unread, asked on load and every minute.
(function () {
  "use strict";
  var bell = document.querySelector(".bell[data-unread-url]");
  if (!bell || !window.fetch) return;
  var badge = bell.querySelector(".bell-count");
  function show(count) {
    badge.hidden = !count;
    badge.textContent = count > 99 ? "99+" : String(count);
    bell.setAttribute("aria-label", count ? "Inbox, " + count + " unread" : "Inbox");
  }
  function ask() {
    fetch(bell.getAttribute("data-unread-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") show(data.unread); })
      .catch(function () { /* offline: the bell keeps its last count */ });
  }
  ask();
  setInterval(ask, 60000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) ask(); });
})();
