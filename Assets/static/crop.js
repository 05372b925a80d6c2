// The crop frame over the photo: drag to move it, drag its corner to resize it (keeping the
// chosen aspect), or type the numbers; the form works without this script.
(function () {
  "use strict";
  var stage = document.getElementById("crop-stage");
  var image = document.getElementById("crop-image");
  var frame = document.getElementById("crop-frame");
  var handle = document.getElementById("crop-handle");
  var form = document.getElementById("crop-form");
  if (!stage || !image || !frame || !form) return;
  var photoWidth = Number(stage.dataset.photoWidth);
  var photoHeight = Number(stage.dataset.photoHeight);
  var fields = ["x", "y", "width", "height"].map(function (name) { return form.elements[name]; });

  function ratio() {
    var chosen = form.querySelector("input[name=preset]:checked");
    if (!chosen || chosen.value === "free") return null;
    return Number(chosen.dataset.ratioWidth) / Number(chosen.dataset.ratioHeight);
  }
  function read() { return fields.map(function (field) { return Number(field.value) || 0; }); }
  function write(rect) {
    var x = Math.max(0, Math.min(photoWidth - 1, Math.round(rect[0])));
    var y = Math.max(0, Math.min(photoHeight - 1, Math.round(rect[1])));
    var w = Math.max(1, Math.min(photoWidth - x, Math.round(rect[2])));
    var h = Math.max(1, Math.min(photoHeight - y, Math.round(rect[3])));
    [x, y, w, h].forEach(function (value, index) { fields[index].value = value; });
    draw();
  }
  function scale() { return image.clientWidth / photoWidth; }
  function draw() {
    var rect = read();
    var s = scale();
    frame.hidden = false;
    frame.style.left = rect[0] * s + "px";
    frame.style.top = rect[1] * s + "px";
    frame.style.width = rect[2] * s + "px";
    frame.style.height = rect[3] * s + "px";
  }

  form.querySelectorAll("input[name=preset]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      if (radio.value === "free") return;
      write([radio.dataset.x, radio.dataset.y, radio.dataset.width, radio.dataset.height].map(Number));
    });
  });
  fields.forEach(function (field) { field.addEventListener("input", draw); });

  var drag = null;
  function start(event, resizing) {
    event.preventDefault();
    event.stopPropagation();
    drag = { resizing: resizing, x: event.clientX, y: event.clientY, rect: read() };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", stop);
  }
  function move(event) {
    if (!drag) return;
    var s = scale();
    var dx = (event.clientX - drag.x) / s;
    var dy = (event.clientY - drag.y) / s;
    var rect = drag.rect.slice();
    if (drag.resizing) {
      rect[2] = Math.max(16, Math.min(photoWidth - rect[0], rect[2] + dx));
      var r = ratio();
      rect[3] = r ? rect[2] / r : Math.max(16, rect[3] + dy);
      if (rect[1] + rect[3] > photoHeight) {
        rect[3] = photoHeight - rect[1];
        if (r) rect[2] = rect[3] * r;
      }
    } else {
      rect[0] = Math.max(0, Math.min(photoWidth - rect[2], rect[0] + dx));
      rect[1] = Math.max(0, Math.min(photoHeight - rect[3], rect[1] + dy));
    }
    write(rect);
  }
  function stop() {
    drag = null;
    document.removeEventListener("pointermove", move);
    document.removeEventListener("pointerup", stop);
  }
  frame.addEventListener("pointerdown", function (event) { start(event, false); });
  handle.addEventListener("pointerdown", function (event) { start(event, true); });
  window.addEventListener("resize", draw);
  if (image.complete) draw(); else image.addEventListener("load", draw);
})();
