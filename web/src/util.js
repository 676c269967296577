// Formatting helpers. Everything put into innerHTML passes through esc() unless it is a number we formatted.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function fmt(value, unit) {
  if (value == null || Number.isNaN(value)) return "–";
  switch (unit) {
    case "int":
      return Math.round(value).toLocaleString("en-US");
    case "pct":
      return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)}%`;
    case "ms":
      return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
    case "usd":
      return value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
    default:
      return value.toLocaleString("en-US", { maximumFractionDigits: 3 });
  }
}

// "▲ 12.3%" coloured good/bad by whether higher is better for this KPI.
export function fmtDelta(d) {
  if (d.percent == null) return `<span class="muted">no previous figure</span>`;
  const up = d.percent > 0;
  const flat = Math.abs(d.percent) < 0.05;
  const good = flat ? "flat" : up === d.higherIsBetter ? "good" : "bad";
  return `<span class="${good}">${flat ? "■" : up ? "▲" : "▼"} ${Math.abs(d.percent).toFixed(1)}%</span>
    <span class="muted">vs previous</span>`;
}

export function relTime(iso) {
  if (!iso) return "–";
  const seconds = (Date.now() - new Date(iso).getTime()) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}
