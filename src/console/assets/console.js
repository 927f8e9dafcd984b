// Black Belt console: small enhancements over forms that work without script.
// - [data-copy="<text>"] buttons copy their text and say so.
// - form[data-confirm="<question>"] asks before it is sent.
// - form[data-upload] shows the upload's progress in its <progress>.
"use strict";

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var text = button.getAttribute("data-copy");
  navigator.clipboard.writeText(text).then(function () {
    var old = button.textContent;
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = old; }, 1500);
  });
});

document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.hasAttribute("data-upload") && window.XMLHttpRequest) {
    event.preventDefault();
    var bar = form.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (bar && e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
    });
    xhr.addEventListener("load", function () {
      // The server answers a form with a page (the result or the form with its errors).
      document.open();
      document.write(xhr.responseText);
      document.close();
      if (xhr.responseURL) history.replaceState(null, "", xhr.responseURL);
    });
    xhr.addEventListener("error", function () {
      if (status) status.textContent = "The upload failed: the connection was lost. Nothing was imported; try again.";
    });
    if (status) status.textContent = "Uploading…";
    xhr.send(new FormData(form));
  }
});
