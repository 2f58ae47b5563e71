/* Draws each dashboard figure: a <div data-figure="ID"> names the
   <script type="application/json" id="ID"> that holds its Plotly JSON.
   An external file, so the pages need no inline script (strict CSP). */
(function () {
  "use strict";

  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: ["select2d", "lasso2d"]
  };

  function draw(target) {
    var source = document.getElementById(target.getAttribute("data-figure"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(target, figure.data, figure.layout || {}, CONFIG);
  }

  function drawAll() {
    var targets = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < targets.length; i += 1) {
      draw(targets[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
