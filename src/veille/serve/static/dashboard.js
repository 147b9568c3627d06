// Draws the charts whose data the page carries in <script type="application/json"> blocks.
// No inline script anywhere: the Content-Security-Policy allows scripts from this server only.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    Plotly.newPlot(el, spec.data, spec.layout, { displaylogo: false, responsive: true }).then(function () {
      el.dataset.rendered = "yes";
      if (spec.link) {
        el.on("plotly_click", function (event) {
          var id = event.points[0] && event.points[0].customdata;
          if (id) { window.location.href = spec.link + encodeURIComponent(id); }
        });
      }
    });
  });
});
