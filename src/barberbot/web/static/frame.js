// Inside the embedded form: tell the host page how tall the form is, so it can size the iframe.
(function () {
  function report() {
    var height = document.documentElement.scrollHeight;
    window.parent.postMessage({ type: "barberbot:height", height: height }, "*");
  }
  window.addEventListener("load", report);
  window.addEventListener("resize", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
})();
