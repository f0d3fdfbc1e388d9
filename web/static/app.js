// Kiểm Sát Số: a little JavaScript over pages that work without it.
// 1. Forms marked data-draft keep a draft of what was typed (sessionStorage) until sent, so a
//    lost connection or an expired session does not lose a long entry.
// 2. The upload form shows a progress bar and sends the file with fetch-like XHR.
// 3. The decision form reloads with the chosen step, so it shows that step's fields.
(function () {
  "use strict";
  function draftKey(form) { return "draft:" + location.pathname + ":" + (form.getAttribute("data-draft") || form.action); }
  function saveDraft(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "password" || el.type === "hidden" || el.type === "file") return;
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) (data[el.name] = data[el.name] || []).push(el.value); return; }
      data[el.name] = el.value;
    });
    try { sessionStorage.setItem(draftKey(form), JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }
  function restoreDraft(form) {
    var raw; try { raw = sessionStorage.getItem(draftKey(form)); } catch (e) { return; }
    if (!raw) return;
    var data = JSON.parse(raw);
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in data) || el.type === "password" || el.type === "hidden" || el.type === "file") return;
      if (el.type === "checkbox" || el.type === "radio") { el.checked = data[el.name].indexOf(el.value) >= 0; return; }
      if (!el.value) el.value = data[el.name];
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (new URLSearchParams(location.search).has("flash")) { try { sessionStorage.clear(); } catch (e) {} }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("submit", function () { saveDraft(form); });
    });
    var stepSelect = document.querySelector("select[data-reload-step]");
    if (stepSelect) {
      stepSelect.addEventListener("change", function () {
        var u = new URL(location.href); u.searchParams.set("step", stepSelect.value); u.hash = "decide";
        location.assign(u.toString());
      });
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
      form.addEventListener("submit", function (ev) {
        var input = form.querySelector("input[type=file]");
        if (!input || !input.files.length || !window.XMLHttpRequest) return;
        ev.preventDefault();
        var bar = form.querySelector("progress"), status = form.querySelector("[data-upload-status]");
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("X-Requested-With", "fetch");
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable && bar) { bar.hidden = false; bar.max = e.total; bar.value = e.loaded; }
          if (status && e.lengthComputable) status.textContent = Math.round(100 * e.loaded / e.total) + "%";
        });
        xhr.addEventListener("load", function () {
          if (xhr.status === 200 && xhr.getResponseHeader("Content-Type") === "application/json") {
            location.assign(JSON.parse(xhr.responseText).location);
            return;
          }
          // The server answered with a page (field errors kept): show it as it is.
          document.open(); document.write(xhr.responseText); document.close();
        });
        xhr.addEventListener("error", function () { if (status) status.textContent = form.getAttribute("data-upload-failed") || "Error"; });
        xhr.send(new FormData(form));
      });
    });
  });
})();
