/* The resident form's emergency check: shows the banner of every emergency the text
   speaks of, however the text arrives (typing, paste, autofill, speech input all fire
   "input"). The words come from the server's one table (services/emergencies.py),
   rendered into the page as JSON; the server checks again when the form is posted. */
(function () {
  "use strict";

  function escape(word) {
    return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function pattern(words) {
    // ASCII words match whole words only; Chinese words match anywhere (as on the server).
    return new RegExp(
      words.map(function (w) {
        return /^[\x00-\x7f]*$/.test(w) ? "\\b" + escape(w) + "\\b" : escape(w);
      }).join("|"),
      "i"
    );
  }

  function init() {
    var data = document.getElementById("emergency-table");
    var field = document.querySelector("[data-emergency-check]");
    if (!data || !field) return;
    var checks = JSON.parse(data.textContent).map(function (row) {
      return { banner: document.querySelector('[data-emergency="' + row.kind + '"]'), re: pattern(row.words) };
    });
    function check() {
      var text = field.value || "";
      checks.forEach(function (c) {
        if (c.banner) c.banner.hidden = !c.re.test(text);
      });
    }
    field.addEventListener("input", check);
    field.addEventListener("change", check);
    // A form restored by the browser (back button, reload) holds text no event announced.
    window.addEventListener("pageshow", check);
    check();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
