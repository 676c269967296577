// uPlot wrappers: a bare sparkline, and a line chart with vertical annotation lines and their legend.
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

// Annotation kinds (timeSeries' annotations: version_first_seen, deployment, alert_fired,
// alert_resolved), each drawn in its own style and named in the chart's annotation legend.
export const MARKERS = {
  version_first_seen: { label: "new version", color: "#8a8f98", dash: [4, 3], width: 1 },
  deployment: { label: "deployment", color: "#1f8a5b", dash: [], width: 2, flag: true },
  alert_fired: { label: "alert fired", color: "#d63b3b", dash: [], width: 1 },
  alert_resolved: { label: "alert resolved", color: "#d63b3b", dash: [1, 3], width: 1 },
};
const OTHER = { label: "other", color: "#b07d1a", dash: [2, 2], width: 1 };
const marker = (type) => MARKERS[type] || OTHER;

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
            const m = marker(a.type);
            ctx.save();
            ctx.strokeStyle = m.color;
            ctx.fillStyle = m.color;
            ctx.setLineDash(m.dash);
            ctx.lineWidth = m.width * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            if (m.flag) {
              // a deployment: a small flag at the top of its line
              const s = 6 * devicePixelRatio;
              ctx.setLineDash([]);
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x + s * 1.4, top + s / 2);
              ctx.lineTo(x, top + s);
              ctx.closePath();
              ctx.fill();
            }
            ctx.restore();
          }
        },
      ],
    },
  };
}

// {kind: count} of the annotations (what the chart's data-annotations attribute holds)
export function annotationCounts(annotations) {
  const counts = {};
  for (const a of annotations) counts[a.type] = (counts[a.type] || 0) + 1;
  return counts;
}

// The annotation legend under a chart: one entry per kind present, in its marker's style, with its count.
function annotationLegend(counts) {
  const kinds = Object.keys(counts).sort((a, b) => Object.keys(MARKERS).indexOf(a) - Object.keys(MARKERS).indexOf(b));
  if (!kinds.length) return null;
  const legend = document.createElement("div");
  legend.className = "annotation-legend";
  for (const kind of kinds) {
    const m = marker(kind);
    const item = document.createElement("span");
    item.className = `marker ${kind}`;
    item.dataset.kind = kind;
    const swatch = document.createElement("i");
    swatch.style.borderLeft = `${m.width + 1}px ${m.dash.length ? "dashed" : "solid"} ${m.color}`;
    if (m.flag) swatch.className = "flag";
    item.append(swatch, `${m.label} (${counts[kind]})`);
    legend.append(item);
  }
  return legend;
}

export function lineChart(el, timestamps, values, { label, unit, annotations = [] }) {
  el.innerHTML = "";
  const counts = annotationCounts(annotations);
  el.dataset.annotations = JSON.stringify(counts);
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
  const legend = annotationLegend(counts);
  if (legend) el.append(legend);
  const list = annotations.map((a) => `${new Date(a.at).toLocaleString()}: ${marker(a.type).label}: ${a.label}`).join("\n");
  if (list) el.title = list;
  return plot;
}
