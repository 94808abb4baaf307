// The receiver's signature on a phone: drawn on <canvas data-signature-pad> with a finger
// or a mouse, kept as a PNG data URL in <input data-signature-value> when the form is
// sent. Without JavaScript the block stays hidden and the texted code is the only way.
(function () {
  "use strict";

  function setUp(box) {
    var canvas = box.querySelector("[data-signature-pad]");
    var field = box.querySelector("[data-signature-value]");
    var clear = box.querySelector("[data-signature-clear]");
    var form = box.closest("form");
    if (!canvas || !field || !form || !canvas.getContext) return;
    var pen = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    box.hidden = false;
    pen.lineWidth = 2.5;
    pen.lineCap = "round";
    pen.strokeStyle = "#111";

    function at(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height),
      };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = at(event);
      pen.beginPath();
      pen.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = at(event);
      pen.lineTo(p.x, p.y);
      pen.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      drawing = false;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    if (clear) {
      clear.addEventListener("click", function () {
        pen.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        field.value = "";
      });
    }
    form.addEventListener("submit", function () {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }

  function start() {
    var boxes = document.querySelectorAll("[data-signature]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
