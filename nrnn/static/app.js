// nrnn drawing page: draw with mouse, pen or touch; on each stroke's end the
// canvas goes to POST /predict as a PNG and the answer is shown.  A photo
// (picked with the Photo button, on a phone the camera, or dropped on the
// pad) is posted as the file it is, PNG or JPEG: the server decodes it.
// Plain JavaScript, no build step, no libraries.
//
// /?demo=7 replays the demo digit 7 from /static/strokes.json (the strokes
// nrnn/image/strokes.py draws too) by dispatching pointer events to the canvas, so
// the same handlers run as for a real pen.  /?photo=NAME reads
// /static/NAME as if it had been picked; &neuron=J shows hidden neuron J
// large.  The browser test uses all three.
"use strict";

(function () {
  // Pen width in canvas pixels.  On the 280 x 280 canvas a digit is ~200 px
  // tall; scaled into MNIST's 20 px box this gives its ~2 px strokes.
  const PEN_WIDTH = 20;
  const INK = "#15171f";

  const pad = document.getElementById("pad");
  const context = pad.getContext("2d");
  const undoButton = document.getElementById("undo");
  const clearButton = document.getElementById("clear");
  const statusLine = document.getElementById("status");
  const digitBox = document.getElementById("digit");
  const confidenceLine = document.getElementById("confidence");
  const runnersUpLine = document.getElementById("runners-up");
  const timingLine = document.getElementById("timing");
  const barList = document.getElementById("bars");
  const seen = document.getElementById("seen");
  const photoButton = document.getElementById("photo");
  const photoFile = document.getElementById("photo-file");
  const padFrame = pad.parentElement;
  const inside = document.getElementById("inside");
  const insideCaption = document.getElementById("inside-caption");
  const strip = document.getElementById("strip");
  const neuronBox = document.getElementById("neuron");
  const neuronPicture = document.getElementById("neuron-picture");
  const neuronText = document.getElementById("neuron-text");

  // The hidden-layer strip shows every neuron of a small first hidden layer,
  // or the STRIP_SIZE most active of a big one (the shipped model has 500).
  const STRIP_SIZE = 16;
  const TILE = 28;  // /weights/0.png holds one 28 x 28 weight picture a neuron

  // What the server reads as it is; anything else the browser can show
  // (WebP, GIF, HEIC on some phones) is re-encoded here as a PNG.
  const SENT_AS_IS = ["image/png", "image/jpeg"];
  // Keep in step with MAX_BODY_BYTES in nrnn/serve.py.  A bigger file is
  // scaled down to PHOTO_SIDE here first: a digit never needs more.
  const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;
  const PHOTO_SIDE = 1600;

  const strokes = [];     // finished strokes: each a list of [x, y] canvas pixels
  let current = null;     // the stroke being drawn: {pointerId, points}
  let photo = null;       // the picked photo (an <img>) shown on the pad
  let requestNumber = 0;  // answers to older requests are ignored
  // ?demo=N: replay demo digit N (see replay() below); ?photo=NAME: read a photo.
  const query = new URLSearchParams(window.location.search);
  const demoDigit = query.get("demo");
  const demoPhoto = query.get("photo");

  document.getElementById("origin").textContent = window.location.origin;

  // ---------------------------------------------------------------- drawing

  function paint() {
    // Transparent background: the PNG decoder composites it over white.
    context.clearRect(0, 0, pad.width, pad.height);
    if (photo) paintPhoto();
    context.strokeStyle = INK;
    context.fillStyle = INK;
    context.lineWidth = PEN_WIDTH;
    context.lineCap = "round";
    context.lineJoin = "round";
    for (const points of strokes) paintStroke(points);
    if (current) paintStroke(current.points);
  }

  function paintStroke(points) {
    if (points.length === 1) {  // a dot
      context.beginPath();
      context.arc(points[0][0], points[0][1], PEN_WIDTH / 2, 0, 2 * Math.PI);
      context.fill();
      return;
    }
    context.beginPath();
    context.moveTo(points[0][0], points[0][1]);
    for (let i = 1; i < points.length; i++) context.lineTo(points[i][0], points[i][1]);
    context.stroke();
  }

  // The photo, whole and centred on the pad (letterboxed, not cropped).
  function paintPhoto() {
    const scale = Math.min(pad.width / photo.naturalWidth, pad.height / photo.naturalHeight);
    const width = photo.naturalWidth * scale, height = photo.naturalHeight * scale;
    context.drawImage(photo, (pad.width - width) / 2, (pad.height - height) / 2, width, height);
  }

  // Where a pointer event is, in canvas pixels (the canvas may be shown
  // smaller than its 280 x 280 pixels on a narrow screen).
  function canvasPoint(event) {
    const box = pad.getBoundingClientRect();
    return [(event.clientX - box.left) * pad.width / box.width,
            (event.clientY - box.top) * pad.height / box.height];
  }

  pad.addEventListener("pointerdown", function (event) {
    if (current || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    if (photo) forgetPhoto();  // drawing starts afresh on an empty pad
    try {
      pad.setPointerCapture(event.pointerId);  // keep the stroke when the pen leaves the canvas
    } catch (error) {
      // A replayed (demo) pointer is not a real one and cannot be captured.
    }
    current = {pointerId: event.pointerId, points: [canvasPoint(event)]};
    paint();
  });

  pad.addEventListener("pointermove", function (event) {
    if (!current || event.pointerId !== current.pointerId) return;
    // Coalesced events: every position the pen passed since the last frame.
    const coalesced = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of (coalesced.length ? coalesced : [event])) current.points.push(canvasPoint(each));
    paint();
  });

  function endStroke(event) {
    if (!current || event.pointerId !== current.pointerId) return;
    strokes.push(current.points);
    current = null;
    paint();
    changed();
  }
  pad.addEventListener("pointerup", endStroke);
  pad.addEventListener("pointercancel", endStroke);

  function undo() {
    if (photo && !current) {
      clear();
      return;
    }
    if (current || !strokes.length) return;
    strokes.pop();
    paint();
    changed();
  }

  function clear() {
    if (current) return;
    forgetPhoto();
    strokes.length = 0;
    paint();
    changed();
  }

  undoButton.addEventListener("click", undo);
  clearButton.addEventListener("click", clear);
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
      event.preventDefault();
      undo();
    } else if (event.key === "Escape") {
      clear();
    }
  });

  // The drawing changed: ask the network again (or show nothing).
  function changed() {
    undoButton.disabled = clearButton.disabled = strokes.length === 0 && !photo;
    if (strokes.length) {
      predict();
    } else {
      requestNumber++;  // forget any answer still on its way
      showEmpty();
    }
  }

  // ---------------------------------------------------------------- photos

  function forgetPhoto() {
    if (photo) URL.revokeObjectURL(photo.src);
    photo = null;
  }

  // A picked or dropped file: send it, and show it on the pad.
  function readPhoto(file) {
    if (!file || current) return;
    strokes.length = 0;
    forgetPhoto();
    const sendAsIs = SENT_AS_IS.indexOf(file.type) >= 0 && file.size <= MAX_UPLOAD_BYTES;
    const number = begin("photo");
    if (sendAsIs) ask(number, file, file.type, "photo");
    // The browser turns the photo upright (EXIF orientation) as it draws
    // it, as the server does, so the pad shows what the network is given.
    const picture = new Image();
    picture.onload = function () {
      if (number !== requestNumber) return URL.revokeObjectURL(picture.src);
      photo = picture;
      paint();
      undoButton.disabled = clearButton.disabled = false;
      if (!sendAsIs) smaller(picture).toBlob(function (blob) { ask(number, blob, "image/png", "photo"); }, "image/png");
    };
    picture.onerror = function () {
      URL.revokeObjectURL(picture.src);
      if (number === requestNumber && !sendAsIs) {
        showError("that file is not a picture this browser can open; try a PNG or JPEG");
      }
    };
    picture.src = URL.createObjectURL(file);
  }

  // The picture on a canvas at most PHOTO_SIDE pixels on its longer side.
  function smaller(picture) {
    const scale = Math.min(1, PHOTO_SIDE / Math.max(picture.naturalWidth, picture.naturalHeight));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(picture.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(picture.naturalHeight * scale));
    canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
    return canvas;
  }

  photoButton.addEventListener("click", function () { photoFile.click(); });
  photoFile.addEventListener("change", function () {
    readPhoto(photoFile.files[0]);
    photoFile.value = "";  // picking the same file again is a new pick
  });
  padFrame.addEventListener("dragover", function (event) {
    event.preventDefault();
    padFrame.classList.add("dropping");
  });
  padFrame.addEventListener("dragleave", function () { padFrame.classList.remove("dropping"); });
  padFrame.addEventListener("drop", function (event) {
    event.preventDefault();
    padFrame.classList.remove("dropping");
    readPhoto(event.dataTransfer.files[0]);
  });

  // ---------------------------------------------------------------- asking

  function predict() {
    const number = begin("drawing");
    pad.toBlob(function (blob) { ask(number, blob, "image/png", "drawing"); }, "image/png");
  }

  // A new question (what: "drawing" or "photo"): its number, so that only
  // the answer to the newest one is shown.
  function begin(what) {
    digitBox.dataset.state = "pending";
    setStatus(what === "photo" ? "Reading your photo…" : "Reading…");
    return ++requestNumber;
  }

  // POST an image to /predict and show the answer, if question ``number``
  // is still the newest.
  function ask(number, body, type, what) {
    if (number !== requestNumber) return;
    const started = performance.now();
    fetch("/predict", {method: "POST", headers: {"Content-Type": type}, body: body})
      .then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (reply) {
        if (number !== requestNumber) return;
        if (reply.ok) show(reply.data, performance.now() - started, what);
        else showError(reply.data.error || "the server refused the " + what);
      })
      .catch(function (error) {
        if (number === requestNumber) showError("no answer from the server (" + error.message + ")");
      });
  }

  // ---------------------------------------------------------------- showing

  const bars = [];
  for (let digit = 0; digit < 10; digit++) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    const track = document.createElement("span");
    const fill = document.createElement("span");
    const percent = document.createElement("span");
    label.className = "label";
    label.textContent = String(digit);
    track.className = "track";
    fill.className = "fill";
    percent.className = "pct";
    track.appendChild(fill);
    item.append(label, track, percent);
    barList.appendChild(item);
    bars.push({item: item, fill: fill, percent: percent});
  }

  // One decimal, and never "100%": the other nine outputs are not zero.
  function formatPercent(p) {
    return p >= 0.9995 ? ">99.9%" : (100 * p).toFixed(1) + "%";
  }

  function show(answer, elapsed, what) {
    digitBox.textContent = String(answer.digit);
    digitBox.dataset.state = "done";
    confidenceLine.textContent = "Confidence " + formatPercent(answer.confidence);
    const others = answer.ranking.slice(1, 3).map(function (d) {
      return d + " (" + formatPercent(answer.probabilities[d]) + ")";
    });
    runnersUpLine.textContent = "Runners-up: " + others.join(", ");
    const serverTime = Math.round(answer.milliseconds) + " ms for preprocessing and the network";
    // A replayed demo may run in a headless browser's virtual time, where the
    // round trip is not a real measurement: show only the server's own.
    timingLine.textContent = demoDigit !== null || demoPhoto !== null ? serverTime
      : "Answered in " + Math.round(elapsed) + " ms (" + serverTime + ")";
    answer.probabilities.forEach(function (p, digit) {
      bars[digit].fill.style.width = (100 * p).toFixed(2) + "%";
      bars[digit].percent.textContent = formatPercent(p);
      bars[digit].item.classList.toggle("best", digit === answer.digit);
    });
    drawSeen(answer.input);
    showInside(answer);
    setStatus(what === "photo"
      ? "The small picture below the bars is the ink found in your photo. Draw or pick another."
      : "Keep drawing, undo, or clear to start again.");
  }

  function showEmpty() {
    digitBox.textContent = "?";
    digitBox.dataset.state = "empty";
    confidenceLine.textContent = "Waiting for a drawing";
    runnersUpLine.textContent = timingLine.textContent = "";
    for (const bar of bars) {
      bar.fill.style.width = "0";
      bar.percent.textContent = "";
      bar.item.classList.remove("best");
    }
    seen.getContext("2d").clearRect(0, 0, seen.width, seen.height);
    lastAnswer = null;
    inside.hidden = true;
    strip.textContent = "";
    setStatus("Draw one digit, 0 to 9, large and in the middle, or pick a photo.");
  }

  function showError(message) {
    digitBox.textContent = "!";
    digitBox.dataset.state = "error";
    setStatus(message, true);
  }

  function setStatus(text, isError) {
    statusLine.textContent = text;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  // The 784 inputs (row-major, 0 = no ink .. 1 = full ink) as 28 x 28
  // gray pixels, white ink on black, exactly as the network saw them.
  function drawSeen(inputs) {
    const picture = seen.getContext("2d");
    const image = picture.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const level = Math.round(255 * Math.max(0, Math.min(1, inputs[i])));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = level;
      image.data[4 * i + 3] = 255;
    }
    picture.putImageData(image, 0, 0);
  }

  // ---------------------------------------------------------------- inside

  // The weight pictures of the first hidden layer, fetched once (the server
  // sends an ETag: later visits only ask whether they changed).  Tiles drawn
  // before it arrives are drawn again when it does.
  let weightSheet = null;
  let lastAnswer = null;
  // The neuron shown large, kept across drawings (?neuron=J chooses one at once).
  let chosenNeuron = /^\d+$/.test(query.get("neuron") || "") ? Number(query.get("neuron")) : null;
  (function loadWeightSheet() {
    const sheet = new Image();
    sheet.onload = function () {
      weightSheet = sheet;
      if (lastAnswer) showInside(lastAnswer);
    };
    sheet.src = "/weights/0.png";
  })();

  // Neuron j's weight picture onto a 28 x 28 canvas (red: ink there raises
  // the neuron, blue: ink there lowers it; see nrnn/inside/weights.py).
  function drawWeights(canvas, neuron) {
    const picture = canvas.getContext("2d");
    picture.clearRect(0, 0, TILE, TILE);
    if (!weightSheet) return;
    const columns = Math.max(1, Math.floor(weightSheet.naturalWidth / TILE));
    picture.drawImage(weightSheet, (neuron % columns) * TILE, Math.floor(neuron / columns) * TILE,
                      TILE, TILE, 0, 0, TILE, TILE);
  }

  // The strip: the first hidden layer's activations for this drawing, each
  // neuron with its weight picture; /predict sends the activations.
  function showInside(answer) {
    lastAnswer = answer;
    const layers = answer.hidden || [];
    if (!layers.length) {  // a network without a hidden layer: nothing inside to show
      inside.hidden = true;
      return;
    }
    const activations = layers[0];
    const count = activations.length;
    // With one hidden layer, each neuron's part in the answer is known too:
    // its activation times its weight to the answer (nrnn/inside/explain.py).
    const contributions = layers.length === 1 ? answer.contributions : null;
    let shown = activations.map(function (a, j) { return j; });
    if (count > STRIP_SIZE) {
      shown.sort(function (i, j) { return activations[j] - activations[i] || i - j; });
      shown = shown.slice(0, STRIP_SIZE);
    }
    insideCaption.textContent = (count > STRIP_SIZE
      ? "The " + STRIP_SIZE + " most active of the first hidden layer's " + count + " neurons"
      : "All " + count + " neurons of the first hidden layer") +
      ", each drawn as its weights: red where ink raises the neuron, blue where ink lowers it. " +
      "The bar is how active it is for your digit. Click one to see it large.";
    strip.textContent = "";
    strip.dataset.pictures = weightSheet ? "drawn" : "pending";  // the browser test reads this
    shown.forEach(function (j) {
      const item = document.createElement("li");
      item.dataset.neuron = String(j);
      item.dataset.activation = activations[j].toFixed(3);
      const button = document.createElement("button");
      button.type = "button";
      button.title = "Neuron " + j + ": activation " + activations[j].toFixed(2);
      button.setAttribute("aria-pressed", String(j === chosenNeuron));
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = TILE;
      drawWeights(canvas, j);
      const bar = document.createElement("span");
      bar.className = "activation";
      const fill = document.createElement("span");
      fill.style.width = (100 * Math.max(0, Math.min(1, activations[j]))).toFixed(1) + "%";
      bar.appendChild(fill);
      button.append(canvas, bar, "#" + j);
      button.addEventListener("click", function () {
        chosenNeuron = j;
        for (const other of strip.querySelectorAll("button")) other.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", "true");
        showNeuron(j, activations, contributions, answer.digit);
      });
      item.appendChild(button);
      strip.appendChild(item);
    });
    inside.hidden = false;
    if (chosenNeuron !== null && chosenNeuron < count) {
      showNeuron(chosenNeuron, activations, contributions, answer.digit);
    } else {
      neuronBox.hidden = true;
    }
  }

  // One neuron large, with what it did for this drawing.
  function showNeuron(j, activations, contributions, digit) {
    drawWeights(neuronPicture, j);
    neuronText.textContent = "";
    const title = document.createElement("strong");
    title.textContent = "Neuron " + j;
    let text = " of the first hidden layer: activation " + activations[j].toFixed(2) +
      " for this drawing (0: silent, 1: fully on). It adds up the 784 pixels, each times the " +
      "weight drawn in its place: ink on red raises it, ink on blue lowers it.";
    if (contributions) {
      const part = contributions[j];
      text += " Its activation times its weight to " + digit + " adds " +
        (part >= 0 ? "+" : "") + part.toFixed(2) + " to the output neuron " + digit + "'s input " +
        (part >= 0 ? "(for the answer)." : "(against the answer).");
    }
    neuronText.append(title, text);
    neuronBox.hidden = false;
  }

  // ---------------------------------------------------------------- demo

  function replay(which) {
    fetch("/static/strokes.json")
      .then(function (response) { return response.json(); })
      .then(function (digits) {
        const demo = digits[which];
        if (!demo) {
          setStatus("There is no demo digit \"" + which + "\"; try ?demo=0 to ?demo=9.", true);
          return;
        }
        setStatus("Replaying demo digit " + which + "…");
        const box = pad.getBoundingClientRect();
        demo.forEach(function (stroke, index) {
          const pointerId = 100 + index;
          const points = stroke.map(function (p) {
            return [box.left + p[0] * box.width, box.top + p[1] * box.height];
          });
          firePointer("pointerdown", points[0], pointerId);
          for (const point of points.slice(1)) firePointer("pointermove", point, pointerId);
          firePointer("pointerup", points[points.length - 1], pointerId);
        });
      })
      .catch(function (error) { setStatus("Cannot load the demo strokes (" + error.message + ")", true); });
  }

  function firePointer(type, point, pointerId) {
    pad.dispatchEvent(new PointerEvent(type, {
      pointerId: pointerId, pointerType: "pen", isPrimary: true,
      clientX: point[0], clientY: point[1],
      button: type === "pointermove" ? -1 : 0, buttons: type === "pointerup" ? 0 : 1,
      pressure: type === "pointerup" ? 0 : 0.5,
      bubbles: true, cancelable: true,
    }));
  }

  // ?photo=NAME: read /static/NAME through the same path as a picked file.
  function readDemoPhoto(name) {
    fetch("/static/" + encodeURIComponent(name))
      .then(function (response) {
        if (!response.ok) throw new Error("no photo \"" + name + "\"");
        return response.blob();
      })
      .then(readPhoto)
      .catch(function (error) { setStatus("Cannot load the demo photo (" + error.message + ")", true); });
  }

  paint();
  if (demoDigit !== null || demoPhoto !== null) {
    document.documentElement.classList.add("replay");  // no animations (style.css)
    if (demoDigit !== null) replay(demoDigit);
    else readDemoPhoto(demoPhoto);
  }
})();
