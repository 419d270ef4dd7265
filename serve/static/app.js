// Keyboard shortcuts of the triage UI: j/k and Enter in the queue; a, o, d, x, n, Esc on a report.
(function () {
  "use strict";
  function typing(event) {
    var tag = event.target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable;
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-href]"));
  var selected = -1;
  function select(index) {
    if (!rows.length) return;
    if (selected >= 0) rows[selected].classList.remove("selected");
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows[selected].classList.add("selected");
    rows[selected].scrollIntoView({ block: "nearest" });
  }
  rows.forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.tagName !== "A") window.location = row.dataset.href;
    });
  });

  // "Maksud Anda: …?" after an OPD name was refused: a click puts the choice in the field
  // where the unknown name was typed (replacing just that name in a list of OPD pendukung)
  Array.prototype.forEach.call(document.querySelectorAll("button.choice"), function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.fill);
      if (!field) return;
      var parts = field.value.split(";").map(function (part) { return part.trim(); });
      var at = parts.indexOf(button.dataset.typed);
      if (at >= 0 && parts.length > 1) { parts[at] = button.dataset.value; field.value = parts.join("; "); }
      else { field.value = button.dataset.value; }
      var details = field.closest("details");
      if (details) details.open = true;
      field.focus();
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event)) { event.target.blur(); return; }
    if (typing(event)) return;
    var accept = document.getElementById("accept");
    var override = document.getElementById("override");
    var next = document.getElementById("next-report");
    if (rows.length && (event.key === "j" || event.key === "ArrowDown")) { select(selected + 1); event.preventDefault(); }
    else if (rows.length && (event.key === "k" || event.key === "ArrowUp")) { select(selected - 1); event.preventDefault(); }
    else if (rows.length && event.key === "Enter" && selected >= 0) { window.location = rows[selected].dataset.href; }
    else if (event.key === "a" && accept && !accept.disabled) { accept.form.requestSubmit(); event.preventDefault(); }
    else if (event.key === "o" && override) {
      override.open = true;
      document.getElementById("override-agency").focus();
      event.preventDefault();
    }
    else if ((event.key === "d" || event.key === "x") && document.querySelector(".link-verdict")) {
      // the first suggested duplicate: d confirms it, x rejects it
      document.querySelector(event.key === "d" ? ".confirm-link" : ".reject-link").click();
      event.preventDefault();
    }
    else if (event.key === "n" && next) { window.location = next.href; }
    else if (event.key === "Escape" && accept) { window.location = "/antrian"; }
  });
})();
