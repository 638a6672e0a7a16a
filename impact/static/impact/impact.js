// Draws the impact charts with the vendored ECharts (static/vendor/echarts-5.6.0); every chart has
// its table next to it, so nothing is lost without JavaScript.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("impact-chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    var options = {
      months: {
        tooltip: { trigger: "axis" },
        grid: { left: 60, right: 10, top: 30, bottom: 40 },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", name: data.salesLabel },
        series: [{ type: "bar", data: data.monthAmounts, itemStyle: { color: "#2f7d3b" } }]
      },
      channels: {
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "70%"], data: data.channels }]
      },
      suppliers: {
        tooltip: { trigger: "axis" },
        grid: { left: 100, right: 10, top: 10, bottom: 20 },
        xAxis: { type: "value", splitNumber: 2 },
        yAxis: { type: "category", inverse: true, data: data.suppliers.map(function (s) { return s.name; }) },
        series: [{ type: "bar", data: data.suppliers.map(function (s) { return s.value; }), itemStyle: { color: "#5a9a44" } }]
      }
    };
    document.querySelectorAll("[data-impact-chart]").forEach(function (node) {
      var option = options[node.getAttribute("data-impact-chart")];
      if (!option) return;
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option);
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
