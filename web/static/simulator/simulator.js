// The phone simulator: USSD steps and SMS go through /simulator/*, which posts to the real webhooks.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var ussd = { session: null, path: null };

  function post(url, body) {
    return fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  function showScreen(answer) {
    var open = answer.indexOf("CON ") === 0;
    $("screen").textContent = answer.replace(/^(CON|END) /, "");
    $("ussd-input").disabled = !open;
    $("ussd-send").disabled = !open;
    if (!open) { ussd.session = null; ussd.path = null; } else { $("ussd-input").focus(); }
  }

  function ussdStep(input) {
    var path = ussd.path === null ? "" : (ussd.path === "" ? input : ussd.path + "*" + input);
    post("/simulator/ussd", { phone: $("phone").value, session: ussd.session, path: path })
      .then(function (r) { ussd.session = r.session; ussd.path = path; showScreen(r.answer); });
  }

  $("dial").addEventListener("click", function () { ussd.session = null; ussd.path = null; ussdStep(""); });
  $("hangup").addEventListener("click", function () { showScreen("END Session closed."); });
  $("ussd-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var value = $("ussd-input").value;
    $("ussd-input").value = "";
    if (ussd.session) { ussdStep(value); }
  });

  $("sms-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("sms-text").value;
    $("sms-text").value = "";
    post("/simulator/sms", { phone: $("phone").value, text: text, provider: $("provider").value }).then(refresh);
  });

  function cell(row, text, cls) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) { td.className = cls; }
    row.appendChild(td);
  }

  function refresh() {
    fetch("/simulator/messages?phone=" + encodeURIComponent($("phone").value))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var thread = $("thread");
        thread.textContent = "";
        data.conversation.forEach(function (m) {
          var li = document.createElement("li");
          li.className = m.direction;
          li.textContent = m.text + (m.direction === "out" ? "  [" + m.status + "]" : "");
          thread.appendChild(li);
        });
        var body = $("outgoing");
        body.textContent = "";
        data.outgoing.forEach(function (m) {
          var row = document.createElement("tr");
          cell(row, m.id); cell(row, m.contact); cell(row, m.text, "text"); cell(row, m.segments);
          cell(row, m.provider); cell(row, m.status);
          body.appendChild(row);
        });
      });
  }

  refresh();
  setInterval(refresh, 2000);
}());
