// The operator pages: notification channels, security, platform.  Each panel asks only what the
// signed-in role may read (the roles are the GraphQL schema's permission classes) and draws a
// "needs role" state for the rest, so a member sees the page work rather than a wall of errors.
import { gql } from "./api.js";
import { lineChart } from "./charts.js";
import { subscribe } from "./live.js";
import { formValues, hasRole, kpi, needsRole, panel, showLiveState } from "./ui.js";
import { esc, fmt, relTime } from "./util.js";

const bytes = (n) => {
  if (n == null) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
};

// ------------------------------------------------------------------ notification channels

const DELIVERY_FIELDS = `id channelId kind status attempts maxAttempts httpStatus smtpReply latencyMs error alertId createdAt deliveredAt`;

function target(c) {
  if (c.type === "email") return `to ${(c.config.to || []).join(", ")}${c.config.host ? ` via ${c.config.host}` : ""}`;
  return c.config.url || "";
}

function outcome(d) {
  const answer = d.httpStatus != null ? `HTTP ${d.httpStatus}` : d.smtpReply ? `SMTP ${d.smtpReply}` : "";
  return [answer, d.latencyMs != null ? fmt(d.latencyMs, "ms") : "", d.error || ""].filter(Boolean).join(" · ");
}

// A channel form: create (no channel) or edit (a channel; blank secret/password keep the stored ones).
function channelForm(c) {
  const cfg = (c && c.config) || {};
  const type = c ? c.type : "webhook";
  const check = (name, on, label) => `<label class="check"><input type="checkbox" name="${name}" ${on ? "checked" : ""}> ${label}</label>`;
  return `<form class="card editor" id="${c ? "edit-channel" : "new-channel"}" ${c ? `data-channel="${c.id}"` : ""}>
    <h2>${c ? `Edit channel <small>#${c.id}</small>` : "New channel"}</h2>
    <div class="fields">
      <label>Name <input name="name" value="${esc(c ? c.name : "")}" required maxlength="200"></label>
      <label>Type <select name="type">${["webhook", "slack", "email"]
        .map((t) => `<option ${t === type ? "selected" : ""}>${t}</option>`)
        .join("")}</select></label>
      <label data-for="webhook slack">URL <input name="url" value="${esc(cfg.url || "")}" maxlength="2048" placeholder="https://…"></label>
      <label data-for="webhook slack">Signing secret <input name="secret" type="password" autocomplete="off"
        placeholder="${c && c.secretSet ? "set (blank keeps it)" : "optional, 8+ characters"}"></label>
      <label data-for="email">To (comma-separated) <input name="to" value="${esc((cfg.to || []).join(", "))}"></label>
      <label data-for="email">From <input name="from" value="${esc(cfg.from || "")}" placeholder="server default"></label>
      <label data-for="email">SMTP host <input name="host" value="${esc(cfg.host || "")}" placeholder="server default"></label>
      <label data-for="email">SMTP port <input name="port" type="number" min="1" max="65535" value="${esc(cfg.port ?? "")}"></label>
      <label data-for="email">SMTP user <input name="username" value="${esc(cfg.username || "")}" autocomplete="off"></label>
      <label data-for="email">SMTP password <input name="password" type="password" autocomplete="off"
        placeholder="${cfg.password_set ? "set (blank keeps it)" : ""}"></label>
      <span data-for="email">${check("use_tls", cfg.use_tls, "implicit TLS")} ${check("allow_plaintext", cfg.allow_plaintext, "allow plaintext")}</span>
      ${c && c.secretSet ? `<span data-for="webhook slack">${check("remove_secret", false, "remove the secret")}</span>` : ""}
      ${check("enabled", c ? c.enabled : true, "Enabled")}
    </div>
    <div class="actions"><button type="submit">${c ? "Save channel" : "Add channel"}</button>
      ${c ? `<button type="button" class="secondary" data-cancel>Cancel</button>` : ""}
      <span class="error" data-error></span></div>
  </form>`;
}

// Shows only the fields of the chosen type.
function followType(form) {
  const sync = () => {
    const type = form.type.value;
    form.querySelectorAll("[data-for]").forEach((el) => (el.hidden = !el.dataset.for.split(" ").includes(type)));
  };
  form.type.addEventListener("change", sync);
  sync();
}

// The mutation input a channel form describes; `was` is the channel being edited (only changes are sent).
function channelInput(form, was) {
  const v = formValues(form);
  const input = { name: v.name, type: v.type, enabled: v.enabled };
  let config;
  if (v.type === "email") {
    config = { to: v.to.split(",").map((s) => s.trim()).filter(Boolean), use_tls: v.use_tls, allow_plaintext: v.allow_plaintext };
    for (const key of ["from", "host", "username"]) if (v[key]) config[key] = v[key];
    if (v.port) config.port = Number(v.port);
    if (v.password) config.password = v.password;
  } else {
    config = { url: v.url };
  }
  if (!was) {
    input.config = config;
    if (v.secret && v.type !== "email") input.secret = v.secret;
    return input;
  }
  // an unchanged (redacted) URL is not sent back: the stored one stays
  const sameUrl = v.type !== "email" && was.type === v.type && v.url === (was.config.url || "");
  if (!sameUrl) input.config = config;
  if (v.type === was.type) {
    if (input.name === was.name) delete input.name;
    delete input.type;
  }
  if (v.remove_secret) input.secret = null;
  else if (v.secret) input.secret = v.secret;
  return input;
}

export function channelsPage(main, { viewer }) {
  main.innerHTML = `<h1>Notification channels</h1>
    <section class="card"><div id="channels">Loading…</div><div id="test-result"></div></section>
    <div id="channel-editor"></div>
    ${hasRole(viewer, "admin") ? channelForm(null) : ""}
    <section class="card"><h2>Recent deliveries <button class="secondary small" id="refresh-deliveries">refresh</button></h2>
      <div id="deliveries">Loading…</div></section>`;
  const list = main.querySelector("#channels");
  const deliveries = main.querySelector("#deliveries");
  if (!hasRole(viewer, "admin")) {
    list.innerHTML = needsRole("admin", viewer);
    deliveries.innerHTML = needsRole("admin", viewer);
    return;
  }
  let channels = [];
  const names = () => new Map(channels.map((c) => [c.id, c.name]));
  const loadDeliveries = () =>
    panel(
      deliveries,
      () => gql(`query { notificationDeliveries(limit: 20) { ${DELIVERY_FIELDS} } }`),
      (el, data) => {
        const rows = data.notificationDeliveries;
        const byId = names();
        el.innerHTML = rows.length
          ? `<table id="delivery-table"><thead><tr><th>#</th><th>Channel</th><th>Kind</th><th>Status</th><th>Attempts</th><th>Outcome</th><th>When</th></tr></thead>
            <tbody>${rows
              .map(
                (d) => `<tr data-delivery="${d.id}"><td>${d.id}</td><td>${esc(byId.get(d.channelId) || `#${d.channelId}`)}</td>
                  <td>${esc(d.kind)}${d.alertId ? ` <span class="muted">alert ${d.alertId}</span>` : ""}</td>
                  <td><span class="pill ${esc(d.status)}">${esc(d.status)}</span></td><td>${d.attempts}/${d.maxAttempts}</td>
                  <td class="muted">${esc(outcome(d))}</td><td class="muted">${relTime(d.createdAt)}</td></tr>`,
              )
              .join("")}</tbody></table>`
          : `<p class="muted">No deliveries yet.</p>`;
      },
    );
  const load = () =>
    panel(
      list,
      () => gql(`query { notificationChannels { id name type config secretSet enabled createdAt updatedAt } }`),
      (el, data) => {
        channels = data.notificationChannels;
        el.innerHTML = channels.length
          ? `<table id="channel-table"><thead><tr><th>Channel</th><th>Type</th><th>Target</th><th>Signed</th><th>Enabled</th><th></th></tr></thead>
            <tbody>${channels
              .map(
                (c) => `<tr data-channel="${c.id}"><td>${esc(c.name)}</td><td>${esc(c.type)}</td><td><code>${esc(target(c))}</code></td>
                  <td>${c.secretSet ? "yes" : "no"}</td><td>${c.enabled ? "yes" : "no"}</td>
                  <td class="row-actions"><button data-test="${c.id}">Send test</button>
                    <button class="secondary" data-edit="${c.id}">Edit</button>
                    <button class="danger" data-delete="${c.id}">Delete</button></td></tr>`,
              )
              .join("")}</tbody></table>`
          : `<p class="muted">No channels yet: add one below.</p>`;
        el.querySelectorAll("button[data-test]").forEach((b) => b.addEventListener("click", () => sendTest(b)));
        el.querySelectorAll("button[data-edit]").forEach((b) => b.addEventListener("click", () => edit(Number(b.dataset.edit))));
        el.querySelectorAll("button[data-delete]").forEach((b) =>
          b.addEventListener("click", async () => {
            if (!b.dataset.armed) {
              b.dataset.armed = "1";
              b.textContent = "Confirm delete";
              return;
            }
            b.disabled = true;
            try {
              await gql(`mutation($id: Int!) { deleteNotificationChannel(id: $id) }`, { id: Number(b.dataset.delete) });
              main.querySelector("#channel-editor").innerHTML = "";
              load();
            } catch (err) {
              b.disabled = false;
              main.querySelector("#test-result").innerHTML = `<p class="error">${esc(err.message)}</p>`;
            }
          }),
        );
        loadDeliveries();
      },
    );
  // "Send test": a real delivery; the mutation waits for the worker's first attempt and says how it went
  const sendTest = async (b) => {
    const out = main.querySelector("#test-result");
    const name = names().get(Number(b.dataset.test));
    b.disabled = true;
    out.innerHTML = `<p class="muted">Sending a test to ${esc(name)}…</p>`;
    try {
      const data = await gql(
        `mutation($id: Int!) { testNotificationChannel(id: $id, message: "Test from the PromptOps dashboard") {
          jobId deliveryId completed delivery { ${DELIVERY_FIELDS} } } }`,
        { id: Number(b.dataset.test) },
      );
      const t = data.testNotificationChannel;
      const d = t.delivery;
      const ok = d.status === "delivered";
      out.innerHTML = `<p id="test-outcome" class="${ok ? "good" : t.completed ? "bad" : "muted"}" data-status="${esc(d.status)}">
        Test to <strong>${esc(name)}</strong>: <span class="pill ${esc(d.status)}">${esc(d.status)}</span>
        ${esc(outcome(d))}${t.completed ? "" : " — no worker attempt yet; it stays queued"}
        <span class="muted">(delivery ${t.deliveryId}, attempt ${d.attempts}/${d.maxAttempts})</span></p>`;
    } catch (err) {
      out.innerHTML = `<p class="error">${esc(err.message)}</p>`;
    } finally {
      b.disabled = false;
      loadDeliveries();
    }
  };
  const edit = (id) => {
    const c = channels.find((x) => x.id === id);
    const box = main.querySelector("#channel-editor");
    box.innerHTML = channelForm(c);
    const form = box.querySelector("form");
    followType(form);
    form.querySelector("[data-cancel]").addEventListener("click", () => (box.innerHTML = ""));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const error = form.querySelector("[data-error]");
      error.textContent = "";
      try {
        await gql(`mutation($id: Int!, $i: UpdateNotificationChannelInput!) { updateNotificationChannel(id: $id, input: $i) { id } }`, {
          id,
          i: channelInput(form, c),
        });
        box.innerHTML = "";
        load();
      } catch (err) {
        error.textContent = err.message;
      }
    });
  };
  const create = main.querySelector("#new-channel");
  followType(create);
  create.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const error = create.querySelector("[data-error]");
    error.textContent = "";
    try {
      await gql(`mutation($i: CreateNotificationChannelInput!) { createNotificationChannel(input: $i) { id } }`, {
        i: channelInput(create, null),
      });
      create.reset();
      followType(create);
      load();
    } catch (err) {
      error.textContent = err.message;
    }
  });
  main.querySelector("#refresh-deliveries").addEventListener("click", loadDeliveries);
  load();
}

// ------------------------------------------------------------------ security

const LEVELS = ["low", "medium", "high", "critical"];

function eventRow(e) {
  return `<tr data-event="${esc(e.id)}"><td class="muted">${new Date(e.timestamp).toLocaleString()}</td>
    <td><span class="sev ${e.threatLevel === "critical" || e.threatLevel === "high" ? "critical" : e.threatLevel === "medium" ? "warning" : ""}">${esc(e.threatLevel)}</span></td>
    <td>${esc(e.eventType)}</td><td><code>${esc(e.sourceIp)}</code></td><td><code>${esc(e.method)} ${esc(e.path)}</code></td>
    <td>${e.statusCode ?? "–"}</td></tr>`;
}

const EVENT_FIELDS = "id eventType threatLevel sourceIp method path statusCode timestamp";

export function securityPage(main, { viewer, timers, stops }) {
  const admin = hasRole(viewer, "admin");
  const su = hasRole(viewer, "superuser");
  main.innerHTML = `<h1>Security <small>last 24 hours${su ? ", platform-wide" : ", your organization"}</small></h1>
    <div id="threats">Loading…</div>
    <div class="grid2">
      <section class="card"><h2>Blocked addresses</h2><div id="blocked">Loading…</div>
        ${su ? `<form id="block-form" class="inline-form">
          <input name="ip" placeholder="Address (e.g. 203.0.113.7)" required maxlength="45">
          <input name="duration" type="number" min="1" placeholder="Seconds (default)">
          <input name="reason" placeholder="Reason" maxlength="500">
          <button type="submit">Block</button></form><p class="error" id="block-error"></p>` : ""}
      </section>
      <section class="card"><h2>IP lookup</h2>
        <form id="lookup-form" class="inline-form"><input name="ip" placeholder="Address" required maxlength="45">
          <button type="submit">Look up</button></form>
        <div id="lookup"></div></section>
    </div>
    <section class="card"><h2>Events <span class="live-badge" id="security-live"></span></h2>
      <div class="toolbar"><label>Level <select id="min-level"><option value="">any</option>${LEVELS.map((l) => `<option>${l}</option>`).join("")}</select></label></div>
      <div id="events">Loading…</div></section>
    <section class="card"><h2>IP reputation <small>by decaying threat score</small></h2><div id="reputation">Loading…</div></section>`;
  const threats = main.querySelector("#threats");
  const events = main.querySelector("#events");
  const blocked = main.querySelector("#blocked");
  const reputation = main.querySelector("#reputation");

  const loadThreats = () =>
    panel(
      threats,
      () =>
        gql(`query { threatStatistics(hours: 24) { scope totalEvents previousTotalEvents changePercent uniqueSources
          byType { eventType count changePercent } byLevel { low medium high critical }
          topSources { sourceIp count blocked } topPaths { path count } timeBuckets { start count } } }`),
      (el, data) => {
        const t = data.threatStatistics;
        const change = t.changePercent == null ? "no previous figure" : `${t.changePercent > 0 ? "▲" : "▼"} ${Math.abs(t.changePercent).toFixed(1)}% vs previous`;
        el.innerHTML = `<section class="kpis" id="threat-kpis">
            ${kpi("Events", fmt(t.totalEvents, "int"), `<div class="delta muted">${change}</div>`)}
            ${kpi("Unique sources", fmt(t.uniqueSources, "int"))}
            ${kpi("High + critical", fmt(t.byLevel.high + t.byLevel.critical, "int"), `<div class="delta muted">${t.byLevel.critical} critical</div>`)}
            ${kpi("Medium / low", `${fmt(t.byLevel.medium, "int")} / ${fmt(t.byLevel.low, "int")}`)}
          </section>
          <div class="grid2">
            <section class="card"><h2>Events per hour</h2><div class="chart" id="threat-chart"></div></section>
            <section class="card"><h2>By type</h2>${t.byType.length
              ? `<table><tbody>${t.byType.map((b) => `<tr><td>${esc(b.eventType)}</td><td>${fmt(b.count, "int")}</td></tr>`).join("")}</tbody></table>`
              : `<p class="muted">No events.</p>`}
              <h2>Top sources</h2>${t.topSources.length
                ? `<table><tbody>${t.topSources
                    .map((s) => `<tr><td><code>${esc(s.sourceIp)}</code>${s.blocked ? ` <span class="pill failed">blocked</span>` : ""}</td><td>${fmt(s.count, "int")}</td></tr>`)
                    .join("")}</tbody></table>`
                : `<p class="muted">None.</p>`}
              <h2>Top paths</h2>${t.topPaths.length
                ? `<table><tbody>${t.topPaths.map((p) => `<tr><td><code>${esc(p.path)}</code></td><td>${fmt(p.count, "int")}</td></tr>`).join("")}</tbody></table>`
                : `<p class="muted">None.</p>`}</section>
          </div>`;
        lineChart(el.querySelector("#threat-chart"), t.timeBuckets.map((b) => b.start), t.timeBuckets.map((b) => b.count), {
          label: "Events",
          unit: "int",
        });
      },
    );
  if (admin) {
    loadThreats();
  } else {
    threats.innerHTML = `<section class="card">${needsRole("admin", viewer)}</section>`;
  }

  // events: the newest 50, then each new one from the securityEvents subscription on top
  const level = main.querySelector("#min-level");
  const loadEvents = () => {
    if (!admin) {
      events.innerHTML = needsRole("admin", viewer);
      return;
    }
    panel(
      events,
      () =>
        gql(`query($level: String) { securityEvents(hours: 24, threatLevel: $level, first: 50) { edges { node { ${EVENT_FIELDS} } } } }`, {
          level: level.value || null,
        }),
      (el, data) => {
        const rows = data.securityEvents.edges.map((e) => e.node);
        el.innerHTML = `<table id="event-table"><thead><tr><th>When</th><th>Level</th><th>Type</th><th>Source</th><th>Request</th><th>Status</th></tr></thead>
          <tbody>${rows.map(eventRow).join("")}</tbody></table>${rows.length ? "" : `<p class="muted" id="no-events">No events in 24 hours.</p>`}`;
      },
    );
  };
  level.addEventListener("change", loadEvents);
  loadEvents();
  if (admin) {
    const badge = main.querySelector("#security-live");
    let statsDue = null; // the statistics follow the live events, at most every 5 s
    stops.push(
      subscribe(
        `subscription { securityEvents { ${EVENT_FIELDS} } }`,
        {},
        (data) => {
          const e = data.securityEvents;
          if (!statsDue) {
            statsDue = setTimeout(() => {
              statsDue = null;
              loadThreats();
            }, 5000);
            timers.push(statsDue);
          }
          const min = level.value;
          if (min && LEVELS.indexOf(e.threatLevel) < LEVELS.indexOf(min)) return;
          const body = events.querySelector("#event-table tbody");
          if (!body || body.querySelector(`tr[data-event="${CSS.escape(e.id)}"]`)) return;
          body.insertAdjacentHTML("afterbegin", eventRow(e));
          body.firstElementChild.classList.add("fresh");
          events.querySelector("#no-events")?.remove();
          while (body.children.length > 100) body.lastElementChild.remove();
        },
        (state) => showLiveState(badge, state),
      ),
    );
  }

  // blocked addresses and reputation are platform-wide decisions: superusers only
  const loadBlocked = () => {
    if (!su) {
      blocked.innerHTML = needsRole("superuser", viewer);
      return;
    }
    panel(
      blocked,
      () => gql(`query { blockedIps { ipAddress scope type source reason scenario blockedAt expiresAt remainingSeconds offence hitsWhileBlocked } }`),
      (el, data) => {
        const rows = data.blockedIps;
        el.innerHTML = rows.length
          ? `<table id="blocked-table"><thead><tr><th>Address</th><th>Why</th><th>Expires</th><th>Hits</th><th></th></tr></thead><tbody>${rows
              .map(
                (b) => `<tr data-ip="${esc(b.ipAddress)}"><td><code>${esc(b.ipAddress)}</code> <span class="muted">${esc(b.source)}${b.offence > 1 ? ` · offence ${b.offence}` : ""}</span></td>
                  <td>${esc(b.reason)}${b.scenario ? ` <span class="muted">(${esc(b.scenario)})</span>` : ""}</td>
                  <td class="muted">in ${Math.round(b.remainingSeconds / 60)} min</td><td>${b.hitsWhileBlocked}</td>
                  <td><button class="secondary" data-unblock="${esc(b.ipAddress)}">Unblock</button></td></tr>`,
              )
              .join("")}</tbody></table>`
          : `<p class="muted" id="none-blocked">No address is blocked.</p>`;
        el.querySelectorAll("button[data-unblock]").forEach((b) =>
          b.addEventListener("click", async () => {
            b.disabled = true;
            try {
              await gql(`mutation($ip: String!) { unblockIp(ipAddress: $ip, reason: "lifted from the dashboard") { ipAddress } }`, {
                ip: b.dataset.unblock,
              });
              loadBlocked();
            } catch (err) {
              b.disabled = false;
              main.querySelector("#block-error").textContent = err.message;
            }
          }),
        );
      },
    );
  };
  loadBlocked();
  if (su) {
    const form = main.querySelector("#block-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const v = formValues(form);
      const error = main.querySelector("#block-error");
      error.textContent = "";
      try {
        await gql(`mutation($ip: String!, $d: Int, $r: String) { blockIp(ipAddress: $ip, durationSeconds: $d, reason: $r) { ipAddress } }`, {
          ip: v.ip,
          d: v.duration ? Number(v.duration) : null,
          r: v.reason || null,
        });
        form.reset();
        loadBlocked();
      } catch (err) {
        error.textContent = err.message;
      }
    });
  }

  const REPUTATION = "ipAddress score risk totalEvents eventsByType firstSeen lastSeen blocked";
  if (su) {
    panel(
      reputation,
      () => gql(`query { ipReputation(limit: 20) { ${REPUTATION} } }`),
      (el, data) => {
        const rows = data.ipReputation;
        el.innerHTML = rows.length
          ? `<table id="reputation-table"><thead><tr><th>Address</th><th>Score</th><th>Risk</th><th>Events</th><th>Last seen</th></tr></thead><tbody>${rows
              .map(
                (r) => `<tr><td><code>${esc(r.ipAddress)}</code>${r.blocked ? ` <span class="pill failed">blocked</span>` : ""}</td>
                  <td>${fmt(r.score, "num")}</td><td>${esc(r.risk)}</td><td>${fmt(r.totalEvents, "int")}</td><td class="muted">${relTime(r.lastSeen)}</td></tr>`,
              )
              .join("")}</tbody></table>`
          : `<p class="muted">No address has a threat score.</p>`;
      },
    );
  } else {
    reputation.innerHTML = needsRole("superuser", viewer);
  }

  // lookup: the schema has no one-address reputation query, so this reads the ranking (superuser),
  // the blocks (superuser) and the address's recent events (admin), and shows what the role may see
  const lookup = main.querySelector("#lookup-form");
  lookup.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const ip = lookup.ip.value.trim();
    const out = main.querySelector("#lookup");
    out.innerHTML = `<p class="muted">Looking up ${esc(ip)}…</p>`;
    panel(
      out,
      async () => {
        const parts = [];
        if (su) parts.push(`ipReputation(limit: 500) { ${REPUTATION} } blockedIps { ipAddress reason remainingSeconds }`);
        if (admin) parts.push(`securityEvents(hours: 720, sourceIp: $ip, first: 10) { edges { node { ${EVENT_FIELDS} } } }`);
        if (!parts.length) return null;
        return gql(`query($ip: String) { ${parts.join(" ")} }`, { ip });
      },
      (el, data) => {
        if (!data) {
          el.innerHTML = needsRole("admin", viewer);
          return;
        }
        const rep = su ? data.ipReputation.find((r) => r.ipAddress === ip) : null;
        const block = su ? data.blockedIps.find((b) => b.ipAddress === ip) : null;
        const recent = admin ? data.securityEvents.edges.map((e) => e.node) : [];
        el.innerHTML = `<div id="lookup-result" data-ip="${esc(ip)}">
          ${su
            ? `<p>${rep ? `Score <strong>${fmt(rep.score, "num")}</strong> (${esc(rep.risk)}), ${fmt(rep.totalEvents, "int")} events since ${relTime(rep.firstSeen)}` : "No threat score (no recent events)."}
               · ${block ? `<span class="pill failed">blocked</span> ${esc(block.reason)}` : "not blocked"}</p>`
            : `<p class="muted">Reputation and blocks need the superuser role.</p>`}
          ${admin
            ? recent.length
              ? `<table><tbody>${recent.map(eventRow).join("")}</tbody></table>`
              : `<p class="muted">No events from this address in 30 days${su ? "" : " (your organization)"}.</p>`
            : ""}</div>`;
      },
    );
  });
}

// ------------------------------------------------------------------ platform

export function platformPage(main, { viewer, timers, stops }) {
  const admin = hasRole(viewer, "admin");
  const su = hasRole(viewer, "superuser");
  main.innerHTML = `<h1>Platform</h1>
    <div class="grid2">
      <section class="card"><h2>System health <small id="health-checked"></small></h2><div id="system-health">Loading…</div></section>
      <section class="card"><h2>Host metrics <small>refreshed every 10 s</small></h2><div id="system-metrics">Loading…</div></section>
    </div>
    <section class="card"><h2>Endpoint performance <small>last 24 hours, slowest p95 first</small></h2><div id="endpoints">Loading…</div></section>
    <section class="card"><h2>Recorded metrics <span class="live-badge" id="metrics-live"></span> <small>as they arrive</small></h2><div id="metric-feed"></div></section>
    <section class="card"><h2>Database health</h2><div id="database-health">Loading…</div></section>`;

  panel(
    main.querySelector("#system-health"),
    () => gql(`query { systemHealth { status checkedAt durationMs services { name status latencyMs error } } }`),
    (el, data) => {
      const h = data.systemHealth;
      main.querySelector("#health-checked").textContent = `checked in ${fmt(h.durationMs, "ms")}`;
      el.innerHTML = `<p class="health-status ${esc(h.status)}" id="health-status">${esc(h.status)}</p>
        <table><tbody>${h.services
          .map(
            (s) => `<tr><td>${esc(s.name)}</td><td><span class="pill ${s.status === "healthy" || s.status === "ok" ? "succeeded" : "failed"}">${esc(s.status)}</span></td>
              <td>${fmt(s.latencyMs, "ms")}</td><td class="muted">${esc(s.error || "")}</td></tr>`,
          )
          .join("")}</tbody></table>`;
    },
  );

  const metricsBox = main.querySelector("#system-metrics");
  if (admin) {
    const loadMetrics = () =>
      panel(
        metricsBox,
        () =>
          gql(`query { systemMetrics { host sampledAt cpuPercent memoryPercent memoryUsedBytes memoryTotalBytes diskPercent
            diskUsedBytes networkBytesSent networkBytesRecv load1 load5 load15 processRssBytes processThreads processOpenFiles } }`),
        (el, data) => {
          const m = data.systemMetrics;
          el.innerHTML = `<table id="host-metrics"><tbody>
            <tr><td>Host</td><td>${esc(m.host)} <span class="muted">sampled ${new Date(m.sampledAt).toLocaleTimeString()}</span></td></tr>
            <tr><td>CPU</td><td>${fmt(m.cpuPercent, "num")}%</td></tr>
            <tr><td>Load (1/5/15 min)</td><td>${[m.load1, m.load5, m.load15].map((l) => (l == null ? "–" : l.toFixed(2))).join(" / ")}</td></tr>
            <tr><td>Memory</td><td>${fmt(m.memoryPercent, "num")}% · ${bytes(m.memoryUsedBytes)} of ${bytes(m.memoryTotalBytes)}</td></tr>
            <tr><td>Disk</td><td>${fmt(m.diskPercent, "num")}% · ${bytes(m.diskUsedBytes)} used</td></tr>
            <tr><td>Network sent / received</td><td>${bytes(m.networkBytesSent)} / ${bytes(m.networkBytesRecv)}</td></tr>
            <tr><td>API process</td><td>${bytes(m.processRssBytes)} RSS · ${m.processThreads} threads · ${m.processOpenFiles} open files</td></tr>
          </tbody></table>`;
        },
      );
    loadMetrics();
    timers.push(setInterval(loadMetrics, 10000));
  } else {
    metricsBox.innerHTML = needsRole("admin", viewer);
  }

  const endpoints = main.querySelector("#endpoints");
  if (admin) {
    panel(
      endpoints,
      () =>
        gql(`query { endpointPerformance(hours: 24, limit: 20, sortBy: "p95_ms") {
          endpoint method count errors clientErrors errorRate avgMs p50Ms p95Ms p99Ms throughputPerMin } }`),
      (el, data) => {
        const rows = data.endpointPerformance;
        el.innerHTML = rows.length
          ? `<table id="endpoint-table"><thead><tr><th>Endpoint</th><th>Requests</th><th>5xx</th><th>4xx</th><th>Error rate</th>
              <th>avg</th><th>p50</th><th>p95</th><th>p99</th><th>per min</th></tr></thead><tbody>${rows
                .map(
                  (r) => `<tr><td><code>${esc(r.method)} ${esc(r.endpoint)}</code></td><td>${fmt(r.count, "int")}</td><td>${r.errors}</td>
                    <td>${r.clientErrors}</td><td>${fmt(r.errorRate, "pct")}</td><td>${fmt(r.avgMs, "ms")}</td><td>${fmt(r.p50Ms, "ms")}</td>
                    <td>${fmt(r.p95Ms, "ms")}</td><td>${fmt(r.p99Ms, "ms")}</td><td>${fmt(r.throughputPerMin, "num")}</td></tr>`,
                )
                .join("")}</tbody></table>`
          : `<p class="muted">No requests recorded in 24 hours.</p>`;
      },
    );
  } else {
    endpoints.innerHTML = needsRole("admin", viewer);
  }

  const feed = main.querySelector("#metric-feed");
  if (admin) {
    feed.innerHTML = `<p class="muted" id="no-points">No point recorded since the page opened.</p><ul class="list" id="metric-points"></ul>`;
    stops.push(
      subscribe(
        "subscription { metricUpdates { id name value type timestamp promptId versionHash } }",
        {},
        (data) => {
          const p = data.metricUpdates;
          feed.querySelector("#no-points")?.remove();
          const list = feed.querySelector("#metric-points");
          list.insertAdjacentHTML(
            "afterbegin",
            `<li data-point="${p.id}"><code>${esc(p.name)}</code> <strong>${fmt(p.value, "num")}</strong>
              <span class="muted">${esc(p.type)}${p.promptId ? ` · prompt ${p.promptId}` : ""} · ${new Date(p.timestamp).toLocaleTimeString()}</span></li>`,
          );
          while (list.children.length > 20) list.lastElementChild.remove();
        },
        (state) => showLiveState(main.querySelector("#metrics-live"), state),
      ),
    );
  } else {
    feed.innerHTML = needsRole("admin", viewer);
  }

  const db = main.querySelector("#database-health");
  if (su) {
    panel(
      db,
      () =>
        gql(`query { databaseHealth { dialect status durationMs serverVersion databaseBytes statementTimeoutMs
          summary { total ok warning critical error } checks { name title category status observed unit message }
          notApplicable { name reason } } }`),
      (el, data) => {
        const d = data.databaseHealth;
        const s = d.summary;
        el.innerHTML = `<p id="db-status"><span class="pill ${d.status === "ok" ? "succeeded" : "failed"}">${esc(d.status)}</span>
            ${esc(d.dialect)} ${esc(d.serverVersion || "")}${d.databaseBytes != null ? ` · ${bytes(d.databaseBytes)}` : ""}
            · ${s.ok}/${s.total} ok, ${s.warning} warning, ${s.critical} critical, ${s.error} error <span class="muted">(checked in ${fmt(d.durationMs, "ms")})</span></p>
          <table id="db-checks"><thead><tr><th>Check</th><th>Category</th><th>Status</th><th>Observed</th><th>Finding</th></tr></thead><tbody>${d.checks
            .map(
              (c) => `<tr><td>${esc(c.title)}</td><td class="muted">${esc(c.category)}</td>
                <td><span class="pill ${c.status === "ok" ? "succeeded" : c.status === "warning" ? "" : "failed"}">${esc(c.status)}</span></td>
                <td>${c.observed == null ? "–" : `${fmt(c.observed, "num")} ${esc(c.unit)}`}</td><td class="muted">${esc(c.message)}</td></tr>`,
            )
            .join("")}</tbody></table>
          ${d.notApplicable.length ? `<p class="muted">Not applicable here: ${d.notApplicable.map((n) => esc(n.name)).join(", ")}</p>` : ""}`;
      },
    );
  } else {
    db.innerHTML = needsRole("superuser", viewer);
  }
}
