// Searchable filters (staff.filters.base.SuggestInput): as the user types, ask the input's
// data-suggest-url for matching suggestions (JSON {"results": [{"value", "label"}]}) and put them in its
// datalist. Without this script the input still submits what was typed.
(function () {
  if (window.staffSuggest) return;  // the script is included once per searchable input
  window.staffSuggest = true;
  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, asked = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q === asked || /^\d+$/.test(q) && list.querySelector('option[value="' + q + '"]')) return;
        asked = q;
        fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) {
            if (asked !== q) return;  // a later keystroke's answer is the one to show
            list.replaceChildren.apply(list, data.results.map(function (item) {
              var option = document.createElement("option");
              option.value = item.value;
              option.label = item.label;
              option.textContent = item.label;
              return option;
            }));
          });
      }, 200);
    });
  }
  function start() { document.querySelectorAll("input[data-suggest-url]").forEach(attach); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
