/* The authorities' dashboard (统计分析): four ECharts charts from the page's #charts-data;
   a click on a bar or point opens the list behind it. Labels come from #chart-labels so
   they are translated with the template. Tooltips render as rich text inside the canvas:
   ECharts' HTML tooltips carry inline styles, which the Content-Security-Policy refuses. */
(function () {
  const data = JSON.parse(document.getElementById("charts-data").textContent);
  const labels = document.getElementById("chart-labels").dataset;
  const open = (params) => { if (params.data && params.data.url) window.location.href = params.data.url; };
  const none = (names) => names.length ? {} : {title: {text: labels.empty, left: "center", top: "middle", textStyle: {color: "#888", fontSize: 14}}};
  const draw = (id, option) => {
    const chart = echarts.init(document.getElementById(id));
    chart.setOption(Object.assign({animation: false, tooltip: {trigger: "axis", renderMode: "richText"}, grid: {left: 40, right: 20, top: 40, bottom: 40, containLabel: true}}, option));
    chart.on("click", open);
    window.addEventListener("resize", () => chart.resize());
  };
  draw("chart-declarations", {
    legend: {type: "scroll"},
    xAxis: {type: "category", data: data.declarations.levels},
    yAxis: {type: "value", minInterval: 1},
    series: data.declarations.series.map((s) => ({name: s.name, type: "bar", stack: "n", data: s.data})),
  });
  draw("chart-areas", {...none(data.areas.names),
    legend: {},
    xAxis: {type: "category", data: data.areas.names, axisLabel: {interval: 0, rotate: data.areas.names.length > 6 ? 30 : 0}},
    yAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    series: [
      {name: labels.approval, type: "bar", data: data.areas.approval},
      {name: labels.execution, type: "bar", data: data.areas.execution},
    ],
  });
  draw("chart-months", {
    xAxis: {type: "category", data: data.months.names},
    yAxis: {type: "value"},
    series: [{name: labels.credits, type: "line", smooth: true, areaStyle: {}, data: data.months.data}],
  });
  draw("chart-audits", {...none(data.audits.names),
    xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
    yAxis: {type: "category", data: data.audits.names, inverse: true},
    series: [{name: labels.audits, type: "bar", data: data.audits.data}],
  });
})();
