/*
 * The regulator dashboard. Every figure comes from the stats JSON APIs, called through
 * the gateway with the caller's bearer token (Authorization: Bearer …):
 *   - the token is obtained at sign-in from the gateway's OAuth2 client-credentials
 *     endpoint (POST /oauth/token, client_id and client_secret in the form body, not HTTP
 *     Basic: a refused Basic login is answered with a Basic challenge, and a browser may
 *     open its own login dialog over the page for it) and kept in sessionStorage
 *     (this tab only), or handed over in the URL fragment (#token=…, never sent to a server);
 *   - without a token the calls go out with the browser's cookies (same origin), so a
 *     future gateway session login works without changing this page.
 * Charts: Apache ECharts, served by the platform (static/vendor/echarts).
 */
"use strict";
(function () {
  const API = "/v1/stats";
  const TOKEN_KEY = "ddt.dashboard.token";
  const LANG_KEY = "ddt.dashboard.lang";
  const I18N = window.DDT_I18N;
  const MODES = ["1210", "1239", "9610", "9710", "9810"];
  const READ_RETRIES = 4;

  const state = {
    lang: localStorage.getItem(LANG_KEY) || "zh",
    token: sessionStorage.getItem(TOKEN_KEY),
    charts: {},
    names: {},  // column → code → {zh, en}: names.json, the same names the exports write
    latestRun: null,
    loads: {},
  };

  class HttpError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  const $ = (id) => document.getElementById(id);
  const t = (key) => (I18N[state.lang] && I18N[state.lang][key]) || I18N.zh[key] || key;

  function applyI18n() {
    document.documentElement.lang = state.lang === "en" ? "en" : "zh-CN";
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    showLoginError();
  }

  // The sign-in message (or none), in the current language: a reason key from i18n.js and,
  // for a server error, the HTTP status the token endpoint answered with.
  function showLoginError(reason, status) {
    const el = $("login-error");
    if (reason !== undefined) {
      el.dataset.reason = reason || "";
      el.dataset.status = status ? String(status) : "";
    }
    const key = el.dataset.reason;
    el.textContent = key ? t(key) + (el.dataset.status ? ` (HTTP ${el.dataset.status})` : "") : "";
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function headers(extra) {
    const out = Object.assign({ Accept: "application/json" }, extra || {});
    if (state.token) out.Authorization = "Bearer " + state.token;
    return out;
  }

  async function call(path, params, options) {
    const url = new URL(path, window.location.origin);
    Object.entries(params || {}).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v); });
    const init = Object.assign({ credentials: "same-origin" }, options || {});
    init.headers = headers(init.headers);
    let response = await fetch(url, init);
    // An overloaded platform refuses at once with 503 and Retry-After rather than queue
    // (shared/budget.py); a page firing a dozen reads at once meets that first, so reads
    // are asked again after the wait it names, a few times, before the panel gives up.
    for (let attempt = 1; response.status === 503 && (init.method || "GET") === "GET" && attempt <= READ_RETRIES; attempt++) {
      const wait = Math.min(Number(response.headers.get("Retry-After")) || 1, 5);
      await new Promise((r) => setTimeout(r, wait * 1000 * (0.5 + Math.random())));
      response = await fetch(url, init);
    }
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new HttpError(response.status, detail);
    }
    return response;
  }

  const getJson = async (path, params) => (await call(path, params)).json();

  function filters() {
    const out = {};
    ["from", "to", "mode", "direction", "district"].forEach((name) => {
      const value = $("f-" + name).value;
      if (value) out[name] = value;
    });
    return out;
  }

  const money = (v) => Number(v || 0).toLocaleString(state.lang === "en" ? "en-US" : "zh-CN", { maximumFractionDigits: 2, minimumFractionDigits: 2 });
  // A code's name in the current language; the code itself if it has none, "unknown" if empty.
  function named(column, code) {
    if (!code) return t("unknown");
    const names = (state.names[column] || {})[code];
    return names ? names[state.lang === "en" ? "en" : "zh"] : code;
  }
  const countryName = (code) => named("country", code);
  const districtName = (id) => named("district", id);
  const parkName = (id) => named("park", id);

  // ------------------------------------------------------------------ charts

  function chart(name) {
    const el = $("chart-" + name);
    if (!state.charts[name]) {
      state.charts[name] = echarts.init(el, null, { renderer: "canvas", locale: state.lang === "en" ? "EN" : "ZH" });
    }
    return state.charts[name];
  }

  function mark(name, status, points) {
    const el = $("chart-" + name);
    el.dataset.state = status;
    el.dataset.points = String(points || 0);
  }

  function draw(name, option, points) {
    const instance = chart(name);
    instance.clear();
    if (!points) {
      instance.setOption({ title: { text: t("noData"), left: "center", top: "middle", textStyle: { color: "#8a96a3", fontSize: 14 } } });
    } else {
      instance.setOption(option, true);
    }
    mark(name, points ? "ready" : "empty", points);
  }

  const QUERIES = {
    volume: () => ({ path: API + "/series", params: Object.assign({ granularity: "month", split: "mode" }, filters()) }),
    district: () => ({ path: API + "/rankings/districts", params: Object.assign({ limit: 50 }, filters()) }),
    country: () => ({ path: API + "/rankings/countries", params: Object.assign({ limit: 10 }, filters()) }),
    enterprises: () => ({ path: API + "/rankings/enterprises", params: Object.assign({ limit: 10 }, filters()) }),
    parks: () => {
      const f = filters();  // newly active enterprises are filtered by period and district only
      return { path: API + "/enterprises/new", params: { granularity: "year", group_by: "park", from: f.from, to: f.to, district: f.district } };
    },
  };

  const RENDER = {
    volume(body) {
      const buckets = [...new Set(body.rows.map((r) => r.bucket))];
      const modes = MODES.filter((m) => body.rows.some((r) => r.mode === m && Number(r.value) > 0));
      const series = modes.map((m) => ({
        name: m, type: "bar", stack: "value",
        data: buckets.map((b) => { const row = body.rows.find((r) => r.bucket === b && r.mode === m); return row ? Number(row.value) : 0; }),
      }));
      const points = series.reduce((n, s) => n + s.data.filter((v) => v > 0).length, 0);
      draw("volume", {
        tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 80, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: buckets }, yAxis: { type: "value", name: t("value") }, series,
      }, points);
    },
    district(body) {
      const rows = body.rows;
      draw("district", {
        tooltip: {}, grid: { left: 140, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: rows.map((r) => districtName(r.district)) },
        series: [{ type: "bar", name: t("value"), data: rows.map((r) => Number(r.value)) }],
      }, rows.length);
    },
    country(body) {
      const rows = body.rows;
      draw("country", {
        tooltip: { trigger: "item" }, legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], name: t("value"), data: rows.map((r) => ({ name: countryName(r.country), value: Number(r.value) })) }],
      }, rows.length);
    },
    enterprises(body) {
      const rows = body.rows;
      draw("enterprises", {
        tooltip: {}, grid: { left: 200, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name || r.party_id) },
        series: [{ type: "bar", name: t("value"), data: rows.map((r) => Number(r.value)) }],
      }, rows.length);
    },
    parks(body) {
      const totals = {};
      body.rows.forEach((r) => { const key = r.park || ""; totals[key] = (totals[key] || 0) + Number(r.enterprises); });
      const keys = Object.keys(totals).filter((k) => k !== "").sort((a, b) => totals[b] - totals[a]);
      draw("parks", {
        tooltip: {}, grid: { left: 220, right: 20, top: 10, bottom: 30 },
        xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", inverse: true, data: keys.map(parkName) },
        series: [{ type: "bar", name: t("enterprises"), data: keys.map((k) => totals[k]) }],
      }, keys.length);
    },
  };

  // Only the newest load of a panel may draw it: an older answer (slow, or asked again after
  // a 503) that arrives after the answer to newer filters must not overwrite it.
  function ticket(panel) {
    const n = (state.loads[panel] || 0) + 1;
    state.loads[panel] = n;
    return () => state.loads[panel] === n;
  }

  async function loadChart(name) {
    const current = ticket("chart-" + name);
    mark(name, "loading", 0);
    try {
      const q = QUERIES[name]();
      const body = await getJson(q.path, q.params);
      if (current()) RENDER[name](body);
    } catch (error) {
      if (current() && !handleAuth(error)) {
        mark(name, "error", 0);
        chart(name).setOption({ title: { text: t("loadFailed"), left: "center", top: "middle" } }, true);
      }
    }
  }

  async function loadKpis() {
    const current = ticket("kpis");
    $("kpis").dataset.state = "loading";
    const f = filters();
    try {
      const [totals, active] = await Promise.all([
        getJson(API + "/totals", f), getJson(API + "/enterprises/active", Object.assign({ granularity: "year" }, f)),
      ]);
      if (!current()) return;
      const row = totals.rows[0] || { value: "0", orders: 0, documents: 0 };
      $("kpi-value").textContent = money(row.value);
      $("kpi-orders").textContent = Number(row.orders).toLocaleString();
      $("kpi-documents").textContent = Number(row.documents).toLocaleString();
      const last = active.rows[active.rows.length - 1];
      $("kpi-active").textContent = last ? String(last.enterprises) : "0";
      $("kpis").dataset.state = "ready";  // as the charts mark theirs: a reader (or a test) can wait for it
    } catch (error) { if (current() && !handleAuth(error)) $("kpis").dataset.state = "error"; }
  }

  async function loadReward() {
    const current = ticket("reward");
    const holder = $("reward");
    holder.dataset.state = "loading";
    const to = $("f-to").value;
    try {
      const body = await getJson(API + "/rewards/runs/latest", to ? { year: to.slice(0, 4) } : {});
      if (!current()) return;
      state.latestRun = body.run;
      $("reward-export").hidden = !body.run;
      holder.replaceChildren();
      if (!body.run) {
        const p = document.createElement("p");
        p.textContent = t("noRun");
        holder.append(p);
        holder.dataset.state = "empty";
        return;
      }
      const run = body.run;
      const summary = document.createElement("p");
      summary.id = "reward-summary";
      summary.textContent = `${t("runPolicy")}: ${run.policyId} · ${t("runStatus")}: ${t("status_" + run.status)} · ` +
        `${t("runTotal")}: ${money(run.total)} · ${t("runBudget")}: ${money(run.budget.total)} · ${t("runSubjects")}: ${run.subjects}`;
      const table = document.createElement("table");
      table.id = "reward-top";
      // The ten largest amounts of the run: enterprises, parks and incubators alike.
      table.createCaption().textContent = t("rewardTop");
      const head = table.createTHead().insertRow();
      [t("rewardSubject"), t("district"), t("runTotal")].forEach((label, i) => {
        const th = document.createElement("th"); th.textContent = label; if (i === 2) th.className = "num"; head.append(th);
      });
      const tbody = table.createTBody();
      body.top.forEach((s) => {
        const tr = tbody.insertRow();
        [s.name, districtName(s.district), money(s.final)].forEach((text, i) => {
          const td = tr.insertCell(); td.textContent = text; if (i === 2) td.className = "num";
        });
      });
      holder.append(summary, table);
      holder.dataset.state = "ready";
    } catch (error) {
      if (current() && !handleAuth(error)) holder.dataset.state = "error";
    }
  }

  // ------------------------------------------------------------------ goods–funds consistency

  const ratio = (v) => (v === null || v === undefined ? "–" : (Number(v) * 100).toFixed(1) + "%");

  function defaultMonth() {
    const to = $("f-to").value;
    const now = new Date();
    const current = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
    return to && to.slice(0, 7) < current ? to.slice(0, 7) : current;
  }

  async function loadGoodsFunds() {
    const holder = $("goods-funds");
    holder.dataset.state = "loading";
    if (!$("gf-month").value) $("gf-month").value = defaultMonth();
    const current = ticket("goods-funds");
    try {
      const body = await getJson(API + "/goods-funds", { month: $("gf-month").value });
      if (!current()) return;
      holder.replaceChildren();
      const summary = document.createElement("p");
      summary.id = "goods-funds-summary";
      summary.textContent = `${t("gfSummary")}: ${body.enterprises} · ${t("gfFlaggedCount")}: ${body.flagged} · ` +
        `${t("gfBand")}: ${ratio(body.band_low)}–${ratio(body.band_high)}`;
      holder.append(summary);
      if (!body.items.length) {
        const p = document.createElement("p"); p.textContent = t("noData"); holder.append(p);
        holder.dataset.state = "empty";
        return;
      }
      const table = document.createElement("table");
      table.id = "goods-funds-table";
      const head = table.createTHead().insertRow();
      ["gfEnterprise", "gfDeclaredExports", "gfMatchedReceipts", "gfExportRatio", "gfDeclaredImports",
        "gfMatchedPayments", "gfImportRatio", "gfExplanation"].forEach((key, i) => {
        const th = document.createElement("th"); th.textContent = t(key); if (i > 0 && i < 7) th.className = "num"; head.append(th);
      });
      const tbody = table.createTBody();
      body.items.forEach((row) => {
        const tr = tbody.insertRow();
        tr.dataset.party = row.party_id;
        tr.dataset.flagged = String(row.flagged);
        if (row.flagged) tr.className = "flagged";
        const cells = [row.name || row.party_id, money(row.declared_exports_cny), money(row.matched_receipts_cny),
          ratio(row.export_ratio), money(row.declared_imports_cny), money(row.matched_payments_cny), ratio(row.import_ratio),
          row.reasons.map((r) => (state.lang === "en" ? r.en : r.zh)).join("; ")];
        cells.forEach((text, i) => {
          const td = tr.insertCell(); td.textContent = text; if (i > 0 && i < 7) td.className = "num";
          if (i === 7) td.className = "explanation";
        });
      });
      holder.append(table);
      holder.dataset.state = "ready";
    } catch (error) {
      if (current() && !handleAuth(error)) holder.dataset.state = "error";
    }
  }

  // ------------------------------------------------------------------ transit times by route

  const hours = (v) => (v === null || v === undefined ? "–" : Number(v).toLocaleString(state.lang === "en" ? "en-US" : "zh-CN", { minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  const percent = (v) => (v === null || v === undefined ? "–" : Number(v).toFixed(1) + "%");

  // The regulator's view of the ferry, the China–Europe trains, air and post: the year of
  // the period filter (journeys are counted in the Beijing month they started).
  async function loadTransit() {
    const current = ticket("transit");
    const holder = $("transit-table");
    mark("transit", "loading", 0);
    const year = ($("f-to").value || $("f-from").value || String(new Date().getFullYear())).slice(0, 4);
    try {
      const body = await getJson(API + "/logistics/transit", { period: year, direction: $("f-direction").value });
      if (!current()) return;
      const routes = body.routes;
      const name = (r) => (state.lang === "en" ? r.name_en : r.name_zh);
      draw("transit", {
        tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 220, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "value", name: t("trP50") }, yAxis: { type: "category", inverse: true, data: routes.map(name) },
        series: [
          { type: "bar", name: t("trP50"), data: routes.map((r) => (r.transit_hours_p50 === null ? 0 : Number(r.transit_hours_p50))) },
          { type: "bar", name: t("trP90"), data: routes.map((r) => (r.transit_hours_p90 === null ? 0 : Number(r.transit_hours_p90))) },
        ],
      }, routes.length);
      holder.replaceChildren();
      if (!routes.length) return;
      const table = document.createElement("table");
      table.id = "transit-routes";
      const head = table.createTHead().insertRow();
      ["trRoute", "trShipments", "trDelivered", "trOpen", "trP50", "trP90", "trCustoms", "trOnTime", "trExceptions"].forEach((key, i) => {
        const th = document.createElement("th"); th.textContent = t(key); if (i > 0 && i < 8) th.className = "num"; head.append(th);
      });
      const tbody = table.createTBody();
      routes.forEach((r) => {
        const tr = tbody.insertRow();
        tr.dataset.route = r.route;
        const exceptions = Object.entries(r.exceptions).map(([kind, n]) => `${t("exc_" + kind)} ${n}`).join("; ");
        [name(r), r.shipments, r.delivered, r.open, hours(r.transit_hours_p50), hours(r.transit_hours_p90),
          hours(r.customs_hours_p50), percent(r.on_time_percent), exceptions].forEach((text, i) => {
          const td = tr.insertCell(); td.textContent = String(text); if (i > 0 && i < 8) td.className = "num";
          if (i === 8) td.className = "exceptions";
        });
      });
      holder.append(table);
    } catch (error) {
      if (current() && !handleAuth(error)) mark("transit", "error", 0);
    }
  }

  // A table of rows under a panel's chart: headers from i18n keys, numeric columns right-aligned,
  // each row marked with its id (data-<key>) so a reader can find one.
  function figuresTable(id, keys, numeric, rows, rowKey, cells) {
    const table = document.createElement("table");
    table.id = id;
    const head = table.createTHead().insertRow();
    keys.forEach((key, i) => {
      const th = document.createElement("th"); th.textContent = t(key); if (numeric(i)) th.className = "num"; head.append(th);
    });
    const tbody = table.createTBody();
    rows.forEach((row) => {
      const tr = tbody.insertRow();
      tr.dataset[rowKey.dataset] = row[rowKey.field];
      cells(row).forEach((text, i) => {
        const td = tr.insertCell(); td.textContent = String(text); td.dataset.col = keys[i];
        if (numeric(i)) td.className = "num";
      });
    });
    return table;
  }

  const yearOfFilters = () => ($("f-to").value || $("f-from").value || String(new Date().getFullYear())).slice(0, 4);
  const count = (v) => (v === null || v === undefined ? "–" : Number(v).toLocaleString(state.lang === "en" ? "en-US" : "zh-CN"));

  // ------------------------------------------------------------------ overseas warehouses

  // Each warehouse's year from its monthly reports (filed by the logistics service, or by its
  // operator): volumes added up, area use and stock age from the latest report.
  async function loadWarehouses() {
    const current = ticket("warehouses");
    const holder = $("warehouses-table");
    mark("warehouses", "loading", 0);
    try {
      const body = await getJson(API + "/warehouses/figures", { year: yearOfFilters() });
      if (!current()) return;
      const items = body.items;
      $("warehouses-summary").textContent = `${t("whWarehouses")}: ${body.warehouses} · ${t("whPublic")}: ${body.public} · ` +
        `${t("whMunicipal")}: ${body.certified.municipal || 0} · ${t("whProvincial")}: ${body.certified.provincial || 0}`;
      draw("warehouses", {
        tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 220, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: items.map((w) => w.name) },
        series: [
          { type: "bar", name: t("whInbound"), data: items.map((w) => w.inbound_units) },
          { type: "bar", name: t("whOutboundUnits"), data: items.map((w) => w.outbound_units) },
        ],
      }, items.length);
      holder.replaceChildren();
      if (!items.length) return;
      holder.append(figuresTable("warehouses-rows",
        ["whName", "whCountry", "whUsage", "whLevel", "whMonths", "whInbound", "whOutboundOrders", "whOutboundUnits", "whAreaUse", "whAge", "whLatest"],
        (i) => i >= 4 && i < 10, items, { dataset: "warehouse", field: "warehouse_id" },
        (w) => [w.name, `${countryName(w.country)} · ${w.city}`, t("usage_" + w.usage), t("level_" + (w.certified_level || "none")),
          w.months_reported, count(w.inbound_units), count(w.outbound_orders), count(w.outbound_units),
          percent(w.area_use_percent), hours(w.average_age_days), w.latest_month || "–"]));
    } catch (error) {
      if (current() && !handleAuth(error)) mark("warehouses", "error", 0);
    }
  }

  // ------------------------------------------------------------------ loss and damage claims

  // Per carrier: claims per 100 shipments it carried across the border, and days to payment.
  async function loadClaims() {
    const current = ticket("claims");
    const holder = $("claims-table");
    mark("claims", "loading", 0);
    try {
      const body = await getJson(API + "/logistics/claims", { year: yearOfFilters() });
      if (!current()) return;
      const carriers = body.carriers;
      draw("claims", {
        tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 160, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "value", name: t("clRate") + " (%)" }, yAxis: { type: "category", inverse: true, data: carriers.map((c) => c.carrier_code) },
        series: [{ type: "bar", name: t("clRate"), data: carriers.map((c) => (c.claim_rate_percent === null ? 0 : Number(c.claim_rate_percent))) }],
      }, carriers.length);
      holder.replaceChildren();
      if (!carriers.length) return;
      holder.append(figuresTable("claims-carriers",
        ["clCarrier", "clShipments", "clClaims", "clRate", "clApproved", "clRejected", "clUndecided", "clPaid", "clPaidCny", "clP50", "clP90", "clKinds"],
        (i) => i > 0 && i < 11, carriers, { dataset: "carrier", field: "carrier_code" },
        (c) => [c.carrier_code, count(c.shipments), count(c.claims), percent(c.claim_rate_percent), c.approved, c.rejected,
          c.undecided, c.paid, money(c.paid_cny), hours(c.payout_days_p50), hours(c.payout_days_p90),
          Object.entries(c.kinds).map(([kind, n]) => `${t("kind_" + kind)} ${n}`).join("; ")]));
    } catch (error) {
      if (current() && !handleAuth(error)) mark("claims", "error", 0);
    }
  }

  // ------------------------------------------------------------------ exports

  function filenameOf(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : fallback;
  }

  async function saveResponse(response, fallback) {
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filenameOf(response, fallback);
    document.body.append(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  async function exportChart(name, format) {
    const q = QUERIES[name]();
    try {
      const response = await call(q.path, Object.assign({}, q.params, { format, lang: state.lang }),
        { headers: { Accept: format === "csv" ? "text/csv" : "application/octet-stream" } });
      await saveResponse(response, `ddt-${name}.${format}`);
    } catch (error) { handleAuth(error); }
  }

  async function exportRun() {
    const run = state.latestRun;
    if (!run) return;
    const button = $("reward-export");
    button.disabled = true;
    button.textContent = t("exporting");
    try {
      // A background job: a large run's explanations take a while to write.
      const job = await (await call(`${API}/rewards/runs/${encodeURIComponent(run.runId)}/exports`, {}, {
        method: "POST", body: JSON.stringify({ explanations: "all" }),
        headers: { "Content-Type": "application/json", "Idempotency-Key": newKey() },
      })).json();
      let status = job;
      for (let i = 0; i < 600 && status.status !== "done" && status.status !== "failed"; i++) {
        await new Promise((r) => setTimeout(r, 500));
        status = await getJson(`${API}/rewards/exports/${job.jobId}`);
      }
      if (status.status === "done") {
        await saveResponse(await call(`${API}/rewards/exports/${job.jobId}/file`, {}, { headers: { Accept: "application/octet-stream" } }),
          `reward-run-${run.runId}.xlsx`);
      }
    } catch (error) { handleAuth(error); }
    button.disabled = false;
    button.textContent = t("exportXlsx");
  }

  function addExportButtons() {
    document.querySelectorAll(".chart-panel").forEach((panel) => {
      const name = panel.dataset.chart;
      const holder = panel.querySelector(".exports");
      holder.replaceChildren();
      ["csv", "xlsx"].forEach((format) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "export";
        button.dataset.format = format;
        button.dataset.i18n = format === "csv" ? "exportCsv" : "exportXlsx";
        button.textContent = t(button.dataset.i18n);
        button.addEventListener("click", () => exportChart(name, format));
        holder.append(button);
      });
    });
  }

  // ------------------------------------------------------------------ session

  function show(section) {
    ["login", "refused", "dashboard"].forEach((id) => { $(id).hidden = id !== section; });
    $("logout").hidden = section === "login" || !state.token;
  }

  function handleAuth(error) {
    if (error instanceof HttpError && error.status === 401) { signOut(); return true; }
    if (error instanceof HttpError && error.status === 403) { show("refused"); return true; }
    return false;
  }

  function signOut() {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    Object.values(state.charts).forEach((c) => c.dispose());
    state.charts = {};
    show("login");
  }

  // Why a sign-in failed, in words a person can act on: a refused credential (the token
  // endpoint's invalid_client), a server that answered with an error, or no answer at all.
  function signInProblem(status, body) {
    if (status === 401 || (body && body.error === "invalid_client")) return "loginRefused";
    return "loginServerError";
  }

  async function signIn(event) {
    event.preventDefault();
    showLoginError("");
    const form = new URLSearchParams({
      grant_type: "client_credentials", client_id: $("key-id").value.trim(), client_secret: $("secret").value,
    });
    let response;
    try {
      response = await fetch("/oauth/token", {
        method: "POST", credentials: "omit", cache: "no-store",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      });
    } catch (error) {
      showLoginError("loginNetworkError");
      return;
    }
    let body = null;
    try { body = await response.json(); } catch (error) { /* not JSON: a proxy's error page */ }
    if (!response.ok || !body || !body.access_token) {
      const reason = signInProblem(response.status, body);
      showLoginError(reason, reason === "loginServerError" ? response.status : undefined);
      return;
    }
    state.token = body.access_token;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $("secret").value = "";
    await start();
  }

  async function loadNames() {
    // Names of districts, parks, countries and directions (ids and codes are shown if this fails).
    try {
      const response = await fetch(API + "/dashboard/names.json", { credentials: "omit", headers: { Accept: "application/json" } });
      if (response.ok) state.names = await response.json();
    } catch (error) { /* ids are shown instead */ }
    const select = $("f-district");
    const current = select.value;
    select.replaceChildren(Object.assign(document.createElement("option"), { value: "", textContent: t("all") }));
    Object.keys(state.names.district || {}).forEach((id) => select.append(Object.assign(document.createElement("option"), { value: id, textContent: districtName(id) })));
    select.value = current;
    document.querySelectorAll("#f-direction option[value]:not([value=''])").forEach((option) => { option.textContent = named("direction", option.value); });
  }

  async function refresh() {
    await Promise.all([loadKpis(), ...Object.keys(QUERIES).map(loadChart), loadReward(), loadGoodsFunds(), loadTransit(),
      loadWarehouses(), loadClaims()]);
  }

  async function start() {
    if (!state.token && !document.cookie) { show("login"); return; }
    try {
      await call(API + "/platform", { from: $("f-from").value, to: $("f-to").value });  // regulators only
    } catch (error) {
      if (handleAuth(error)) return;
    }
    show("dashboard");
    await loadNames();
    addExportButtons();
    await refresh();
  }

  function setLanguage(lang) {
    state.lang = lang;
    localStorage.setItem(LANG_KEY, lang);
    applyI18n();
    Object.values(state.charts).forEach((c) => c.dispose());
    state.charts = {};
    if (!$("dashboard").hidden) {
      Object.keys(QUERIES).forEach((name) => mark(name, "loading", 0));
      loadNames().then(refresh);
    }
  }

  function init() {
    const hash = new URLSearchParams(window.location.hash.slice(1));
    if (hash.get("token")) {
      state.token = hash.get("token");
      sessionStorage.setItem(TOKEN_KEY, state.token);
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    const today = new Date();
    $("f-from").value = `${today.getFullYear()}-01-01`;
    $("f-to").value = `${today.getFullYear()}-12-31`;  // whole years read the yearly tables
    const query = new URLSearchParams(window.location.search);
    ["from", "to", "mode", "direction"].forEach((name) => { if (query.get(name)) $("f-" + name).value = query.get(name); });
    if (query.get("month")) $("gf-month").value = query.get("month");
    applyI18n();
    $("lang").addEventListener("click", () => setLanguage(state.lang === "en" ? "zh" : "en"));
    $("logout").addEventListener("click", signOut);
    $("login-form").addEventListener("submit", signIn);
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
    $("reward-export").addEventListener("click", exportRun);
    $("gf-month").addEventListener("change", loadGoodsFunds);
    window.addEventListener("resize", () => Object.values(state.charts).forEach((c) => c.resize()));
    window.ddtDashboard = { state, refresh, charts: state.charts, chart: (name) => state.charts[name] };
    start();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
