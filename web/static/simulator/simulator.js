// The phone simulator. What a phone sends goes through /simulator/*, which posts to the real webhooks; what it
// receives is read from /simulator/feed every second and put on the channel it went out on.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var data = document.body.dataset;
  var ussd = { session: null, path: null };
  var POLL_MS = 1000;

  function post(url, body) {
    return fetch(url, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }

  // One phone: its number's input, and the list each channel's messages go to.
  function Phone(numberInput, lists) {
    this.numberInput = numberInput;
    this.lists = lists;
    this.after = 0;
    this.number = null;
    this.busy = false;
  }

  Phone.prototype.reset = function () {
    var lists = this.lists;
    Object.keys(lists).forEach(function (channel) { lists[channel].textContent = ""; });
    this.after = 0;
  };

  Phone.prototype.poll = function () {
    var self = this, number = this.numberInput.value.trim();
    if (!number || this.busy) { return; }
    if (number !== this.number) { this.number = number; this.reset(); }
    this.busy = true;
    fetch("/simulator/feed?phone=" + encodeURIComponent(number) + "&after=" + this.after)
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (feed) {
        if (feed && number === self.number) { self.show(feed); }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { self.busy = false; });
  };

  Phone.prototype.show = function (feed) {
    var self = this;
    feed.messages.forEach(function (m) {
      self.after = Math.max(self.after, m.id);
      var list = self.lists[m.channel];
      if (list) { append(list, m); }
    });
    if (this.onFeed) { this.onFeed(feed); }
  };

  // A reference (261 148 273 5), an amount or a phone number inside Arabic text is isolated left to right, so
  // that its groups keep their order. Text nodes only: nothing received is ever read as HTML.
  var NUMBER = /[+]?\d+(?:[ .,:\/-]\d+)*/g;
  function withNumbersInOrder(element, text) {
    var last = 0, match;
    NUMBER.lastIndex = 0;
    while ((match = NUMBER.exec(text)) !== null) {
      element.appendChild(document.createTextNode(text.slice(last, match.index)));
      var number = document.createElement("bdi");
      number.dir = "ltr";
      number.textContent = match[0];
      element.appendChild(number);
      last = match.index + match[0].length;
    }
    element.appendChild(document.createTextNode(text.slice(last)));
  }

  function append(list, m) {
    var li = document.createElement("li");
    li.className = m.direction + " " + m.kind;
    li.dataset.kind = m.notification || m.kind;
    if (m.kind === "hangup") {
      li.textContent = data.hungUp;
    } else {
      var body = document.createElement("div");
      body.className = "text";
      body.dir = "auto";  // each message in its own direction: Arabic right to left, numbers in order
      withNumbersInOrder(body, m.kind === "screen" ? m.text.replace(/^(CON|END) /, "") : m.text);
      li.appendChild(body);
      if (m.shown) {  // a template: the notification's own text under the template's id and values
        var shown = document.createElement("div");
        shown.className = "shown";
        shown.dir = "auto";
        withNumbersInOrder(shown, m.shown);
        li.appendChild(shown);
      }
      var tag = document.createElement("small");
      tag.className = "tag";
      tag.textContent = (data["kind" + m.kind.charAt(0).toUpperCase() + m.kind.slice(1)] || m.kind) +
        (m.notification ? " · " + m.notification : "") + " · " + m.at.slice(11, 19);
      li.appendChild(tag);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;  // the newest message in view
  }

  var citizen = new Phone($("phone"), {
    ussd: $("ussd-transcript"), sms: $("sms-thread"), whatsapp: $("whatsapp-thread")
  });
  var agent = new Phone($("agent-phone"), { sms: $("agent-thread") });
  citizen.onFeed = function (feed) { $("billing").value = feed.billing; };

  // USSD: a session is the path of every answer, joined by "*", as Africa's Talking sends it.
  function showScreen(answer) {
    var open = answer.indexOf("CON ") === 0;
    $("screen").textContent = "";
    withNumbersInOrder($("screen"), answer.replace(/^(CON|END) /, ""));
    $("ussd-input").disabled = !open;
    $("ussd-send").disabled = !open;
    $("hangup").disabled = !open;
    if (!open) { ussd.session = null; ussd.path = null; } else { $("ussd-input").focus(); }
  }

  // While a step is on its way the phone takes no input, as a handset shows "USSD code running...": an answer
  // typed then would be sent with the previous screen's path, or dropped before the session is known.
  function busy(on) {
    $("screen").setAttribute("aria-busy", on ? "true" : "false");
    $("ussd-input").disabled = on || !ussd.session;
    $("ussd-send").disabled = on || !ussd.session;
  }

  function ussdStep(input) {
    var path = ussd.path === null ? "" : (ussd.path === "" ? input : ussd.path + "*" + input);
    busy(true);
    return post("/simulator/ussd", { phone: $("phone").value, session: ussd.session, path: path })
      .then(function (r) { ussd.session = r.session; ussd.path = path; showScreen(r.answer); citizen.poll(); })
      .finally(function () { $("screen").setAttribute("aria-busy", "false"); });
  }

  $("dial").addEventListener("click", function () { ussd.session = null; ussd.path = null; ussdStep(""); });
  $("hangup").addEventListener("click", function () {
    if (!ussd.session) { return; }
    post("/simulator/ussd/end", { phone: $("phone").value, session: ussd.session, path: ussd.path })
      .then(function () { showScreen("END " + data.sessionOver); citizen.poll(); });
  });
  $("ussd-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var value = $("ussd-input").value;
    $("ussd-input").value = "";
    if (ussd.session) { ussdStep(value); }
  });

  function sender(formId, inputId, url, extra) {
    $(formId).addEventListener("submit", function (e) {
      e.preventDefault();
      var text = $(inputId).value, body = extra();
      if (!text.trim()) { return; }
      body.text = text;
      $(inputId).value = "";
      post(url, body).then(function () { citizen.poll(); agent.poll(); });
    });
  }
  sender("sms-form", "sms-text", "/simulator/sms", function () {
    return { phone: $("phone").value, provider: $("provider").value };
  });
  sender("whatsapp-form", "whatsapp-text", "/simulator/whatsapp", function () { return { phone: $("phone").value }; });
  sender("agent-form", "agent-text", "/simulator/sms", function () {
    return { phone: $("agent-phone").value, provider: "africastalking" };
  });

  $("billing").addEventListener("change", function () {
    post("/simulator/billing", { phone: $("phone").value, outcome: $("billing").value });
  });

  function pollBoth() { citizen.poll(); agent.poll(); }
  pollBoth();
  setInterval(pollBoth, POLL_MS);
}());
