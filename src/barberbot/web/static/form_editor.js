// The form editor's live preview: redrawn from the editor's inputs as the owner types.
// Saving never needs this script; without it the preview shows the saved form.
(function () {
  var editor = document.getElementById("form-editor");
  var preview = document.getElementById("form-preview");
  if (!editor || !preview) return;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  function value(row, attr) {
    var input = row.querySelector('[data-attr="' + attr + '"]');
    if (!input) return "";
    return input.type === "checkbox" ? input.checked : input.value;
  }

  function choices(name, kind, options) {
    return options.map(function (option, n) {
      var wrap = el("div", { "class": "field checkbox" });
      var id = "preview-" + name + "-" + n;
      wrap.appendChild(el("input", { type: kind, id: id, name: "preview-" + name, value: option }));
      wrap.appendChild(el("label", { "for": id }, option));
      return wrap;
    });
  }

  function question(row, n) {
    var label = value(row, "label").trim();
    if (!label) return null;
    var type = value(row, "type");
    var optional = value(row, "required") ? "" : " (optional)";
    var help = value(row, "help_text").trim();
    var options = value(row, "options").split("\n").map(function (o) { return o.trim(); })
      .filter(Boolean);
    var id = "preview-q" + n;
    var box, input;
    if (type === "single_choice" || type === "multiple_choice" || type === "yes_no") {
      box = el("fieldset", { "class": "custom" });
      box.appendChild(el("legend", {}, label + optional));
      if (help) box.appendChild(el("p", { "class": "hint" }, help));
      var shown = type === "yes_no" ? ["Yes", "No"] : options;
      choices(id, type === "multiple_choice" ? "checkbox" : "radio", shown)
        .forEach(function (c) { box.appendChild(c); });
      return box;
    }
    box = el("div", { "class": "field custom" });
    box.appendChild(el("label", { "for": id }, label + optional));
    if (help) box.appendChild(el("p", { "class": "hint" }, help));
    if (type === "long_text") input = el("textarea", { id: id, rows: "3" });
    else input = el("input", { id: id, type: type === "date" ? "date" : "text" });
    box.appendChild(input);
    return box;
  }

  function showTypeParts(row) {
    var type = value(row, "type");
    var choice = type === "single_choice" || type === "multiple_choice";
    row.querySelectorAll('[data-for="choice"]').forEach(function (p) { p.hidden = !choice; });
    row.querySelectorAll('[data-for="number"]').forEach(function (p) { p.hidden = type !== "number"; });
  }

  function redraw() {
    preview.textContent = "";
    editor.querySelectorAll("[data-row]").forEach(function (row, n) {
      showTypeParts(row);
      var q = question(row, n);
      if (q) preview.appendChild(q);
    });
  }

  editor.addEventListener("input", redraw);
  editor.addEventListener("change", redraw);
  redraw();
})();
