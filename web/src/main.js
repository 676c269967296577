// The PromptOps dashboard: a small hash-routed page over the public GraphQL API.
//   #/            overview: KPIs vs the previous period with sparklines, open alerts, latest deployments
// The overview's KPIs, a prompt's page and usage & costs refetch (throttled) when the analyticsUpdates
// subscription says the drain stored events of the organization.
//   #/prompts     searchable, sortable prompt list (last 7 days)
//   #/prompts/ID  a prompt: KPIs, charts with version, deployment and alert annotations, versions, the A/B verdict
//   #/alerts      alerts inbox: filter by status, acknowledge and resolve
//   #/usage       usage and costs: budget and plan bars, daily cost, cost by model, the projection
//   #/deployments per-environment timeline, DORA figures, compare two deployments with their verdicts
//   #/channels    notification channels: list, create, edit, delete, send a test; recent deliveries
//   #/security    threat statistics, live security events, blocked addresses, IP reputation lookup
//   #/platform    system health and metrics, endpoint performance, database health (by role)
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { credential, gql, signInWithKey, signInWithPassword, signOut } from "./api.js";
import { MARKERS, lineChart, sparkline } from "./charts.js";
import { closeLive, subscribe } from "./live.js";
import { esc, fmt, fmtDelta, relTime } from "./util.js";
import { bar, failure, kpi, panel, showLiveState } from "./ui.js";
import { channelsPage, platformPage, securityPage } from "./admin.js";

const app = document.getElementById("app");
let viewer = null;
const timers = []; // intervals and timeouts of the page on screen (emptied in place: pages keep the arrays)
const stops = []; // subscriptions of the page on screen

function clearTimers() {
  timers.splice(0).forEach(clearInterval);
  stops.splice(0).forEach((stop) => stop());
}

const ALERT_EVENTS = "subscription { alertEvents { event at alert { id status } } }";

// Re-runs `reload` when an alert of the organization changes (debounced); shows the socket's state.
function onAlertEvents(reload, badge) {
  let pending;
  stops.push(
    subscribe(
      ALERT_EVENTS,
      {},
      () => {
        clearTimeout(pending);
        pending = setTimeout(reload, 200);
      },
      (state) => showLiveState(badge, state),
    ),
  );
}

const ANALYTICS_UPDATES = "subscription { analyticsUpdates { events kinds promptIds promptIdsTruncated } }";
const LIVE_THROTTLE_MS = 10000;

// Returns a trigger that runs `fn` at most once per `ms`: a trigger inside the window runs it once at its end.
function throttled(fn, ms = LIVE_THROTTLE_MS) {
  let last = Date.now(); // the page has just loaded its figures
  let queued = null;
  const trigger = () => {
    if (queued) return;
    queued = setTimeout(() => {
      queued = null;
      last = Date.now();
      fn();
    }, Math.max(300, ms - (Date.now() - last)));
    timers.push(queued);
  };
  trigger.ran = () => (last = Date.now()); // a refresh that happened another way restarts the window
  return trigger;
}

// Calls `onUpdate(update)` for each analyticsUpdates message the page's `wanted(update)` accepts.
function onAnalyticsUpdates(wanted, onUpdate, badge) {
  stops.push(
    subscribe(
      ANALYTICS_UPDATES,
      {},
      (data) => {
        if (wanted(data.analyticsUpdates)) onUpdate(data.analyticsUpdates);
      },
      (state) => showLiveState(badge, state),
    ),
  );
}

window.addEventListener("promptops:signed-out", () => render());
window.addEventListener("hashchange", () => render());

async function render() {
  clearTimers();
  if (!credential()) return renderSignIn();
  if (!viewer) {
    // Opening the overview: its KPI query starts now, alongside the viewer's, not a round trip later.
    if ((location.hash.replace(/^#/, "") || "/") === "/") kpiPrefetch = kpiQuery().then((data) => ({ data }), (error) => ({ error }));
    try {
      viewer = (await gql("query { viewer { role authMethod user { email } organization { name } } }")).viewer;
    } catch (err) {
      viewer = null;
      kpiPrefetch = null;
      return renderSignIn(err.message);
    }
  }
  const route = location.hash.replace(/^#/, "") || "/";
  app.innerHTML = shell(route);
  app.querySelector("#sign-out").addEventListener("click", () => {
    signOut();
    closeLive();
    viewer = null;
    location.hash = "#/";
    render();
  });
  const main = app.querySelector("main");
  const prompt = route.match(/^\/prompts\/(\d+)$/);
  if (prompt) return promptPage(main, Number(prompt[1]));
  if (route === "/prompts") return promptsPage(main);
  if (route.startsWith("/alerts")) return alertsPage(main);
  if (route.startsWith("/deployments")) return deploymentsPage(main);
  if (route.startsWith("/usage")) return usagePage(main);
  const ctx = { viewer, timers, stops };
  if (route.startsWith("/channels")) return channelsPage(main, ctx);
  if (route.startsWith("/security")) return securityPage(main, ctx);
  if (route.startsWith("/platform")) return platformPage(main, ctx);
  return overviewPage(main);
}

function shell(route) {
  const link = (href, label, active) => `<a href="#${href}" class="${active ? "active" : ""}">${label}</a>`;
  const who = viewer.user ? viewer.user.email : `API key (${viewer.role})`;
  return `
    <header class="top">
      <span class="brand">PromptOps</span>
      <nav>
        ${link("/", "Overview", route === "/")}
        ${link("/prompts", "Prompts", route.startsWith("/prompts"))}
        ${link("/alerts", "Alerts", route.startsWith("/alerts"))}
        ${link("/deployments", "Deployments", route.startsWith("/deployments"))}
        ${link("/usage", "Usage & costs", route.startsWith("/usage"))}
        ${link("/channels", "Channels", route.startsWith("/channels"))}
        ${link("/security", "Security", route.startsWith("/security"))}
        ${link("/platform", "Platform", route.startsWith("/platform"))}
      </nav>
      <span class="who">${esc(viewer.organization ? viewer.organization.name : "")} · ${esc(who)}</span>
      <button id="sign-out" class="link">Sign out</button>
    </header>
    <main></main>`;
}

// ------------------------------------------------------------------ sign-in

function renderSignIn(message) {
  app.innerHTML = `
    <div class="signin">
      <h1>PromptOps Analytics</h1>
      <form id="pw-form" class="card">
        <h2>Sign in</h2>
        <label>E-mail <input name="email" type="email" autocomplete="username" required></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
      </form>
      <form id="key-form" class="card">
        <h2>…or use an API key</h2>
        <label>API key <input name="key" type="password" autocomplete="off" required></label>
        <button type="submit">Use key</button>
      </form>
      <p class="error" id="signin-error">${message ? esc(message) : ""}</p>
    </div>`;
  const error = app.querySelector("#signin-error");
  const submit = (form, action) =>
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        await action(new FormData(form));
        viewer = null;
        await render();
      } catch (err) {
        error.textContent = err.message;
      } finally {
        button.disabled = false;
      }
    });
  submit(app.querySelector("#pw-form"), (f) => signInWithPassword(f.get("email"), f.get("password")));
  submit(app.querySelector("#key-form"), (f) => signInWithKey(f.get("key")));
}

// ------------------------------------------------------------------ panels

const kpiQuery = () =>
  gql(`query Overview {
    analyticsSummary(days: 7) {
      kpis { deltas { metric current previous percent higherIsBetter } }
      health { status reasons }
    }
  }`);
let kpiPrefetch = null; // {data} or {error} of the KPI query started with the viewer's (see render)

const KPI_LABELS = {
  executions: ["Executions", "int"],
  success_rate: ["Success rate", "pct"],
  error_rate: ["Error rate", "pct"],
  latency_p95: ["Latency p95", "ms"],
  latency_avg: ["Latency avg", "ms"],
  cost_total: ["Cost", "usd"],
  score_avg: ["Avg score", "num"],
};
// KPI -> the time-series metric behind its sparkline
const SPARK = { executions: "executions", error_rate: "error_rate", latency_p95: "latency_p95", cost_total: "cost_total" };

function overviewPage(main) {
  main.innerHTML = `
    <h1>Overview <small>last 7 days vs the 7 days before</small> <small id="kpis-updated" class="muted"></small> <span class="live-badge" id="kpis-live"></span></h1>
    <section id="kpis" class="kpis"><p class="muted">Loading…</p></section>
    <div class="grid2">
      <section class="card"><h2>Open alerts <span class="live-badge" id="alerts-live"></span><a href="#/alerts" class="more">inbox →</a></h2><div id="open-alerts">Loading…</div></section>
      <section class="card"><h2>Latest deployments <a href="#/deployments" class="more">all →</a></h2><div id="deployments">Loading…</div></section>
    </div>`;
  const kpis = main.querySelector("#kpis");
  let drawn = false;
  const stamp = main.querySelector("#kpis-updated");
  const drawKpis = (el, data) => {
    const s = data.analyticsSummary;
    const shown = s.kpis.deltas.filter((d) => KPI_LABELS[d.metric]);
    if (drawn) {
      // a refresh: new figures in the cards already there (the sparklines stay)
      for (const d of shown) {
        const card = el.querySelector(`.kpi[data-metric="${d.metric}"]`);
        if (!card) continue;
        card.querySelector(".value").textContent = fmt(d.current, KPI_LABELS[d.metric][1]);
        card.querySelector(".delta").innerHTML = fmtDelta(d);
      }
      const health = el.querySelector(".kpi.health");
      if (health) {
        health.className = `kpi card health ${s.health.status}`;
        health.querySelector(".value").textContent = s.health.status;
        health.querySelector(".delta").innerHTML = s.health.reasons.map(esc).join("<br>") || "no issues";
      }
    } else {
      el.innerHTML =
        shown
          .map((d) => {
            const [label, unit] = KPI_LABELS[d.metric];
            return `<div class="kpi card" data-metric="${d.metric}">
              <div class="label">${label}</div>
              <div class="value">${fmt(d.current, unit)}</div>
              <div class="delta">${fmtDelta(d)}</div>
              <div class="spark" data-spark="${SPARK[d.metric] || ""}"></div>
            </div>`;
          })
          .join("") +
        `<div class="kpi card health ${esc(s.health.status)}"><div class="label">Health</div>
           <div class="value">${esc(s.health.status)}</div>
           <div class="delta">${s.health.reasons.map(esc).join("<br>") || "no issues"}</div></div>`;
      drawn = true;
      // the bench (bench/dashboard_paint.py) reads this mark: the overview's figures are on screen
      performance.mark("overview-kpis-rendered");
      loadSparklines(el);
    }
    stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
    stamp.dataset.refreshes = String(Number(stamp.dataset.refreshes || -1) + 1);
  };
  const first = kpiPrefetch;
  kpiPrefetch = null;
  const firstLoad = first
    ? () => first.then((r) => {
        if (r.error) throw r.error;
        return r.data;
      })
    : kpiQuery;
  panel(kpis, firstLoad, (el, data) => drawKpis(el, data)).then(() => {
    if (!drawn) return; // refused (a member) or failed: nothing to keep fresh
    // Live KPIs: refetched (at most every 10 s) when the drain stored prompt events of the organization
    // (analyticsUpdates), a metric point arrived or an alert moved (the health), and every 60 s anyway.
    const refresh = async () => {
      soon.ran();
      try {
        drawKpis(kpis, await kpiQuery());
      } catch {
        stamp.textContent = "refresh failed; retrying";
      }
    };
    const soon = throttled(refresh);
    timers.push(setInterval(refresh, 60000));
    onAnalyticsUpdates((u) => u.kinds.includes("prompt"), soon, main.querySelector("#kpis-live"));
    stops.push(subscribe("subscription { metricUpdates { id } }", {}, soon));
    stops.push(subscribe(ALERT_EVENTS, {}, soon));
  });
  const openAlerts = () => panel(
    main.querySelector("#open-alerts"),
    () => gql(`query { alerts(status: "open", first: 8) { id status severity message ruleName startedAt } }`),
    (el, data) => {
      el.innerHTML = data.alerts.length
        ? `<ul class="list">${data.alerts
            .map(
              (a) => `<li><span class="sev ${esc(a.severity)}">${esc(a.severity)}</span>
                 <span class="grow">${esc(a.ruleName || a.message)}</span>
                 <span class="status">${esc(a.status)}</span><span class="muted">${relTime(a.startedAt)}</span></li>`,
            )
            .join("")}</ul>`
        : `<p class="muted">No open alerts.</p>`;
    },
  );
  openAlerts();
  onAlertEvents(openAlerts, main.querySelector("#alerts-live"));
  panel(
    main.querySelector("#deployments"),
    () =>
      gql(`query { deployments(page: 1, pageSize: 6) {
        items { id name version status createdAt environment { name } } } }`),
    (el, data) => {
      const items = data.deployments.items;
      el.innerHTML = items.length
        ? `<table><thead><tr><th>Deployment</th><th>Env</th><th>Status</th><th>When</th></tr></thead><tbody>${items
            .map(
              (d) => `<tr><td>${esc(d.name)} <span class="muted">${esc(d.version)}</span></td>
                <td>${esc(d.environment.name)}</td><td><span class="pill ${esc(d.status)}">${esc(d.status)}</span></td>
                <td class="muted">${relTime(d.createdAt)}</td></tr>`,
            )
            .join("")}</tbody></table>`
        : `<p class="muted">No deployments reported yet.</p>`;
    },
  );
}

// Sparklines over the 10 busiest prompts (what timeSeries returns without promptIds): counts and
// costs are summed per bucket, rates and latencies weighted by each prompt's executions.
async function loadSparklines(el) {
  const metrics = [...new Set([...el.querySelectorAll("[data-spark]")].map((s) => s.dataset.spark).filter(Boolean))];
  if (!metrics.length) return;
  const fields = ["executions", ...metrics.filter((m) => m !== "executions")]
    .map((m) => `${m}: timeSeries(metricName: "${m}", timeWindow: "7d") { timestamps series { promptId values } }`)
    .join("\n");
  let data;
  try {
    data = await gql(`query Sparklines { ${fields} }`);
  } catch {
    return; // a member cannot read time series: the KPIs stand without sparklines
  }
  const weights = new Map(data.executions.series.map((s) => [s.promptId, s.values]));
  for (const box of el.querySelectorAll("[data-spark]")) {
    const chart = data[box.dataset.spark];
    if (!chart) continue;
    const additive = box.dataset.spark === "executions" || box.dataset.spark === "cost_total";
    const values = chart.timestamps.map((_, i) => {
      let total = 0;
      let weight = 0;
      for (const s of chart.series) {
        const v = s.values[i];
        if (v == null) continue;
        const w = additive ? 1 : (weights.get(s.promptId) || [])[i] || 0;
        total += additive ? v : v * w;
        weight += w;
      }
      return additive ? total : weight ? total / weight : null;
    });
    box.title = "7 days, 10 busiest prompts";
    sparkline(box, chart.timestamps, values);
  }
}

// ------------------------------------------------------------------ prompts

const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name),
  executions: (a, b) => b.analytics.executionCount - a.analytics.executionCount,
  error: (a, b) => (1 - (b.analytics.successRate ?? 1)) - (1 - (a.analytics.successRate ?? 1)),
  latency: (a, b) => (b.analytics.p95LatencyMs ?? -1) - (a.analytics.p95LatencyMs ?? -1),
  cost: (a, b) => b.analytics.totalCostUsd - a.analytics.totalCostUsd,
  last: (a, b) => (b.timestamp || "").localeCompare(a.timestamp || ""),
};

// Every prompt matching the search, page by page (the connection's pages are 100 at most), so the
// sort covers them all; the rows drawn so far are sorted and shown while later pages load.
const PROMPTS_QUERY = `query Prompts($search: String, $since: DateTime, $after: String) {
  prompts(filter: { search: $search }, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name status timestamp
      analytics(periodStart: $since) { executionCount successRate p95LatencyMs totalCostUsd avgScore } } }
  }
}`;

function promptsPage(main) {
  const state = { search: "", sort: "executions", rows: [], total: 0, complete: false };
  main.innerHTML = `
    <h1>Prompts <small>figures of the last 7 days</small></h1>
    <div class="toolbar">
      <input id="search" type="search" placeholder="Search name or text" aria-label="Search prompts">
      <span id="count" class="muted"></span>
    </div>
    <section class="card"><div id="prompts">Loading…</div></section>`;
  const box = main.querySelector("#prompts");
  const since = new Date(Date.now() - 7 * 86400e3).toISOString();
  let generation = 0; // a newer search abandons the pages of an older one
  const load = async () => {
    const mine = ++generation;
    const rows = [];
    let after = null;
    try {
      for (;;) {
        const data = await gql(PROMPTS_QUERY, { search: state.search || null, since, after });
        if (mine !== generation) return;
        const page = data.prompts;
        rows.push(...page.edges.map((e) => e.node));
        Object.assign(state, { rows: [...rows], total: page.totalCount, complete: !page.pageInfo.hasNextPage });
        draw(); // what is here so far, sorted; until the last page the count says more is coming
        if (state.complete) return;
        after = page.pageInfo.endCursor;
      }
    } catch (err) {
      if (mine === generation) box.innerHTML = failure(err);
    }
  };
  const head = (key, label) =>
    `<th><button class="sort ${state.sort === key ? "active" : ""}" data-sort="${key}">${label}</button></th>`;
  const draw = () => {
    const count = main.querySelector("#count");
    count.textContent = state.complete ? `${state.total} prompts` : `${state.rows.length} of ${state.total} loaded…`;
    count.dataset.complete = String(state.complete);
    const rows = [...state.rows].sort(SORTS[state.sort]);
    box.innerHTML = rows.length
      ? `<table class="prompts" data-sort="${state.sort}"><thead><tr>${head("name", "Prompt")}${head("executions", "Executions")}${head(
          "error",
          "Error rate",
        )}${head("latency", "p95 latency")}${head("cost", "Cost")}<th>Score</th>${head("last", "Last run")}</tr></thead>
        <tbody>${rows
          .map((p) => {
            const a = p.analytics;
            return `<tr data-prompt="${p.id}"><td><a href="#/prompts/${p.id}">${esc(p.name)}</a></td><td>${fmt(a.executionCount, "int")}</td>
              <td>${a.successRate == null ? "–" : fmt(1 - a.successRate, "pct")}</td><td>${fmt(a.p95LatencyMs, "ms")}</td>
              <td>${fmt(a.totalCostUsd, "usd")}</td><td>${fmt(a.avgScore, "num")}</td>
              <td class="muted">${relTime(p.timestamp)}</td></tr>`;
          })
          .join("")}</tbody></table>`
      : `<p class="muted">No prompts${state.search ? " match" : " yet"}.</p>`;
    box.querySelectorAll("button.sort").forEach((b) =>
      b.addEventListener("click", () => {
        state.sort = b.dataset.sort;
        draw();
      }),
    );
  };
  let debounce;
  main.querySelector("#search").addEventListener("input", (ev) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      state.search = ev.target.value.trim();
      load();
    }, 250);
  });
  load();
}

const CHARTS = [
  ["latency_p95", "Latency p95", "ms"],
  ["error_rate", "Error rate", "pct"],
  ["cost_total", "Cost", "usd"],
  ["score_avg", "Average score", "num"],
];

const LEGEND = Object.values(MARKERS)
  .map((m) => m.label)
  .join(", ");

const PROMPT_QUERY = `query Prompt($id: ID!) {
  prompt(id: $id) { id name uuid status createdAt
    analytics { executionCount successRate p95LatencyMs avgLatencyMs totalCostUsd avgScore } }
}`;
const REPORT_QUERY = `query Report($pid: Int!) {
  promptReport(promptId: $pid, timeWindow: "30d") {
    executions
    versions { versionHash firstSeenAt executions errorRate latencyP95 costAvg scoreAvg }
    abTest { versionA versionB executionsA executionsB warnings
      score { meanA meanB pValue significant relativeDifferencePct }
      latency { meanA meanB pValue significant relativeDifferencePct }
      successRate { rateA rateB pValue significant } }
    abTestUnavailableReason
  }
}`;

function promptKpis(a) {
  return `${kpi("Executions (all time)", fmt(a.executionCount, "int"))}
    ${kpi("Error rate", a.successRate == null ? "–" : fmt(1 - a.successRate, "pct"))}
    ${kpi("Latency p95", fmt(a.p95LatencyMs, "ms"))}
    ${kpi("Cost", fmt(a.totalCostUsd, "usd"))}
    ${kpi("Avg score", fmt(a.avgScore, "num"))}`;
}

function promptPage(main, id) {
  main.innerHTML = `<p class="muted">Loading…</p>`;
  // the report and charts need the admin role, the prompt itself does not: they are panels of their own
  const reportQuery = () => gql(REPORT_QUERY, { pid: id }).then((data) => data.promptReport);
  const firstReport = reportQuery();
  firstReport.catch(() => {}); // shown by its panels below
  panel(
    main,
    () => gql(PROMPT_QUERY, { id: String(id) }),
    (el, data) => {
      const p = data.prompt;
      el.innerHTML = `
        <p><a href="#/prompts">← Prompts</a></p>
        <h1 id="prompt-name">${esc(p.name)} <small>${esc(p.uuid)}</small>
          <small id="prompt-updated" class="muted"></small> <span class="live-badge" id="prompt-live"></span></h1>
        <section class="kpis" id="prompt-kpis">${promptKpis(p.analytics)}</section>
        <div class="toolbar"><label>Window <select id="window">
          <option value="24h">24 hours</option><option value="7d" selected>7 days</option><option value="30d">30 days</option>
        </select></label><span class="muted">Markers: ${esc(LEGEND)} (each chart's legend counts its own)</span></div>
        <div class="grid2" id="charts">${CHARTS.map(
          ([m, label]) => `<section class="card"><h2>${label}</h2><div class="chart" data-metric="${m}"></div></section>`,
        ).join("")}</div>
        <section class="card"><h2>Versions <small>last 30 days</small></h2><div id="versions">Loading…</div></section>
        <section class="card" id="ab"><h2>A/B verdict</h2><div id="ab-verdict">Loading…</div></section>`;
      const loadReport = (report) => {
        panel(el.querySelector("#versions"), () => report, (box, r) => (box.innerHTML = versionsTable(r.versions)));
        panel(el.querySelector("#ab-verdict"), () => report, (box, r) => (box.innerHTML = abVerdict(r)));
      };
      loadReport(firstReport);
      const charts = el.querySelector("#charts");
      const load = () => loadCharts(charts, id, el.querySelector("#window").value);
      el.querySelector("#window").addEventListener("change", load);
      load();
      // live: this prompt's new executions refetch its figures, report and charts (at most every 10 s)
      const stamp = el.querySelector("#prompt-updated");
      const refresh = async () => {
        try {
          const fresh = await gql(PROMPT_QUERY, { id: String(id) });
          el.querySelector("#prompt-kpis").innerHTML = promptKpis(fresh.prompt.analytics);
        } catch {
          stamp.textContent = "refresh failed; retrying";
          return;
        }
        if (!charts.querySelector(".needs-role")) {
          const report = reportQuery();
          report.catch(() => {});
          loadReport(report);
          load();
        }
        stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
        stamp.dataset.refreshes = String(Number(stamp.dataset.refreshes || 0) + 1);
      };
      onAnalyticsUpdates(
        (u) => u.kinds.includes("prompt") && (u.promptIdsTruncated || u.promptIds.includes(id)),
        throttled(refresh),
        el.querySelector("#prompt-live"),
      );
    },
  );
}

function versionsTable(versions) {
  if (!versions.length) return `<p class="muted">No executions in the window.</p>`;
  return `<table><thead><tr><th>Version</th><th>First seen</th><th>Executions</th><th>Error rate</th><th>p95</th>
    <th>Avg cost</th><th>Avg score</th></tr></thead><tbody>${versions
      .map(
        (v) => `<tr><td><code>${esc(v.versionHash)}</code></td><td class="muted">${relTime(v.firstSeenAt)}</td>
          <td>${fmt(v.executions, "int")}</td><td>${fmt(v.errorRate, "pct")}</td><td>${fmt(v.latencyP95, "ms")}</td>
          <td>${fmt(v.costAvg, "usd")}</td><td>${fmt(v.scoreAvg, "num")}</td></tr>`,
      )
      .join("")}</tbody></table>`;
}

function abVerdict(r) {
  const t = r.abTest;
  if (!t) return `<p class="muted">${esc(r.abTestUnavailableReason || "Not enough data for a comparison.")}</p>`;
  const row = (label, test, unit, meanA, meanB) => {
    if (!test) return `<tr><td>${label}</td><td colspan="4" class="muted">not measured</td></tr>`;
    const verdict = test.significant ? `<strong>significant</strong>` : `no significant difference`;
    return `<tr><td>${label}</td><td>${fmt(meanA, unit)}</td><td>${fmt(meanB, unit)}</td>
      <td>p = ${test.pValue.toFixed(4)}</td><td>${verdict}</td></tr>`;
  };
  return `<p><code>${esc(t.versionA)}</code> (${t.executionsA} runs) vs <code>${esc(t.versionB)}</code> (${t.executionsB} runs)</p>
    <table><thead><tr><th></th><th>A</th><th>B</th><th>p-value</th><th>Verdict</th></tr></thead><tbody>
    ${row("Score", t.score, "num", t.score && t.score.meanA, t.score && t.score.meanB)}
    ${row("Latency", t.latency, "ms", t.latency && t.latency.meanA, t.latency && t.latency.meanB)}
    ${row("Success rate", t.successRate, "pct", t.successRate && t.successRate.rateA, t.successRate && t.successRate.rateB)}
    </tbody></table>${t.warnings.map((w) => `<p class="muted">${esc(w)}</p>`).join("")}`;
}

async function loadCharts(container, id, window) {
  const fields = CHARTS.map(
    ([m]) => `${m}: timeSeries(metricName: "${m}", timeWindow: $w, promptIds: [$id]) {
      timestamps series { values } annotations { type at label severity } }`,
  ).join("\n");
  let data;
  try {
    data = await gql(`query Charts($id: Int!, $w: String!) { ${fields} }`, { id, w: window });
  } catch (err) {
    if (err.code === "FORBIDDEN") {
      // a member: one "needs role" box in place of the charts, not four refusals
      container.innerHTML = `<section class="card"><h2>Charts</h2>${failure(err)}</section>`;
      container.previousElementSibling.hidden = true; // the window picker and marker key: nothing to pick
    } else {
      container.querySelectorAll(".chart").forEach((c) => (c.innerHTML = failure(err)));
    }
    return;
  }
  for (const [metric, label, unit] of CHARTS) {
    const box = container.querySelector(`[data-metric="${metric}"]`);
    const chart = data[metric];
    const values = chart.series.length ? chart.series[0].values : chart.timestamps.map(() => null);
    lineChart(box, chart.timestamps, values, { label, unit, annotations: chart.annotations });
  }
}

// ------------------------------------------------------------------ alerts

const ALERT_TABS = [
  ["firing", "Firing"],
  ["acknowledged", "Acknowledged"],
  ["pending", "Pending"],
  ["resolved", "Resolved"],
];

function alertsPage(main) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const status = params.get("status") || "firing";
  const severity = params.get("severity") || "";
  main.innerHTML = `
    <h1>Alerts <span class="live-badge" id="alerts-live"></span></h1>
    <div class="toolbar">
      <div class="tabs">${ALERT_TABS.map(
        ([s, label]) => `<a href="#/alerts?status=${s}${severity ? `&severity=${severity}` : ""}" data-tab="${s}"
           class="${s === status ? "active" : ""}">${label} <span class="count" data-count="${s}"></span></a>`,
      ).join("")}</div>
      <label>Severity <select id="severity">
        ${["", "critical", "warning", "info"].map((s) => `<option value="${s}" ${s === severity ? "selected" : ""}>${s || "any"}</option>`).join("")}
      </select></label>
    </div>
    <section class="card"><div id="alerts">Loading…</div></section>
    <section class="card"><h2>Rules</h2><div id="rules">Loading…</div>
      <form id="new-rule" class="inline-form">
        <input name="name" placeholder="Name" required maxlength="200">
        <input name="metric" placeholder="Metric (e.g. error_rate)" required maxlength="200">
        <select name="comparison"><option>gt</option><option>gte</option><option>lt</option><option>lte</option></select>
        <input name="threshold" type="number" step="any" placeholder="Threshold" required>
        <input name="windowMinutes" type="number" min="1" placeholder="Window (min)">
        <select name="severity"><option>warning</option><option>critical</option><option>info</option></select>
        <button type="submit">Add rule</button>
      </form><p class="error" id="rule-error"></p><div id="rule-editor-box"></div></section>`;
  rulesPanel(main);
  main.querySelector("#severity").addEventListener("change", (ev) => {
    location.hash = `#/alerts?status=${status}${ev.target.value ? `&severity=${ev.target.value}` : ""}`;
  });
  const box = main.querySelector("#alerts");
  const load = () =>
    panel(
      box,
      () =>
        gql(
          `query Alerts($sev: String) {
            ${ALERT_TABS.map(([s]) => `${s}: alerts(status: "${s}", severity: $sev, first: 100) { id status severity message ruleName entity value threshold startedAt acknowledgedAt resolvedAt note }`).join("\n")}
          }`,
          { sev: severity || null },
        ),
      (el, data) => {
        for (const [s] of ALERT_TABS) main.querySelector(`[data-count="${s}"]`).textContent = data[s].length;
        const list = data[status];
        el.innerHTML = list.length
          ? `<ul class="list alerts">${list.map(alertRow).join("")}</ul>`
          : `<p class="muted">No ${status} alerts.</p>`;
        el.querySelectorAll("button[data-action]").forEach((b) =>
          b.addEventListener("click", async () => {
            b.disabled = true;
            const mutation = b.dataset.action === "ack" ? "acknowledgeAlert" : "resolveAlert";
            try {
              await gql(`mutation($id: Int!) { ${mutation}(id: $id) { id status } }`, { id: Number(b.dataset.id) });
              load();
            } catch (err) {
              b.disabled = false;
              b.closest("li").insertAdjacentHTML("beforeend", `<p class="error">${esc(err.message)}</p>`);
            }
          }),
        );
      },
    );
  load();
  onAlertEvents(load, main.querySelector("#alerts-live")); // new and changed alerts show at once
  timers.push(setInterval(load, 60000)); // and a slow poll in case the socket is down
}

// ------------------------------------------------------------------ usage and costs

function usagePage(main) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const period = params.get("period") === "last_30_days" ? "last_30_days" : "current";
  main.innerHTML = `
    <h1>Usage &amp; costs <small id="usage-updated" class="muted"></small> <span class="live-badge" id="usage-live"></span></h1>
    <div class="toolbar"><label>Period <select id="period">
      <option value="current" ${period === "current" ? "selected" : ""}>current billing period</option>
      <option value="last_30_days" ${period === "last_30_days" ? "selected" : ""}>last 30 days</option>
    </select></label></div>
    <div id="usage">Loading…</div>`;
  main.querySelector("#period").addEventListener("change", (ev) => (location.hash = `#/usage?period=${ev.target.value}`));
  const stamp = main.querySelector("#usage-updated");
  let loads = 0;
  const load = () => panel(
    main.querySelector("#usage"),
    () =>
      gql(
        `query Usage($p: String!) { usage(period: $p) {
          aggregate { planName periodStart periodEnd
            budget { budgetUsd spentUsd percent status }
            resources { resourceType unit used limit percent status costUsd }
            totals { requests errors inputTokens outputTokens costUsd } }
          costs { totalUsd requests byDay { date costUsd requests }
            byModel { model provider requests inputTokens outputTokens costUsd sharePercent latencyP95Ms }
            projection { method dailyRateUsd projectedTotalUsd budgetUsd projectedPercentOfBudget projectedStatus budgetExhaustedOn } } } }`,
        { p: period },
      ),
    (el, data) => {
      const { aggregate: a, costs: c } = data.usage;
      const p = c.projection;
      el.innerHTML = `
        <section class="kpis">
          ${kpi("Cost", fmt(c.totalUsd, "usd"))}
          ${kpi("Requests", fmt(c.requests, "int"))}
          ${kpi("Tokens in / out", `${fmt(a.totals.inputTokens, "int")} / ${fmt(a.totals.outputTokens, "int")}`)}
          ${kpi("Projected period total", fmt(p.projectedTotalUsd, "usd"))}
        </section>
        <div class="grid2">
          <section class="card" id="budget"><h2>Budget <small>plan ${esc(a.planName)}</small></h2>
            ${a.budget.budgetUsd == null
              ? `<p class="muted">No budget set: ${fmt(a.budget.spentUsd, "usd")} spent.</p>`
              : `<p>${fmt(a.budget.spentUsd, "usd")} of ${fmt(a.budget.budgetUsd, "usd")} (${fmt(a.budget.percent, "num")}%)</p>${bar(a.budget.percent, a.budget.status)}`}
            <p class="muted" id="projection">Projection (${esc(p.method)}): ${fmt(p.dailyRateUsd, "usd")}/day →
              ${fmt(p.projectedTotalUsd, "usd")}${p.projectedPercentOfBudget != null ? ` (${fmt(p.projectedPercentOfBudget, "num")}% of budget)` : ""}
              · ${esc(p.projectedStatus)}${p.budgetExhaustedOn ? ` · budget exhausted on ${esc(p.budgetExhaustedOn)}` : ""}</p>
            <h2>Plan limits</h2>
            ${a.resources
              .map(
                (r) => `<div class="resource"><div>${esc(r.resourceType)} <span class="muted">${fmt(r.used, "num")} ${esc(r.unit)}${r.limit != null ? ` of ${fmt(r.limit, "num")}` : " (no limit)"}</span></div>
                  ${r.limit != null ? bar(r.percent, r.status) : ""}</div>`,
              )
              .join("")}
          </section>
          <section class="card"><h2>Daily cost</h2><div class="chart" id="daily"></div></section>
        </div>
        <section class="card"><h2>Cost by model</h2>${c.byModel.length
          ? `<table id="by-model"><thead><tr><th>Model</th><th>Provider</th><th>Requests</th><th>Tokens in</th><th>Tokens out</th>
              <th>p95</th><th>Cost</th><th>Share</th></tr></thead><tbody>${c.byModel
                .map(
                  (m) => `<tr><td>${esc(m.model)}</td><td>${esc(m.provider)}</td><td>${fmt(m.requests, "int")}</td>
                    <td>${fmt(m.inputTokens, "int")}</td><td>${fmt(m.outputTokens, "int")}</td><td>${fmt(m.latencyP95Ms, "ms")}</td>
                    <td>${fmt(m.costUsd, "usd")}</td><td>${bar(m.sharePercent)}</td></tr>`,
                )
                .join("")}</tbody></table>`
          : `<p class="muted">No LLM usage in this period.</p>`}</section>`;
      lineChart(
        el.querySelector("#daily"),
        c.byDay.map((d) => `${d.date}T00:00:00Z`),
        c.byDay.map((d) => d.costUsd),
        { label: "Cost", unit: "usd" },
      );
      if (loads++) stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
      stamp.dataset.refreshes = String(loads - 1);
    },
  );
  load();
  // live: usage events, tool calls and prompt runs the drain stored refetch the figures (at most every 10 s)
  onAnalyticsUpdates(() => true, throttled(load), main.querySelector("#usage-live"));
}

// ------------------------------------------------------------------ deployments

const DORA = [
  ["Deployment frequency", (d) => `${fmt(d.deploymentFrequency.perDay, "num")}/day`, (d) => d.deploymentFrequency.band],
  ["Lead time for changes", (d) => duration(d.leadTimeForChanges.medianSeconds), (d) => d.leadTimeForChanges.band],
  ["Change failure rate", (d) => (d.changeFailureRate.rate == null ? "–" : `${fmt(d.changeFailureRate.rate, "num")}%`), (d) => d.changeFailureRate.band],
  ["Time to restore", (d) => duration(d.timeToRestore.medianSeconds), (d) => d.timeToRestore.band],
];

function duration(seconds) {
  if (seconds == null) return "–";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

function deploymentsPage(main) {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const env = params.get("env") || "";
  const picked = [];
  main.innerHTML = `
    <h1>Deployments <small>last 30 days</small> <small id="deployments-shown" class="muted"></small></h1>
    <div class="toolbar"><label>Environment <select id="env"><option value="">all</option></select></label>
      <button id="compare" disabled>Compare selected (0/2)</button></div>
    <section class="kpis" id="dora"></section>
    <section class="card" id="comparison" hidden></section>
    <section class="card"><div id="timeline">Loading…</div></section>`;
  const select = main.querySelector("#env");
  select.addEventListener("change", () => (location.hash = `#/deployments${select.value ? `?env=${select.value}` : ""}`));
  const compare = main.querySelector("#compare");
  panel(
    main.querySelector("#timeline"),
    () =>
      gql(
        `query Deployments($env: ID) {
          environments { id name kind }
          deployments(environmentId: $env, page: 1, pageSize: 100) {
            items { id name version status createdAt finishedAt durationSeconds environment { id name kind } }
            pagination { totalItems } }
          deploymentMetrics(environmentId: $env, days: 30) { total { deployments successRate dora {
            deploymentFrequency { perDay band } leadTimeForChanges { medianSeconds band }
            changeFailureRate { rate band } timeToRestore { medianSeconds band } } } }
        }`,
        { env: env || null },
      ),
    (el, data) => {
      select.innerHTML += data.environments
        .map((e) => `<option value="${e.id}" ${String(e.id) === env ? "selected" : ""}>${esc(e.name)}</option>`)
        .join("");
      const dora = data.deploymentMetrics.total.dora;
      main.querySelector("#dora").innerHTML = DORA.map(
        ([label, value, band]) => `<div class="kpi card"><div class="label">${label}</div>
          <div class="value">${value(dora)}</div><div class="delta muted">${esc(band(dora) || "no band")}</div></div>`,
      ).join("");
      // the timeline shows the last 30 days, like the DORA figures (the query is newest first)
      const since = Date.now() - 30 * 86400e3;
      const recent = data.deployments.items.filter((d) => new Date(d.createdAt).getTime() >= since);
      const full = data.deployments.items.length === 100 && recent.length === 100;
      main.querySelector("#deployments-shown").textContent = full ? "(the latest 100)" : "";
      const byEnv = new Map();
      for (const d of recent) {
        if (!byEnv.has(d.environment.name)) byEnv.set(d.environment.name, []);
        byEnv.get(d.environment.name).push(d);
      }
      el.innerHTML = byEnv.size
        ? [...byEnv]
            .map(
              ([name, items]) => `<h2>${esc(name)}</h2><ol class="timeline">${items
                .map(
                  (d) => `<li><label><input type="checkbox" data-deployment="${d.id}">
                    <span class="pill ${esc(d.status)}">${esc(d.status)}</span>
                    <strong>${esc(d.name)}</strong> <code>${esc(d.version)}</code></label>
                    <span class="muted">${relTime(d.createdAt)}${d.durationSeconds != null ? ` · took ${duration(d.durationSeconds)}` : ""}</span></li>`,
                )
                .join("")}</ol>`,
            )
            .join("")
        : `<p class="muted">No deployments in the last 30 days${data.deployments.pagination.totalItems ? " (older ones are not shown)" : ""}.</p>`;
      el.querySelectorAll("input[data-deployment]").forEach((box) =>
        box.addEventListener("change", () => {
          const id = box.dataset.deployment;
          if (box.checked) picked.push(id);
          else picked.splice(picked.indexOf(id), 1);
          while (picked.length > 2) {
            const dropped = picked.shift();
            el.querySelector(`input[data-deployment="${dropped}"]`).checked = false;
          }
          compare.disabled = picked.length !== 2;
          compare.textContent = `Compare selected (${picked.length}/2)`;
        }),
      );
    },
  );
  compare.addEventListener("click", () => {
    const out = main.querySelector("#comparison");
    out.hidden = false;
    out.innerHTML = "Comparing…";
    // the one picked first is the baseline
    panel(
      out,
      () =>
        gql(
          `query Compare($a: ID!, $b: ID!) { deploymentComparison(deploymentId1: $a, deploymentId2: $b) {
            baseline { deployment { name version } unavailableReason }
            candidate { deployment { name version } unavailableReason }
            overallVerdict overallReason
            verdicts { metric verdict baseline candidate changePct pValue threshold reason } } }`,
          { a: picked[0], b: picked[1] },
        ),
      (el, data) => {
        const c = data.deploymentComparison;
        const side = (s) => `${esc(s.deployment.name)} <code>${esc(s.deployment.version)}</code>${s.unavailableReason ? ` <span class="muted">(${esc(s.unavailableReason)})</span>` : ""}`;
        el.innerHTML = `<h2>Comparison</h2>
          <p>Baseline ${side(c.baseline)} → candidate ${side(c.candidate)}</p>
          <p class="verdict"><span class="pill ${esc(c.overallVerdict)}" id="overall-verdict">${esc(c.overallVerdict)}</span> ${esc(c.overallReason)}</p>
          <table><thead><tr><th>Metric</th><th>Baseline</th><th>Candidate</th><th>Change</th><th>p-value</th><th>Verdict</th><th>Why</th></tr></thead>
          <tbody>${c.verdicts
            .map(
              (v) => `<tr><td>${esc(v.metric)}</td><td>${fmt(v.baseline, "num")}</td><td>${fmt(v.candidate, "num")}</td>
                <td>${v.changePct == null ? "–" : `${v.changePct.toFixed(1)}%`}</td>
                <td>${v.pValue == null ? "–" : v.pValue.toFixed(4)}</td><td>${esc(v.verdict)}</td>
                <td class="muted">${esc(v.reason)}</td></tr>`,
            )
            .join("")}</tbody></table>`;
      },
    );
  });
}

const RULE_FIELDS = `id name metric builtin aggregation comparison threshold warningThreshold windowMinutes pendingMinutes
  severity scope { promptId versionHash tags perEntity } channelIds enabled renotifyMinutes state openAlerts`;
const COMPARISONS = ["gt", "gte", "lt", "lte", "eq", "ne"];
const AGGREGATIONS = ["", "avg", "sum", "count", "min", "max", "p50", "p95", "p99", "rate"];
const SEVERITIES = ["info", "warning", "critical"];

const options = (values, selected, label = (v) => v) =>
  values.map((v) => `<option value="${esc(v)}" ${v === (selected ?? "") ? "selected" : ""}>${esc(label(v))}</option>`).join("");

// The editor of one rule: every field of AlertRulePatch; only the fields changed are sent.
function ruleEditor(rule, channels) {
  const sc = rule.scope || {};
  const num = (v) => (v == null ? "" : String(v));
  return `<form id="rule-editor" class="card editor" data-rule="${rule.id}">
    <h2>Edit rule <small>#${rule.id}${rule.builtin ? " · built-in metric" : " · recorded metric"}</small></h2>
    <div class="fields">
      <label>Name <input name="name" value="${esc(rule.name)}" required maxlength="200"></label>
      <label>Metric <input name="metric" value="${esc(rule.metric)}" required maxlength="200"></label>
      <label>Aggregation <select name="aggregation">${options(AGGREGATIONS, rule.aggregation, (v) => v || "none (built-in)")}</select></label>
      <label>Comparison <select name="comparison">${options(COMPARISONS, rule.comparison)}</select></label>
      <label>Threshold <input name="threshold" type="number" step="any" value="${num(rule.threshold)}" required></label>
      <label>Warning threshold <input name="warningThreshold" type="number" step="any" value="${num(rule.warningThreshold)}" placeholder="none"></label>
      <label>Window (min) <input name="windowMinutes" type="number" min="1" value="${num(rule.windowMinutes)}" required></label>
      <label>Pending (min) <input name="pendingMinutes" type="number" min="0" value="${num(rule.pendingMinutes)}" required></label>
      <label>Severity <select name="severity">${options(SEVERITIES, rule.severity)}</select></label>
      <label>Re-notify every (min) <input name="renotifyMinutes" type="number" min="1" value="${num(rule.renotifyMinutes)}" placeholder="never"></label>
      <label>Scope: prompt id <input name="scope.promptId" value="${esc(num(sc.promptId))}" placeholder="all prompts"></label>
      <label>Scope: version <input name="scope.versionHash" value="${esc(sc.versionHash || "")}" placeholder="all versions"></label>
      <label>Scope: tags (JSON) <input name="scope.tags" value="${esc(sc.tags ? JSON.stringify(sc.tags) : "")}" placeholder='{"env": "prod"}'></label>
      <label>Fire per <select name="scope.perEntity">${options(["", "prompt", "version"], sc.perEntity, (v) => v || "rule (one alert)")}</select></label>
      <label class="check"><input type="checkbox" name="enabled" ${rule.enabled ? "checked" : ""}> Enabled</label>
    </div>
    <fieldset class="channels"><legend>Notify channels</legend>${
      channels == null
        ? `<span class="muted">Channels could not be read.</span>`
        : channels.length
          ? channels
              .map(
                (c) => `<label class="check"><input type="checkbox" name="channel" value="${c.id}" ${rule.channelIds.includes(c.id) ? "checked" : ""}>
                  ${esc(c.name)} <span class="muted">${esc(c.type)}</span></label>`,
              )
              .join("")
          : `<span class="muted">No channels yet: <a href="#/channels">add one</a>.</span>`
    }</fieldset>
    <div class="actions"><button type="submit">Save rule</button> <button type="button" class="secondary" data-cancel>Cancel</button>
      <span class="error" id="rule-edit-error"></span></div>
  </form>`;
}

// What the editor's form changes of `rule`, as an AlertRulePatch (null clears an optional field).
function rulePatch(form, rule) {
  const f = new FormData(form);
  const text = (name) => String(f.get(name) ?? "").trim();
  const optNum = (name) => (text(name) === "" ? null : Number(text(name)));
  const patch = {};
  const set = (key, value, was) => {
    if (JSON.stringify(value) !== JSON.stringify(was ?? null)) patch[key] = value;
  };
  set("name", text("name"), rule.name);
  set("metric", text("metric"), rule.metric);
  set("aggregation", text("aggregation") || null, rule.aggregation);
  set("comparison", text("comparison"), rule.comparison);
  set("threshold", Number(text("threshold")), rule.threshold);
  set("warningThreshold", optNum("warningThreshold"), rule.warningThreshold);
  set("windowMinutes", Number(text("windowMinutes")), rule.windowMinutes);
  set("pendingMinutes", Number(text("pendingMinutes")), rule.pendingMinutes);
  set("severity", text("severity"), rule.severity);
  set("renotifyMinutes", optNum("renotifyMinutes"), rule.renotifyMinutes);
  set("enabled", form.querySelector("[name=enabled]").checked, rule.enabled);
  if (form.querySelector("fieldset.channels input")) {
    const picked = [...form.querySelectorAll("input[name=channel]:checked")].map((b) => Number(b.value));
    set("channelIds", picked, rule.channelIds);
  }
  let tags = null;
  if (text("scope.tags")) {
    try {
      tags = JSON.parse(text("scope.tags"));
    } catch {
      throw new Error('scope tags: not JSON (write e.g. {"env": "prod"})');
    }
  }
  const sc = rule.scope || {};
  const scope = {
    promptId: text("scope.promptId") || null,
    versionHash: text("scope.versionHash") || null,
    tags,
    perEntity: text("scope.perEntity") || null,
  };
  const wasScope = {
    promptId: sc.promptId == null ? null : String(sc.promptId),
    versionHash: sc.versionHash ?? null,
    tags: sc.tags ?? null,
    perEntity: sc.perEntity ?? null,
  };
  if (JSON.stringify(scope) !== JSON.stringify(wasScope)) patch.scope = scope;
  return patch;
}

function rulesPanel(main) {
  const box = main.querySelector("#rules");
  const editorBox = main.querySelector("#rule-editor-box");
  let rules = [];
  let channels = null;
  const openEditor = (id) => {
    const rule = rules.find((r) => r.id === id);
    if (!rule) return;
    editorBox.innerHTML = ruleEditor(rule, channels);
    const form = editorBox.querySelector("form");
    form.querySelector("[data-cancel]").addEventListener("click", () => (editorBox.innerHTML = ""));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const error = form.querySelector("#rule-edit-error");
      error.textContent = "";
      try {
        const patch = rulePatch(form, rule);
        if (Object.keys(patch).length) {
          await gql(`mutation($id: Int!, $p: AlertRulePatch!) { updateAlertRule(id: $id, input: $p) { id } }`, {
            id: rule.id,
            p: patch,
          });
        }
        editorBox.innerHTML = "";
        load();
      } catch (err) {
        error.textContent = err.message;
      }
    });
    form.scrollIntoView({ block: "nearest" });
  };
  const load = () =>
    panel(
      box,
      async () => {
        const data = await gql(`query { alertRules { ${RULE_FIELDS} } }`);
        try {
          channels = (await gql(`query { notificationChannels { id name type } }`)).notificationChannels;
        } catch {
          channels = null;
        }
        return data;
      },
      (el, data) => {
        rules = data.alertRules;
        el.innerHTML = rules.length
          ? `<table id="rule-table"><thead><tr><th>Rule</th><th>Condition</th><th>Severity</th><th>State</th><th>Open</th><th>Enabled</th><th></th></tr></thead>
            <tbody>${rules
              .map(
                (r) => `<tr data-rule="${r.id}"><td>${esc(r.name)}</td>
                  <td><code>${esc(r.aggregation || "")} ${esc(r.metric)} ${esc(r.comparison)} ${fmt(r.threshold, "num")}</code>
                    <span class="muted">over ${r.windowMinutes} min${r.warningThreshold != null ? ` · warn at ${fmt(r.warningThreshold, "num")}` : ""}</span></td>
                  <td>${esc(r.severity)}</td><td>${esc(r.state)}</td><td>${r.openAlerts}</td>
                  <td><input type="checkbox" data-toggle="${r.id}" ${r.enabled ? "checked" : ""} aria-label="enabled"></td>
                  <td class="row-actions"><button class="secondary" data-edit="${r.id}">Edit</button>
                    <button class="danger" data-delete="${r.id}">Delete</button></td></tr>`,
              )
              .join("")}</tbody></table>`
          : `<p class="muted">No rules yet.</p>`;
        el.querySelectorAll("button[data-edit]").forEach((b) =>
          b.addEventListener("click", () => openEditor(Number(b.dataset.edit))),
        );
        // delete asks once more in place (no window.confirm: it blocks the page)
        el.querySelectorAll("button[data-delete]").forEach((b) =>
          b.addEventListener("click", async () => {
            if (!b.dataset.armed) {
              b.dataset.armed = "1";
              b.textContent = "Confirm delete";
              return;
            }
            b.disabled = true;
            try {
              await gql(`mutation($id: Int!) { deleteAlertRule(id: $id) }`, { id: Number(b.dataset.delete) });
              if (editorBox.querySelector(`form[data-rule="${b.dataset.delete}"]`)) editorBox.innerHTML = "";
              load();
            } catch (err) {
              b.disabled = false;
              main.querySelector("#rule-error").textContent = err.message;
            }
          }),
        );
        el.querySelectorAll("input[data-toggle]").forEach((box) =>
          box.addEventListener("change", async () => {
            box.disabled = true;
            try {
              await gql(`mutation($id: Int!, $on: Boolean!) { updateAlertRule(id: $id, input: { enabled: $on }) { id enabled } }`, {
                id: Number(box.dataset.toggle),
                on: box.checked,
              });
            } catch (err) {
              box.checked = !box.checked;
              main.querySelector("#rule-error").textContent = err.message;
            } finally {
              box.disabled = false;
            }
          }),
        );
      },
    );
  const form = main.querySelector("#new-rule");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const input = {
      name: f.get("name"),
      metric: f.get("metric"),
      comparison: f.get("comparison"),
      threshold: Number(f.get("threshold")),
      severity: f.get("severity"),
      ...(f.get("windowMinutes") ? { windowMinutes: Number(f.get("windowMinutes")) } : {}),
    };
    main.querySelector("#rule-error").textContent = "";
    try {
      await gql(`mutation($i: AlertRuleInput!) { createAlertRule(input: $i) { id } }`, { i: input });
      form.reset();
      load();
    } catch (err) {
      main.querySelector("#rule-error").textContent = err.message;
    }
  });
  load();
}

function alertRow(a) {
  const actions = [];
  if (a.status === "firing") actions.push(`<button data-action="ack" data-id="${a.id}">Acknowledge</button>`);
  if (a.status !== "resolved") actions.push(`<button data-action="resolve" data-id="${a.id}" class="secondary">Resolve</button>`);
  const figures = a.value != null ? ` · value ${fmt(a.value, "num")} vs ${fmt(a.threshold, "num")}` : "";
  return `<li data-alert="${a.id}">
    <span class="sev ${esc(a.severity)}">${esc(a.severity)}</span>
    <div class="grow"><div>${esc(a.ruleName || "Alert")} ${a.entity ? `<span class="muted">${esc(a.entity)}</span>` : ""}</div>
      <div class="muted">${esc(a.message)}${figures} · started ${relTime(a.startedAt)}</div></div>
    <span class="status">${esc(a.status)}</span>${actions.join("")}</li>`;
}

render();
