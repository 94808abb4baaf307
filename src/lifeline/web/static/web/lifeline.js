/* Behaviour shared by every page. Attached from this file, never from inline attributes
   (onclick=...) or inline <script> blocks, so the Content-Security-Policy can refuse every
   script that is not a file served by Lifeline itself. */
(function () {
  "use strict";
  // <button type="button" data-print>: prints the page (pass, route sheet).
  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target && target.closest ? target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
