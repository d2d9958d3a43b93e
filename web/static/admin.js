// Live preview of the entry text while typing (the server renders it with the site's sanitiser).
// Without JavaScript the "Voorbeeld bekijken" button does the same with a normal form post.
(function () {
  "use strict";
  var body = document.getElementById("body");
  var target = document.getElementById("voorbeeld");
  var form = document.getElementById("onderwerp-form");
  if (!body || !target || !form || !window.fetch) { return; }
  var timer = null;
  function refresh() {
    var data = new FormData();
    data.append("body", body.value);
    data.append("csrf_token", form.elements.csrf_token.value);
    fetch("/beheer/voorbeeld", { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        // html is sanitised server-side by catalogue.render (nh3): no scripts, no event handlers
        target.innerHTML = "<h2>Voorbeeld</h2><div class=\"entry-body\">" + html + "</div>";
      })
      .catch(function () { /* the preview is a convenience; the form still works */ });
  }
  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
}());
