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

  // On a phone the tool bar would sit over the legend, and its zoom and pan
  // fight the page's own scrolling: drawn only where there is room for it.
  var ROOMY = window.matchMedia("(min-width: 576px)");

  function draw(target) {
    var source = document.getElementById(target.getAttribute("data-figure"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    // A heatmap asks for room for its columns; a narrower screen scrolls its
    // .chart-scroll region sideways. Set through the CSSOM, which the
    // Content-Security-Policy allows (a style attribute it would refuse).
    if (layout.meta && layout.meta.min_width) {
      target.style.minWidth = layout.meta.min_width + "px";
    }
    var config = Object.assign({}, CONFIG, { displayModeBar: ROOMY.matches ? "hover" : false });
    window.Plotly.newPlot(target, figure.data, layout, config);
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
