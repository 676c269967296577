// uPlot wrappers: a bare sparkline, and a line chart with vertical annotation lines.
import uPlot from "uplot";
import { fmt } from "./util.js";

const seconds = (timestamps) => timestamps.map((t) => new Date(t).getTime() / 1000);

export function sparkline(el, timestamps, values) {
  el.innerHTML = "";
  if (!values.some((v) => v != null)) return;
  new uPlot(
    {
      width: el.clientWidth || 160,
      height: 36,
      cursor: { show: false },
      legend: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: true } },
      series: [{}, { stroke: "#4f6bed", width: 1.5, fill: "rgba(79,107,237,0.12)", spanGaps: true }],
    },
    [seconds(timestamps), values],
    el,
  );
}

// Annotations: {type: "version"|"alert"|..., at, label, severity}; versions dashed grey, alerts red.
function annotationPlugin(annotations) {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx } = u;
          const { top, height } = u.bbox;
          for (const a of annotations) {
            const x = Math.round(u.valToPos(new Date(a.at).getTime() / 1000, "x", true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.save();
            ctx.strokeStyle = a.type.includes("alert") ? "#d63b3b" : "#8a8f98";
            ctx.setLineDash(a.type.includes("alert") ? [] : [4, 3]);
            ctx.lineWidth = 1;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            ctx.restore();
          }
        },
      ],
    },
  };
}

export function lineChart(el, timestamps, values, { label, unit, annotations = [] }) {
  el.innerHTML = "";
  if (!values.some((v) => v != null)) {
    el.innerHTML = `<p class="muted empty">No data in this window.</p>`;
    return;
  }
  const xs = seconds(timestamps);
  // one point: uPlot would stretch the axis over years; show a day either side instead
  const x = xs.length > 1 ? { time: true } : { time: true, range: () => [xs[0] - 86400, xs[0] + 86400] };
  const plot = new uPlot(
    {
      width: el.clientWidth || 480,
      height: 200,
      legend: { show: true },
      plugins: [annotationPlugin(annotations)],
      scales: { x },
      axes: [{}, { size: 70, values: (u, ticks) => ticks.map((t) => fmt(t, unit)) }],
      series: [{}, { label, stroke: "#4f6bed", width: 2, spanGaps: true, value: (u, v) => fmt(v, unit) }],
    },
    [xs, values],
    el,
  );
  const list = annotations.map((a) => `${new Date(a.at).toLocaleString()}: ${a.label}`).join("\n");
  if (list) el.title = list;
  return plot;
}
