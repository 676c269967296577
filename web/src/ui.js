// Page building blocks shared by every page: panels that fail alone, KPI cards, bars, role gates.
import { esc } from "./util.js";

const RANK = { member: 1, admin: 2, superuser: 3 };

// Whether the signed-in role reaches `needed` ("admin" or "superuser").
export function hasRole(viewer, needed) {
  return (RANK[viewer && viewer.role] || 0) >= RANK[needed];
}

// The box a panel shows when the API (or the role known up front) refuses it: no request error, no retry.
export function needsRole(needed, viewer, detail) {
  return `<div class="needs-role" data-needs="${esc(needed)}"><strong>Needs the ${esc(needed)} role.</strong>
    <span class="muted">${esc(detail || `You are signed in as ${viewer ? viewer.role : "a member"}; ask an ${needed} for access.`)}</span></div>`;
}

// What a panel shows for a failed request: a FORBIDDEN answer is the "needs role" state, not an error.
export function failure(err) {
  if (err.code === "FORBIDDEN") {
    const needed = /superuser/.test(err.message) ? "superuser" : "admin";
    return needsRole(needed, null, err.message);
  }
  return `<p class="error">${esc(err.message)}</p>`;
}

// Runs `load` and fills `el` with what `draw` makes of it, or with the error; panels fail alone.
export async function panel(el, load, draw) {
  try {
    const data = await load();
    el.innerHTML = "";
    draw(el, data);
  } catch (err) {
    el.innerHTML = failure(err);
  }
}

export function kpi(label, value, extra = "") {
  return `<div class="kpi card"><div class="label">${label}</div><div class="value">${value}</div>${extra}</div>`;
}

export function bar(percent, status) {
  const width = percent == null ? 0 : Math.min(100, Math.max(0, percent));
  return `<div class="bar ${esc(status || "")}"><span style="width:${width}%"></span></div>`;
}

// "● live" / "○ connecting" / "○ offline" in a badge element.
export function showLiveState(badge, state) {
  if (!badge) return;
  badge.textContent = { live: "● live", connecting: "○ connecting", offline: "○ offline" }[state];
  badge.className = `live-badge ${state}`;
}

// Reads a form's named fields into an object of strings (checkboxes as booleans).
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    out[el.name] = el.type === "checkbox" ? el.checked : el.value.trim();
  }
  return out;
}
