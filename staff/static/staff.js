// The staff view works without this file; it only adds a print button and a confirmation before irreversible acts.
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target.matches("[data-print]")) {
    window.print();
  } else if (target.matches("[data-confirm]") && !window.confirm(target.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// Pages read all day refresh their live parts on their own: an element with data-refresh="N" is fetched again
// every N seconds from the page's own address and its content replaced (forms elsewhere on the page, and what is
// being typed in them, are left alone). Paused while the tab is hidden.
(function () {
  "use strict";
  var live = document.querySelectorAll("[data-refresh][id]");
  Array.prototype.forEach.call(live, function (element) {
    // window.shubbakRefreshSeconds: the browser tests' shorter beat.
    var seconds = window.shubbakRefreshSeconds || Math.max(3, parseInt(element.getAttribute("data-refresh"), 10) || 15);
    setInterval(function () {
      if (document.hidden) { return; }
      fetch(window.location.href, { credentials: "same-origin", headers: { "X-Shubbak-Refresh": "1" } })
        .then(function (response) {
          if (response.redirected && response.url.indexOf("/staff/login") !== -1) {
            window.location.reload();  // the session ran out: show the login page it leads to
            return null;
          }
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (!html) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(element.id);
          if (fresh && fresh.innerHTML !== element.innerHTML) { element.innerHTML = fresh.innerHTML; }
        })
        .catch(function () { /* the next beat tries again */ });
    }, seconds * 1000);
  });
}());
