// The organizer's check-in screen: fetch the live state every few seconds and swap the QR, the code and
// the list of who has checked in, without reloading. Without JavaScript the page reloads itself instead.
(function () {
  "use strict";
  var root = document.querySelector("[data-checkin-live]");
  if (!root) { return; }
  var url = root.getAttribute("data-checkin-live");
  var every = 3000;
  var emptyText = (root.querySelector("[data-empty]") || {}).textContent || "";

  function render(state) {
    var code = root.querySelector("[data-code]");
    if (code.textContent !== state.code) {
      root.querySelector("[data-qr]").innerHTML = state.svg;  // SVG made by the server (segno), no user text
      code.textContent = state.code;
      root.querySelector("[data-url]").textContent = state.url;
    }
    var list = root.querySelector("[data-present]");
    list.textContent = "";
    state.present.forEach(function (person) {
      var item = document.createElement("li");
      item.textContent = person.name + " ";
      var small = document.createElement("small");
      small.textContent = person.unit + " · " + person.at;
      item.appendChild(small);
      list.appendChild(item);
    });
    if (!state.present.length) {
      var none = document.createElement("li");
      none.textContent = emptyText;
      list.appendChild(none);
    }
    root.querySelector("[data-count]").textContent = String(state.present.length);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) { render(state); } })
      .catch(function () { /* a missed poll is retried at the next tick */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
