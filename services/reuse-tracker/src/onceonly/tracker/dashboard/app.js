// Onceonly reuse-tracker dashboard: plain JS, no dependencies, every asset served by the tracker.
"use strict";

const INDICATORS = [
  "reuse_rate", "population_data_use_rate", "input_digitization_rate", "output_digitization_rate",
  "online_dossier_rate", "online_payment_rate", "on_time_rate", "non_jurisdictional_share",
];

const TEXT = {
  vi: {
    title: "Theo dõi tái sử dụng dữ liệu",
    subtitle: "Chỉ tiêu cải cách thủ tục hành chính so với mục tiêu",
    period: "Kỳ", province: "Tỉnh/thành phố", agency: "Cơ quan", procedure: "Thủ tục", channel: "Kênh",
    jurisdiction: "Địa giới", all: "Tất cả", allTime: "Toàn bộ thời gian", year: "Năm", quarter: "Quý",
    trend: "Xu hướng theo tháng", byAgency: "Theo cơ quan", byProcedure: "Theo thủ tục",
    stale: "Tra cứu không có hồ sơ", csv: "Tải CSV", xlsx: "Tải XLSX",
    staleNote: "Tra cứu dữ liệu mà hồ sơ không được tiếp nhận sau {days} ngày — có thể là sử dụng dữ liệu dân cư sai mục đích.",
    target: "Mục tiêu", gap: "Chênh lệch", noData: "Chưa có dữ liệu", noTarget: "Chưa đặt mục tiêu",
    met: "Đạt", notMet: "Chưa đạt", dossiers: "Hồ sơ", lookups: "Lượt tra cứu", popLookups: "Tra cứu dân cư",
    oldest: "Sớm nhất", none: "Không có", below: "dưới mục tiêu", received: "Hồ sơ tiếp nhận",
    footer: "Onceonly — nền tảng tái sử dụng dữ liệu mở cho hành chính công",
    origin: "Nguồn hồ sơ", live: "Tiếp nhận trực tiếp", imported: "Chuyển đổi từ hệ thống cũ",
    misuse: "Tra cứu không khớp hồ sơ", close: "Đóng", reason: "Lý do", latest: "Gần nhất",
    misuseNote: "Tra cứu không khớp với hồ sơ đã tiếp nhận: không được tính vào chỉ tiêu nào. Chọn một dòng để xem các hồ sơ.",
    other_agency: "Hồ sơ của cơ quan khác", other_procedure: "Thủ tục khác", other_applicant: "Người nộp khác",
    stranger: "Không phải người nộp hay thân nhân", after_resolution: "Sau khi giải quyết", refused: "Bị từ chối",
    when: "Thời điểm", dossier: "Hồ sơ", dossierAgency: "Cơ quan tiếp nhận", lookupProcedure: "Thủ tục tra cứu",
    dossierProcedure: "Thủ tục hồ sơ", subject: "Người được tra cứu (bí danh)", relation: "Quan hệ", outcome: "Kết quả",
    applicant: "Người nộp", relative: "Thân nhân", hit: "Có", miss: "Không có", denied: "Từ chối",
    online: "Trực tuyến", counter: "Trực tiếp", postal: "Bưu chính", unspecified: "Không rõ",
    local: "Trong địa giới", non_jurisdictional: "Phi địa giới",
    reuse_rate: "Tái sử dụng kết quả số hóa", population_data_use_rate: "Sử dụng dữ liệu dân cư",
    input_digitization_rate: "Số hóa hồ sơ đầu vào", output_digitization_rate: "Số hóa kết quả",
    online_dossier_rate: "Hồ sơ trực tuyến", online_payment_rate: "Thanh toán trực tuyến",
    on_time_rate: "Giải quyết đúng hạn", non_jurisdictional_share: "Hồ sơ phi địa giới",
  },
  en: {
    title: "Data reuse tracker",
    subtitle: "Administrative-procedure reform indicators against their targets",
    period: "Period", province: "Province", agency: "Agency", procedure: "Procedure", channel: "Channel",
    jurisdiction: "Jurisdiction", all: "All", allTime: "All time", year: "Year", quarter: "Quarter",
    trend: "Monthly trend", byAgency: "By agency", byProcedure: "By procedure",
    stale: "Lookups with no dossier", csv: "Download CSV", xlsx: "Download XLSX",
    staleNote: "Data lookups whose dossier was not received within {days} days — possible misuse of population data.",
    target: "Target", gap: "Gap", noData: "No data", noTarget: "No target",
    met: "Met", notMet: "Below target", dossiers: "Dossiers", lookups: "Lookups", popLookups: "Population lookups",
    oldest: "Oldest", none: "None", below: "below target", received: "Dossiers received",
    footer: "Onceonly — open data-reuse platform for public administration",
    origin: "Origin", live: "Live", imported: "Imported from an older system",
    misuse: "Lookups that do not fit their dossier", close: "Close", reason: "Reason", latest: "Latest",
    misuseNote: "Lookups that the received dossier does not confirm: they count toward no indicator. Choose a row to see the dossiers.",
    other_agency: "Another agency's dossier", other_procedure: "Another procedure", other_applicant: "Another applicant",
    stranger: "Neither applicant nor relative", after_resolution: "After the resolution", refused: "Refused",
    when: "When", dossier: "Dossier", dossierAgency: "Receiving agency", lookupProcedure: "Procedure named",
    dossierProcedure: "Dossier's procedure", subject: "Subject (pseudonym)", relation: "Relation", outcome: "Outcome",
    applicant: "Applicant", relative: "Relative", hit: "Found", miss: "Not found", denied: "Refused",
    online: "Online", counter: "At the desk", postal: "Postal", unspecified: "Unspecified",
    local: "Local", non_jurisdictional: "Non-jurisdictional",
    reuse_rate: "Reuse of digitized results", population_data_use_rate: "Population data use",
    input_digitization_rate: "Input digitization", output_digitization_rate: "Output digitization",
    online_dossier_rate: "Online dossiers", online_payment_rate: "Online payment",
    on_time_rate: "On-time resolution", non_jurisdictional_share: "Non-jurisdictional dossiers",
  },
};

const LOCALES = { vi: "vi-VN", en: "en-US" };
const state = {
  lang: "vi",
  filters: { period: "", province: "", agency: "", procedure: "", channel: "", jurisdiction: "", origin: "" },
  dimensions: null,
  data: null,
  trendIndicator: "reuse_rate",
  drill: null,
  sort: { agency: { column: "key", desc: false }, procedure: { column: "key", desc: false } },
};

const $ = (selector) => document.querySelector(selector);
const t = (key) => TEXT[state.lang][key] ?? key;

function percent(value) {
  if (value === null || value === undefined) return "—";
  const number = new Intl.NumberFormat(LOCALES[state.lang], {
    minimumFractionDigits: 2, maximumFractionDigits: 2,
  }).format(value);
  return `${number}%`;
}

function points(value) {
  if (value === null || value === undefined) return "—";
  const number = new Intl.NumberFormat(LOCALES[state.lang], {
    minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: "exceptZero",
  }).format(value);
  return state.lang === "vi" ? `${number} điểm` : `${number} pp`;
}

const count = (value) => new Intl.NumberFormat(LOCALES[state.lang]).format(value);

function status(indicator) {
  if (indicator.value === null) return "nodata";
  if (indicator.met === null) return "untargeted";
  return indicator.met ? "met" : "below";
}

function query(extra = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...state.filters, ...extra })) {
    if (value) params.set(key, value);
  }
  return params.toString();
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

// ---- filters ----

function periodOptions(months) {
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  const quarters = [...new Set(months.map((m) => `${m.slice(0, 4)}-Q${Math.floor((+m.slice(5, 7) - 1) / 3) + 1}`))];
  const options = [["", t("allTime")]];
  for (const year of years.reverse()) options.push([year, `${t("year")} ${year}`]);
  for (const quarter of quarters.reverse()) {
    const [year, q] = quarter.split("-");
    options.push([quarter, `${t("quarter")} ${q.slice(1)}/${year}`]);
  }
  for (const month of [...months].reverse()) options.push([month, `${month.slice(5, 7)}/${month.slice(0, 4)}`]);
  return options;
}

function fill(select, options, selected) {
  select.replaceChildren(...options.map(([value, label]) => {
    const option = element("option", { value, text: label });
    if (value === selected) option.selected = true;
    return option;
  }));
}

function renderFilters() {
  const dims = state.dimensions;
  fill($("#f-period"), periodOptions(dims.month), state.filters.period);
  for (const select of document.querySelectorAll("select[data-dim]")) {
    const dim = select.dataset.dim;
    const label = (v) => (["channel", "jurisdiction", "origin"].includes(dim) ? t(v) : v);
    fill(select, [["", t("all")], ...dims[dim].map((v) => [v, label(v)])], state.filters[dim]);
  }
  fill($("#trend-indicator"), INDICATORS.map((name) => [name, t(name)]), state.trendIndicator);
}

// ---- tiles ----

function renderTiles(indicators) {
  const tiles = indicators.map((ind) => {
    const tile = element("article", { class: `tile ${status(ind)}`, "data-testid": `tile-${ind.name}` });
    const target = ind.target === null ? t("noTarget") : `${t("target")} ${percent(ind.target)}`;
    const gap = ind.gap === null ? "" : `${t("gap")} ${points(ind.gap)}`;
    tile.append(
      element("h3", { text: t(ind.name) }),
      element("p", { class: "value", "data-testid": "value", text: ind.value === null ? t("noData") : percent(ind.value) }),
      element("p", { class: "fraction", "data-testid": "fraction", text: `${count(ind.numerator)} / ${count(ind.denominator)}` }),
      element("p", { class: "target" }, element("span", { text: target }), element("span", { class: "gap", text: gap })),
      element("div", { class: "meter" }, element("span", { style: `width:${Math.min(100, ind.value ?? 0)}%` }),
        ...(ind.target === null ? [] : [element("i", { style: `left:${ind.target}%` })])),
    );
    return tile;
  });
  $("#tiles").replaceChildren(...tiles);
}

// ---- trend chart (hand-written SVG) ----

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function renderTrend(rows) {
  const name = state.trendIndicator;
  const box = $("#trend");
  const series = rows.map((row) => ({ key: row.key, ind: row.indicators.find((i) => i.name === name) }));
  if (series.length === 0) {
    box.replaceChildren(element("p", { class: "empty", text: t("noData") }));
    return;
  }
  const width = 900, height = 260, left = 48, right = 16, top = 16, bottom = 36;
  const target = series[0].ind.target;
  const values = series.map((s) => s.ind.value).filter((v) => v !== null);
  // Round the top of the axis up to a multiple of 20 so the grid lines fall on whole numbers.
  const max = Math.min(100, Math.ceil((Math.max(10, ...values, target ?? 0) * 1.05) / 20) * 20);
  const x = (i) => left + (series.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (series.length - 1));
  const y = (v) => top + (1 - v / max) * (height - top - bottom);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": t(name) });
  for (let step = 0; step <= 4; step++) {
    const v = (max * step) / 4;
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "grid-line" }));
    const label = svg("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" });
    label.textContent = `${Math.round(v)}%`;
    chart.append(label);
  }
  if (target !== null) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(target), y2: y(target), class: "target-line" }));
    const label = svg("text", { x: width - right, y: y(target) - 6, class: "axis target-label", "text-anchor": "end" });
    label.textContent = `${t("target")} ${percent(target)}`;
    chart.append(label);
  }
  const path = series.map((s, i) => (s.ind.value === null ? null : `${x(i)},${y(s.ind.value)}`)).filter(Boolean);
  chart.append(svg("polyline", { points: path.join(" "), class: "series" }));
  series.forEach((s, i) => {
    const label = svg("text", { x: x(i), y: height - 12, class: "axis", "text-anchor": "middle" });
    label.textContent = `${s.key.slice(5, 7)}/${s.key.slice(2, 4)}`;
    chart.append(label);
    if (s.ind.value === null) return;
    const dot = svg("circle", { cx: x(i), cy: y(s.ind.value), r: 4, class: `dot ${status(s.ind)}` });
    const tip = svg("title");
    tip.textContent = `${s.key}: ${percent(s.ind.value)} (${count(s.ind.numerator)}/${count(s.ind.denominator)})`;
    dot.append(tip);
    chart.append(dot);
  });
  box.replaceChildren(chart);
}

// ---- sortable tables ----

function renderBreakdown(kind, rows) {
  const table = $(`#table-${kind}`);
  const sort = state.sort[kind];
  const columns = ["key", "received", ...INDICATORS];
  const valueOf = (row, column) => {
    if (column === "key") return row.key;
    if (column === "received") return row.indicators[0].denominator;
    return row.indicators.find((i) => i.name === column).value ?? -1;
  };
  const sorted = [...rows].sort((a, b) => {
    const va = valueOf(a, sort.column), vb = valueOf(b, sort.column);
    const order = typeof va === "string" ? va.localeCompare(vb, LOCALES[state.lang]) : va - vb;
    return sort.desc ? -order : order;
  });
  const head = element("tr", {}, ...columns.map((column) => {
    const label = column === "key" ? t(kind) : t(column);
    const arrow = sort.column === column ? (sort.desc ? " ▼" : " ▲") : "";
    const th = element("th", { scope: "col", "data-column": column, tabindex: "0", text: label + arrow });
    if (column !== "key") th.classList.add("num");
    th.setAttribute("aria-sort", sort.column === column ? (sort.desc ? "descending" : "ascending") : "none");
    const toggle = () => {
      state.sort[kind] = { column, desc: sort.column === column ? !sort.desc : column !== "key" };
      renderBreakdown(kind, rows);
    };
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter") toggle(); });
    return th;
  }));
  const body = sorted.map((row) => {
    const below = row.indicators.some((i) => status(i) === "below");
    const cells = [element("th", { scope: "row", text: row.key }), element("td", { class: "num", text: count(row.indicators[0].denominator) })];
    for (const ind of row.indicators) {
      const cell = element("td", { class: `num ${status(ind)}`, text: percent(ind.value), title: `${count(ind.numerator)} / ${count(ind.denominator)}` });
      if (status(ind) === "below") cell.setAttribute("aria-label", `${percent(ind.value)} ${t("below")}`);
      cells.push(cell);
    }
    return element("tr", { class: below ? "has-below" : "", "data-key": row.key }, ...cells);
  });
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...body));
  const link = (format) => `/v1/indicators/breakdown.${format}?${query({ by: kind })}`;
  $(`#csv-${kind}`).href = link("csv");
  $(`#xlsx-${kind}`).href = link("xlsx");
}

function renderStale(report) {
  const table = $("#table-stale");
  document.querySelector("[data-i18n=staleNote]").textContent = t("staleNote").replace("{days}", count(report.days));
  const head = element("tr", {}, ...["agency", "dossiers", "lookups", "popLookups", "oldest"].map((c) => element("th", { scope: "col", text: t(c) })));
  const rows = report.agencies.map((a) => element("tr", {},
    element("th", { scope: "row", text: a.agency }),
    element("td", { class: "num", text: count(a.dossiers) }),
    element("td", { class: "num", text: count(a.lookups) }),
    element("td", { class: "num", text: count(a.population_lookups) }),
    element("td", { text: a.oldest ? new Date(a.oldest).toLocaleString(LOCALES[state.lang]) : "—" })));
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: "5", class: "empty", text: t("none") })));
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...rows));
}

// ---- misuse: counts per reason and agency, and a drill-down to the lookups ----

const when = (instant) => (instant ? new Date(instant).toLocaleString(LOCALES[state.lang]) : "—");

function renderMisuse(report) {
  $("#misuse-reasons").replaceChildren(...report.reasons.map((r) => element("li",
    { class: r.lookups ? "some" : "", "data-reason": r.reason }, `${t(r.reason)}: ${count(r.lookups)}`)));
  const table = $("#table-misuse");
  const columns = ["agency", "reason", "dossiers", "lookups", "popLookups", "latest"];
  const numeric = new Set(["dossiers", "lookups", "popLookups"]);
  const head = element("tr", {}, ...columns.map((c) => element("th", { scope: "col", class: numeric.has(c) ? "num" : "", text: t(c) })));
  const rows = report.agencies.map((g) => {
    const open = element("button", { type: "button", class: "link", text: g.agency });
    open.addEventListener("click", () => drill(g.agency, g.reason));
    return element("tr", { "data-agency": g.agency, "data-reason": g.reason },
      element("th", { scope: "row" }, open),
      element("td", { text: t(g.reason) }),
      element("td", { class: "num", text: count(g.dossiers) }),
      element("td", { class: "num", text: count(g.lookups) }),
      element("td", { class: "num", text: count(g.population_lookups) }),
      element("td", { text: when(g.latest) }));
  });
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: "6", class: "empty", text: t("none") })));
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...rows));
  if (state.drill) renderDrill(state.drill);
}

async function drill(agency, reason) {
  const params = new URLSearchParams({ agency, reason, limit: "200" });
  if (state.filters.period) params.set("period", state.filters.period);
  const report = await getJSON(`/v1/lookups/misuse?${params}`);
  state.drill = { agency, reason, report };
  renderDrill(state.drill);
  $("#misuse-drill").dataset.ready = "true";
}

function renderDrill({ agency, reason, report }) {
  const box = $("#misuse-drill");
  box.hidden = false;
  $("#misuse-drill-title").textContent = `${agency} — ${t(reason)} (${count(report.total)})`;
  const columns = ["when", "dossier", "dossierAgency", "lookupProcedure", "dossierProcedure", "subject", "relation", "outcome"];
  const head = element("tr", {}, ...columns.map((c) => element("th", { scope: "col", text: t(c) })));
  const rows = report.lookups.map((m) => element("tr", { "data-dossier": m.dossier_id },
    element("td", { text: when(m.occurred_at) }),
    element("th", { scope: "row", text: m.dossier_id }),
    element("td", { text: m.dossier_agency }),
    element("td", { text: m.procedure }),
    element("td", { text: m.dossier_procedure }),
    element("td", { class: "pseudonym", title: m.subject_pseudonym, text: m.subject_pseudonym.slice(0, 16) }),
    element("td", { text: t(m.subject_relation) }),
    element("td", { text: t(m.outcome) })));
  $("#table-misuse-lookups").replaceChildren(element("thead", {}, head), element("tbody", {}, ...rows));
}

// ---- wiring ----

function renderAll() {
  document.documentElement.lang = state.lang;
  document.title = `Onceonly — ${t("title")}`;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  if (state.dimensions) renderFilters();
  if (!state.data) return;
  renderTiles(state.data.headline.indicators);
  renderTrend(state.data.trend.rows);
  renderBreakdown("agency", state.data.agency.rows);
  renderBreakdown("procedure", state.data.procedure.rows);
  renderStale(state.data.stale);
  renderMisuse(state.data.misuse);
}

async function load() {
  document.body.classList.add("loading");
  const q = query();
  // The trend ignores the period filter so that it always shows the months around it.
  const trendQuery = query({ period: "", by: "month" });
  const misuseQuery = new URLSearchParams({ limit: "0" });
  if (state.filters.period) misuseQuery.set("period", state.filters.period);
  const [headline, trend, agency, procedure, stale, misuse] = await Promise.all([
    getJSON(`/v1/indicators?${q}`),
    getJSON(`/v1/indicators/breakdown?${trendQuery}`),
    getJSON(`/v1/indicators/breakdown?${query({ by: "agency" })}`),
    getJSON(`/v1/indicators/breakdown?${query({ by: "procedure" })}`),
    getJSON("/v1/lookups/stale"),
    getJSON(`/v1/lookups/misuse?${misuseQuery}`),
  ]);
  state.data = { headline, trend, agency, procedure, stale, misuse };
  renderAll();
  document.body.classList.remove("loading");
  document.body.dataset.ready = "true";
}

function syncURL() {
  const params = new URLSearchParams(query());
  if (state.lang !== "vi") params.set("lang", state.lang);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

async function main() {
  const params = new URLSearchParams(location.search);
  state.lang = params.get("lang") === "en" ? "en" : "vi";
  for (const key of Object.keys(state.filters)) state.filters[key] = params.get(key) ?? "";
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      state.lang = button.dataset.lang;
      syncURL();
      renderAll();
    });
  }
  const onFilter = (key) => async (event) => {
    state.filters[key] = event.target.value;
    state.drill = null;  // the drill-down was for the previous filters
    $("#misuse-drill").hidden = true;
    document.body.dataset.ready = "false";
    syncURL();
    await load();
  };
  $("#f-period").addEventListener("change", onFilter("period"));
  for (const select of document.querySelectorAll("select[data-dim]")) {
    select.addEventListener("change", onFilter(select.dataset.dim));
  }
  $("#misuse-close").addEventListener("click", () => {
    state.drill = null;
    $("#misuse-drill").hidden = true;
  });
  $("#trend-indicator").addEventListener("change", (event) => {
    state.trendIndicator = event.target.value;
    renderTrend(state.data.trend.rows);
  });
  renderAll();
  state.dimensions = await getJSON("/v1/dimensions");
  await load();
}

main().catch((error) => {
  document.body.dataset.ready = "error";
  $("#tiles").replaceChildren(element("p", { class: "error", text: String(error) }));
});
