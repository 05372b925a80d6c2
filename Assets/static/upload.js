// The upload page: files from the pickers or dropped (folders walked), each sent as its own
// request to /api/v1/uploads (two at a time) with a progress bar, then its outcome. Without this
// script the page's form posts the files to /desk/upload and the answer lists the outcomes.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest) return;
  var csrf = form.querySelector("input[name=csrf]").value;
  var list = document.getElementById("upload-results");
  var summary = document.getElementById("upload-summary");
  var zone = document.getElementById("drop-zone");
  var pickers = [document.getElementById("upload-files"), document.getElementById("upload-folder")];
  var parallel = 2;
  var queue = [];
  var running = 0;
  var counts = { total: 0, ingested: 0, duplicate: 0, failed: 0 };

  form.classList.add("scripted");
  zone.hidden = false;

  // As the command line does: hidden files and sidecars (.xmp, .txt) are not photos.
  function isPhotoCandidate(path) {
    var name = path.split("/").pop();
    return name.length > 0 && name.charAt(0) !== "." && !/\.(xmp|txt)$/i.test(name);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function add(file, path) {
    if (!isPhotoCandidate(path)) return;
    var item = element("li", "upload-item waiting");
    var thumb = element("span", "upload-thumb");
    var name = element("span", "upload-name", path);
    var status = element("span", "upload-status", "waiting");
    var bar = element("progress", "upload-progress");
    bar.max = Math.max(file.size, 1);
    bar.value = 0;
    item.appendChild(thumb);
    item.appendChild(name);
    item.appendChild(status);
    item.appendChild(bar);
    list.appendChild(item);
    counts.total += 1;
    queue.push({ file: file, path: path, item: item, thumb: thumb, status: status, bar: bar });
    showSummary();
    next();
  }

  function next() {
    while (running < parallel && queue.length > 0) send(queue.shift());
  }

  function send(job) {
    running += 1;
    job.item.className = "upload-item uploading";
    job.status.textContent = "uploading";
    var request = new XMLHttpRequest();
    request.open("POST", "/api/v1/uploads?name=" + encodeURIComponent(job.path));
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.responseType = "text";
    request.upload.onprogress = function (event) {
      if (!event.lengthComputable) return;
      job.bar.max = Math.max(event.total, 1);
      job.bar.value = event.loaded;
      if (event.loaded >= event.total) job.status.textContent = "ingesting";
    };
    request.onload = function () {
      var answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (error) {
        answer = null;
      }
      if (request.status === 200 && answer && answer.files && answer.files.length > 0) {
        finish(job, answer.files[0]);
      } else {
        var reason = answer && answer.error ? answer.error : "the server answered " + request.status;
        finish(job, { status: "failed", error: reason });
      }
    };
    request.onerror = function () {
      finish(job, { status: "failed", error: "the connection failed before the server answered; try again" });
    };
    request.send(job.file);
  }

  function finish(job, outcome) {
    running -= 1;
    var status = outcome.status === "unchanged" ? "duplicate" : outcome.status;
    job.item.className = "upload-item " + status;
    job.status.textContent = status;
    job.bar.value = job.bar.max;
    job.item.removeChild(job.bar);
    if (outcome.thumb) {
      var image = element("img", "upload-thumb");
      image.src = outcome.thumb;
      image.alt = "";
      job.item.replaceChild(image, job.thumb);
    }
    if (outcome.error) job.item.appendChild(element("span", "upload-error", outcome.error));
    if (outcome.id) {
      var link = element("a", "upload-caption", status === "ingested" ? "Caption it" : "Open it");
      link.href = "/photos/" + encodeURIComponent(outcome.id) + "#edit";
      job.item.appendChild(link);
    }
    if (counts[status] !== undefined) counts[status] += 1;
    showSummary();
    next();
  }

  function showSummary() {
    var done = counts.ingested + counts.duplicate + counts.failed;
    var parts = [];
    ["ingested", "duplicate", "failed"].forEach(function (status) {
      if (counts[status] > 0) parts.push(counts[status] + " " + status);
    });
    summary.textContent =
      done + " of " + counts.total + " file" + (counts.total === 1 ? "" : "s") + " done" +
      (parts.length > 0 ? ": " + parts.join(", ") : "");
  }

  // A dropped folder: its entries are read in batches until an empty one (the API's contract).
  function walk(entry, prefix) {
    if (entry.isFile) {
      entry.file(function (file) { add(file, prefix + file.name); });
    } else if (entry.isDirectory) {
      var reader = entry.createReader();
      var folder = prefix + entry.name + "/";
      var readBatch = function () {
        reader.readEntries(function (entries) {
          if (entries.length === 0) return;
          entries.forEach(function (child) { walk(child, folder); });
          readBatch();
        });
      };
      readBatch();
    }
  }

  pickers.forEach(function (picker) {
    if (!picker) return;
    picker.addEventListener("change", function () {
      Array.prototype.forEach.call(picker.files, function (file) {
        add(file, file.webkitRelativePath || file.name);
      });
      picker.value = "";
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });

  zone.addEventListener("dragover", function (event) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("over");
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    var items = event.dataTransfer.items;
    // Entries must be taken while the drop event lasts; they are read afterwards.
    var entries = [];
    if (items && items.length > 0 && items[0].webkitGetAsEntry) {
      Array.prototype.forEach.call(items, function (item) {
        var entry = item.kind === "file" ? item.webkitGetAsEntry() : null;
        if (entry) entries.push(entry);
      });
    }
    if (entries.length > 0) {
      entries.forEach(function (entry) { walk(entry, ""); });
    } else {
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { add(file, file.name); });
    }
  });
})();
