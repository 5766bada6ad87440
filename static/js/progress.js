// Progress of long jobs (templates/staff/admin/includes/progress.html): poll each job's JSON status and
// update its <progress> and its text line without reloading, until the job is finished or has failed.
// A box with data-progress-reload reloads its page once when the job ends (to show the full result).
(function () {
  "use strict";
  var EVERY = 2000;

  function update(box, state) {
    box.setAttribute("data-state", state.state);
    box.querySelector("[data-progress-label]").textContent = state.label;
    box.querySelector("[data-progress-text]").textContent = state.text;
    var bar = box.querySelector("[data-progress-bar]");
    if (state.state === "failed") {
      // A failed job never looks finished: the bar stays where the job stopped (empty if nothing was done).
      bar.max = state.total || 1; bar.value = state.total ? state.done : 0;
    } else if (state.finished) {
      bar.max = 1; bar.value = 1;
    } else if (state.total) {
      bar.max = state.total; bar.value = state.done;
    } else {
      bar.removeAttribute("value");  // not known yet: an indeterminate bar
    }
    var error = box.querySelector("[data-progress-error]");
    error.hidden = !state.error;
    error.querySelector("span").textContent = state.error || "";
    var download = box.querySelector("[data-progress-download]");
    download.hidden = !state.download_url;
    if (state.download_url) { download.querySelector("a").href = state.download_url; }
    if (state.finished) {
      box.setAttribute("data-finished", "");
      var refresh = box.querySelector("[data-progress-refresh]");
      if (refresh) { refresh.hidden = true; }
      // A page whose result is more than the box (an import's report) is drawn again once, when the job ends.
      if (box.hasAttribute("data-progress-reload")) { window.location.reload(); }
    }
  }

  function watch(box) {
    var url = box.getAttribute("data-progress-url");
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (state) { update(box, state); }
          if (!state || !state.finished) { window.setTimeout(poll, EVERY); }
        })
        .catch(function () { window.setTimeout(poll, EVERY * 2); });
    }
    window.setTimeout(poll, EVERY);
  }

  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    if (!box.hasAttribute("data-finished") && box.getAttribute("data-progress-url")) { watch(box); }
  });
})();
