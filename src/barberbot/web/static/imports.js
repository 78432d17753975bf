// The import page: while an import runs, its progress, asked for every so often; the page
// shows the outcome once it has ended. Without scripts, the page's Refresh link does it.
(function () {
  var box = document.querySelector("[data-import-status]");
  if (!box) return;
  var bar = document.getElementById("import-progress");
  var phase = document.getElementById("import-phase");
  function poll() {
    fetch(box.getAttribute("data-import-status"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.state !== "running") { window.location.reload(); return; }
        if (status) {
          bar.value = status.percent;
          bar.textContent = status.percent + "%";
          phase.textContent = status.phase + " (" + status.percent + "%)";
        }
        window.setTimeout(poll, 700);
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 300);
})();
