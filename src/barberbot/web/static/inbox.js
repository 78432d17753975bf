// The inbox badge in the nav bar, and on the inbox page the "new inquiries" link: kept up to
// date by asking the server every 15 seconds (and when the tab comes back into view).
// Without JavaScript the badge is as of the page load and "Check for new inquiries" reloads.
(function () {
  "use strict";
  var link = document.getElementById("nav-inbox");
  if (!link || !window.fetch) return;
  var EVERY = 15000;
  var arrivals = document.getElementById("inbox-arrivals");
  var unread = document.getElementById("nav-unread");
  var overdue = document.getElementById("nav-overdue");
  var shown = -1;

  function number(n) { return n.toLocaleString("en-GB"); }

  function badge(element, count, word) {
    element.hidden = count === 0;
    element.textContent = number(count) + " " + word;
  }

  function announce(count) {
    if (!arrivals || count === shown) return;
    shown = count;
    arrivals.textContent = "";
    if (count === 0) return;
    var a = document.createElement("a");
    a.href = arrivals.getAttribute("data-refresh") || window.location.href;
    a.id = "inbox-show-new";
    a.textContent = count < 0
      ? "New inquiries have arrived — show them"
      : number(count) + " new inquir" + (count === 1 ? "y" : "ies") + " — show them";
    var p = document.createElement("p");
    p.className = "arrivals";
    p.appendChild(a);
    arrivals.appendChild(p);
  }

  function poll() {
    var url = link.getAttribute("data-updates");
    var query = [];
    if (arrivals) {
      var since = arrivals.getAttribute("data-since");
      var shop = arrivals.getAttribute("data-shop");
      if (since) query.push("since=" + encodeURIComponent(since));
      if (shop) query.push("shop=" + encodeURIComponent(shop));
    }
    if (query.length) url += "?" + query.join("&");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        badge(unread, data.unread, "new");
        badge(overdue, data.overdue, "overdue");
        if (!arrivals) return;
        var since = arrivals.getAttribute("data-since");
        if (since) announce(data.arrived);
        else if (data.newest) announce(-1);  // the list was empty when the page was drawn
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  window.setInterval(function () { if (!document.hidden) poll(); }, EVERY);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") poll();
  });
})();

// An inquiry's saved reply picker: fill the reply box here and now, keeping the subject and
// anything else typed (without JavaScript the picker's button asks the server to fill it).
(function () {
  "use strict";
  var picker = document.getElementById("saved-form");
  var box = document.getElementById("reply-body");
  if (!picker || !box) return;
  picker.addEventListener("submit", function (event) {
    var select = picker.querySelector("select");
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) return;  // the server says to choose one
    event.preventDefault();
    box.value = option.getAttribute("data-body");
    box.focus();
  });
})();
