// Onceonly reuse-tracker dashboard: plain JS, no dependencies, every asset served by the tracker.
// Names come from the tracker (GET /v1/names: indicators, dimensions and fixed values in Vietnamese and
// English from labels.py; agencies and procedures as receipts named them); the texts below are the page's own.
"use strict";

// The breakdown table shows one group of indicators at a time, so that it fits a 1366-pixel screen.
const GROUPS = {
  reuse: ["reuse_rate", "population_data_use_rate", "population_procedure_share", "input_digitization_rate",
    "output_digitization_rate"],
  online: ["online_dossier_rate", "full_online_share", "online_payment_rate", "non_jurisdictional_share",
    "online_procedure_share"],
  timely: ["on_time_rate", "early_rate", "late_rate", "paper_dossier_reduction", "backlog_digitization_rate"],
};
const DIMENSIONS = ["agency", "procedure", "province", "province_2025", "commune", "sector", "channel", "jurisdiction", "origin"];
const FILTERS = ["period", ...["province", "province_2025", "commune", "sector", "agency", "procedure", "channel", "jurisdiction", "origin"]];
// Figures that count the catalog's procedures: no dossiers to list behind them.
const CATALOG = new Set(["online_procedure_share", "full_online_procedure_share", "partial_online_procedure_share"]);

const TEXT = {
  vi: {
    title: "Theo dõi tái sử dụng dữ liệu",
    subtitle: "Chỉ tiêu cải cách thủ tục hành chính so với mục tiêu",
    period: "Kỳ", all: "Tất cả", allTime: "Toàn bộ thời gian", year: "Năm", quarter: "Quý",
    trend: "Xu hướng theo tháng", trendOf: "Xu hướng theo tháng — {period}", tables: "Bảng theo chiều",
    stale: "Tra cứu không có hồ sơ", csv: "Tải CSV", xlsx: "Tải XLSX",
    staleNote: "Tra cứu dữ liệu mà hồ sơ không được tiếp nhận sau {days} ngày — có thể là sử dụng dữ liệu dân cư sai mục đích.",
    target: "Mục tiêu", gap: "Chênh lệch", noData: "Chưa có dữ liệu", noTarget: "Chưa đặt mục tiêu",
    dossiers: "Hồ sơ", lookups: "Lượt tra cứu", popLookups: "Tra cứu dân cư",
    oldest: "Sớm nhất", none: "Không có", below: "dưới mục tiêu", received: "Hồ sơ tiếp nhận",
    footer: "Onceonly — nền tảng tái sử dụng dữ liệu mở cho hành chính công",
    misuse: "Tra cứu không khớp hồ sơ", close: "Đóng", reason: "Lý do", latest: "Gần nhất", agency: "Cơ quan",
    misuseNote: "Tra cứu không khớp với hồ sơ đã tiếp nhận: không được tính vào chỉ tiêu nào. Chọn một dòng để xem các hồ sơ.",
    other_agency: "Hồ sơ của cơ quan khác", other_procedure: "Thủ tục khác", other_applicant: "Người nộp khác",
    stranger: "Không phải người nộp hay thân nhân", after_resolution: "Sau khi giải quyết", refused: "Bị từ chối",
    when: "Thời điểm", dossier: "Hồ sơ", dossierAgency: "Cơ quan tiếp nhận", lookupProcedure: "Thủ tục tra cứu",
    dossierProcedure: "Thủ tục hồ sơ", subject: "Người được tra cứu (bí danh)", relation: "Quan hệ", outcome: "Kết quả",
    applicant: "Người nộp (bí danh)", relative: "Thân nhân", hit: "Có", miss: "Không có", denied: "Từ chối",
    lastYear: "Cùng kỳ năm trước", vsLastYear: "so với cùng kỳ", published: "Đã công bố", change: "thay đổi",
    publishedNote: "Kỳ {period} đã chốt ngày {at} ({by}); SHA-256 {hash}. Mỗi chỉ tiêu: số liệu hiện tại, bên cạnh số liệu đã công bố.",
    compareNote: "So sánh với cùng kỳ năm trước: {previous}.",
    cellNote: "Chọn một ô để xem danh sách hồ sơ phía sau số liệu.",
    reuse: "Tái sử dụng, số hóa", online: "Trực tuyến", timely: "Giải quyết, hồ sơ giấy",
    drillTitle: "Hồ sơ phía sau: {indicator} — {where} ({total})", everywhere: "toàn bộ",
    counted: "Được tính", missed: "Chưa đạt", everything: "Tất cả (mẫu số)",
    procedure: "Thủ tục", receivedAt: "Tiếp nhận", dueAt: "Hạn", resolvedAt: "Giải quyết", components: "Thành phần hồ sơ",
    next: "Trang sau", shown: "Đang xem {from}–{to} / {total}",
    not_digitized: "chưa số hóa", digitized: "đã số hóa", reused_component: "tái sử dụng hồ sơ khác",
    reused_result: "tái sử dụng kết quả", unspecified: "không rõ", noComponents: "không lưu",
    thisPeriod: "Kỳ này", paperNote: "Mẫu số: hồ sơ giấy cùng kỳ năm trước",
  },
  en: {
    title: "Data reuse tracker",
    subtitle: "Administrative-procedure reform indicators against their targets",
    period: "Period", all: "All", allTime: "All time", year: "Year", quarter: "Quarter",
    trend: "Monthly trend", trendOf: "Monthly trend — {period}", tables: "Tables by dimension",
    stale: "Lookups with no dossier", csv: "Download CSV", xlsx: "Download XLSX",
    staleNote: "Data lookups whose dossier was not received within {days} days — possible misuse of population data.",
    target: "Target", gap: "Gap", noData: "No data", noTarget: "No target",
    dossiers: "Dossiers", lookups: "Lookups", popLookups: "Population lookups",
    oldest: "Oldest", none: "None", below: "below target", received: "Dossiers received",
    footer: "Onceonly — open data-reuse platform for public administration",
    misuse: "Lookups that do not fit their dossier", close: "Close", reason: "Reason", latest: "Latest", agency: "Agency",
    misuseNote: "Lookups that the received dossier does not confirm: they count toward no indicator. Choose a row to see the dossiers.",
    other_agency: "Another agency's dossier", other_procedure: "Another procedure", other_applicant: "Another applicant",
    stranger: "Neither applicant nor relative", after_resolution: "After the resolution", refused: "Refused",
    when: "When", dossier: "Dossier", dossierAgency: "Receiving agency", lookupProcedure: "Procedure named",
    dossierProcedure: "Dossier's procedure", subject: "Subject (pseudonym)", relation: "Relation", outcome: "Outcome",
    applicant: "Applicant (pseudonym)", relative: "Relative", hit: "Found", miss: "Not found", denied: "Refused",
    lastYear: "Same period last year", vsLastYear: "vs last year", published: "As published", change: "change",
    publishedNote: "Period {period} was closed on {at} ({by}); SHA-256 {hash}. Each figure: as of now, beside as published.",
    compareNote: "Compared with the same period last year: {previous}.",
    cellNote: "Choose a cell to list the dossiers behind the figure.",
    reuse: "Reuse, digitization", online: "Online", timely: "Processing, paper",
    drillTitle: "Dossiers behind: {indicator} — {where} ({total})", everywhere: "all",
    counted: "Counted", missed: "Not met", everything: "All (denominator)",
    procedure: "Procedure", receivedAt: "Received", dueAt: "Due", resolvedAt: "Resolved", components: "Components",
    next: "Next page", shown: "Showing {from}–{to} of {total}",
    not_digitized: "not digitized", digitized: "digitized", reused_component: "reused from a dossier",
    reused_result: "reused result", unspecified: "unspecified", noComponents: "not kept",
    thisPeriod: "This period", paperNote: "Denominator: paper dossiers a year earlier",
  },
};

const LOCALES = { vi: "vi-VN", en: "en-US" };

const state = {
  lang: "vi",
  filters: Object.fromEntries(FILTERS.map((f) => [f, ""])),
  names: null,
  dimensions: null,
  data: null,
  trendIndicator: "reuse_rate",
  by: "agency",
  group: "reuse",
  sort: { column: "key", desc: false },
  drill: null,
  misuseDrill: null,
};

const $ = (selector) => document.querySelector(selector);
const t = (key) => TEXT[state.lang][key] ?? key;
const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? "");

// ---- names beside codes ----

function pick(name) {
  return name ? name[state.lang] || name.vi : "";
}
const indicatorName = (code) => pick(state.names?.indicators[code]) || code;
const dimensionName = (by) => pick(state.names?.dimensions[by]) || t(by);

// The name of a dimension's value (an agency's, a procedure's, a channel's ...), "" when none is known.
function valueName(by, key) {
  if (!state.names) return "";
  if (by === "agency" || by === "procedure") return pick(state.names[by][key]);
  return pick(state.names.values[by]?.[key]);
}

// "Name (CODE)" for agencies and procedures, the name alone for fixed values, the key when no name.
function label(by, key) {
  const name = valueName(by, key);
  if (!name) return key;
  return by === "agency" || by === "procedure" ? `${name} (${key})` : name;
}

function keyCell(by, key) {
  const name = valueName(by, key);
  const cell = element("th", { scope: "row", class: "key" });
  if (name && (by === "agency" || by === "procedure")) {
    cell.append(element("span", { class: "name", text: name }), element("span", { class: "code", text: key }));
  } else {
    cell.append(element("span", { class: "name", text: name || key }));
  }
  return cell;
}

// ---- formatting ----

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
const day = (instant) => (instant ? new Date(instant).toLocaleDateString(LOCALES[state.lang], { timeZone: "Asia/Ho_Chi_Minh" }) : "—");
const when = (instant) => (instant ? new Date(instant).toLocaleString(LOCALES[state.lang], { timeZone: "Asia/Ho_Chi_Minh" }) : "—");

function status(indicator) {
  if (indicator.value === null) return "nodata";
  if (indicator.met === null) return "untargeted";
  return indicator.met ? "met" : "below";
}

// The same period a year earlier: 2024 → 2023, 2024-Q1 → 2023-Q1, 2024-03 → 2023-03.
const yearBefore = (period) => (period ? `${+period.slice(0, 4) - 1}${period.slice(4)}` : "");

function periodName(period) {
  if (!period) return t("allTime");
  if (/^\d{4}$/.test(period)) return `${t("year")} ${period}`;
  const quarter = period.match(/^(\d{4})-Q(\d)$/);
  if (quarter) return `${t("quarter")} ${quarter[2]}/${quarter[1]}`;
  return `${period.slice(5, 7)}/${period.slice(0, 4)}`;
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
  for (const year of years.reverse()) options.push([year, periodName(year)]);
  for (const quarter of quarters.reverse()) options.push([quarter, periodName(quarter)]);
  for (const month of [...months].reverse()) options.push([month, periodName(month)]);
  return options;
}

function fill(select, options, selected) {
  select.replaceChildren(...options.map(([value, text]) => {
    const option = element("option", { value, text });
    if (value === selected) option.selected = true;
    return option;
  }));
}

function renderFilters() {
  const dims = state.dimensions;
  fill($("#f-period"), periodOptions(dims.month), state.filters.period);
  for (const select of document.querySelectorAll("select[data-dim]")) {
    const dim = select.dataset.dim;
    const options = (dims[dim] ?? []).map((v) => [v, label(dim, v)]);
    options.sort((a, b) => a[1].localeCompare(b[1], LOCALES[state.lang]));
    fill(select, [["", t("all")], ...options], state.filters[dim]);
  }
  for (const node of document.querySelectorAll("[data-dim-label]")) node.textContent = dimensionName(node.dataset.dimLabel);
  const names = state.data ? state.data.headline.indicators.map((i) => i.name).filter((n) => !CATALOG.has(n)) : GROUPS.reuse;
  fill($("#trend-indicator"), names.map((name) => [name, indicatorName(name)]), state.trendIndicator);
}

// ---- tiles: as of now, the same period last year, and as published for a closed period ----

function renderTiles(headline, previous) {
  const before = Object.fromEntries((previous?.indicators ?? []).map((i) => [i.name, i]));
  const published = headline.published;
  const then = Object.fromEntries((published?.indicators ?? []).map((i) => [i.name, i]));
  const changes = Object.fromEntries((published?.changes ?? []).map((c) => [c.name, c]));
  const tiles = headline.indicators.map((ind) => {
    const tile = element("article", { class: `tile ${status(ind)}`, "data-testid": `tile-${ind.name}` });
    const target = ind.target === null ? t("noTarget") : `${t("target")} ${percent(ind.target)}`;
    const gap = ind.gap === null ? "" : `${t("gap")} ${points(ind.gap)}`;
    const title = element("h3", { text: indicatorName(ind.name) });
    tile.append(
      title,
      element("p", { class: "value", "data-testid": "value", text: ind.value === null ? t("noData") : percent(ind.value) }),
      element("p", { class: "fraction", "data-testid": "fraction", text: `${count(ind.numerator)} / ${count(ind.denominator)}` }),
      element("p", { class: "target" }, element("span", { text: target }), element("span", { class: "gap", text: gap })),
      element("div", { class: "meter" }, element("span", { style: `width:${Math.min(100, Math.max(0, ind.value ?? 0))}%` }),
        ...(ind.target === null ? [] : [element("i", { style: `left:${ind.target}%` })])),
    );
    const prior = before[ind.name];
    if (prior) {
      const diff = prior.value === null || ind.value === null ? "" : ` (${points(ind.value - prior.value)})`;
      tile.append(element("p", { class: "compare", "data-testid": "last-year", text: `${t("lastYear")}: ${percent(prior.value)}${diff}` }));
    }
    if (published && then[ind.name]) {
      const change = changes[ind.name];
      const moved = change && change.value !== null && change.value !== 0 ? ` · ${t("change")} ${points(change.value)}` : "";
      tile.append(element("p", { class: "compare published-value", "data-testid": "published",
        text: `${t("published")}: ${percent(then[ind.name].value)} (${count(then[ind.name].numerator)} / ${count(then[ind.name].denominator)})${moved}` }));
    }
    if (!CATALOG.has(ind.name) && ind.denominator > 0) {
      tile.classList.add("open");
      tile.tabIndex = 0;
      tile.setAttribute("role", "button");
      const open = () => openDrill({ indicator: ind.name, counted: ind.name === "paper_dossier_reduction" ? "" : "true" });
      tile.addEventListener("click", open);
      tile.addEventListener("keydown", (event) => { if (event.key === "Enter") open(); });
    }
    return tile;
  });
  $("#tiles").replaceChildren(...tiles);
  const note = $("#published");
  if (published) {
    note.hidden = false;
    note.textContent = fmt(t("publishedNote"), {
      period: published.period, at: when(published.closed_at), by: published.closed_by, hash: published.content_sha256.slice(0, 12),
    });
  } else {
    note.hidden = true;
  }
  $("#compare-note").textContent = previous ? fmt(t("compareNote"), { previous: periodName(yearBefore(state.filters.period)) }) : "";
}

// ---- trend chart (hand-written SVG): the period's months, and the same months a year earlier ----

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

function renderTrend(rows, previousRows) {
  const name = state.trendIndicator;
  const box = $("#trend");
  $("#trend-title").textContent = state.filters.period ? fmt(t("trendOf"), { period: periodName(state.filters.period) }) : t("trend");
  const series = rows.map((row) => ({ key: row.key, ind: row.indicators.find((i) => i.name === name) }));
  const earlier = Object.fromEntries((previousRows ?? []).map((row) => [row.key, row.indicators.find((i) => i.name === name)]));
  if (series.length === 0) {
    box.replaceChildren(element("p", { class: "empty", text: t("noData") }));
    $("#trend-legend").textContent = "";
    return;
  }
  const width = 900, height = 240, left = 48, right = 16, top = 16, bottom = 36;
  const target = series[0].ind.target;
  const prior = series.map((s) => earlier[yearBefore(s.key)] ?? null);
  const values = [...series.map((s) => s.ind.value), ...prior.map((p) => p?.value ?? null)].filter((v) => v !== null);
  // Round the top of the axis up to a multiple of 20 so the grid lines fall on whole numbers.
  const max = Math.min(100, Math.ceil((Math.max(10, ...values, target ?? 0) * 1.05) / 20) * 20);
  const x = (i) => left + (series.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (series.length - 1));
  const y = (v) => top + (1 - Math.max(0, v) / max) * (height - top - bottom);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": indicatorName(name) });
  for (let step = 0; step <= 4; step++) {
    const v = (max * step) / 4;
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(v), y2: y(v), class: "grid-line" }));
    const text = svg("text", { x: left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" });
    text.textContent = `${Math.round(v)}%`;
    chart.append(text);
  }
  if (target !== null) {
    chart.append(svg("line", { x1: left, x2: width - right, y1: y(target), y2: y(target), class: "target-line" }));
    const text = svg("text", { x: width - right, y: y(target) - 6, class: "axis target-label", "text-anchor": "end" });
    text.textContent = `${t("target")} ${percent(target)}`;
    chart.append(text);
  }
  const line = (points, cls) => {
    const path = points.map((v, i) => (v === null || v === undefined ? null : `${x(i)},${y(v)}`)).filter(Boolean);
    if (path.length) chart.append(svg("polyline", { points: path.join(" "), class: cls }));
  };
  const hasPrior = prior.some((p) => p && p.value !== null);
  if (hasPrior) line(prior.map((p) => p?.value ?? null), "series previous");
  line(series.map((s) => s.ind.value), "series");
  series.forEach((s, i) => {
    const text = svg("text", { x: x(i), y: height - 12, class: "axis", "text-anchor": "middle" });
    text.textContent = `${s.key.slice(5, 7)}/${s.key.slice(2, 4)}`;
    chart.append(text);
    if (s.ind.value === null) return;
    const dot = svg("circle", { cx: x(i), cy: y(s.ind.value), r: 4, class: `dot ${status(s.ind)}`, "data-month": s.key });
    const tip = svg("title");
    tip.textContent = `${s.key}: ${percent(s.ind.value)} (${count(s.ind.numerator)}/${count(s.ind.denominator)})`;
    dot.append(tip);
    chart.append(dot);
  });
  box.replaceChildren(chart);
  $("#trend-legend").replaceChildren(
    element("span", { class: "swatch now" }), ` ${t("thisPeriod")} `,
    ...(hasPrior ? [element("span", { class: "swatch before" }), ` ${t("lastYear")}`] : []),
  );
}

// ---- the breakdown table: one dimension at a time, one group of indicators ----

function renderTabs() {
  const tabs = DIMENSIONS.map((by) => {
    const tab = element("button", { type: "button", role: "tab", "data-by": by, "aria-selected": String(by === state.by), text: dimensionName(by) });
    tab.addEventListener("click", async () => {
      if (state.by === by) return;
      state.by = by;
      state.sort = { column: "key", desc: false };
      syncURL();
      renderTabs();
      await loadBreakdown();
    });
    return tab;
  });
  $("#dim-tabs").replaceChildren(...tabs);
  const groups = Object.keys(GROUPS).map((group) => {
    const button = element("button", { type: "button", "data-group": group, "aria-pressed": String(group === state.group), text: t(group) });
    button.addEventListener("click", () => {
      state.group = group;
      renderTabs();
      renderBreakdown();
    });
    return button;
  });
  $("#group-tabs").replaceChildren(...groups);
}

function renderBreakdown() {
  if (!state.data?.breakdown) return;
  const { rows, by } = state.data.breakdown;
  const before = Object.fromEntries((state.data.breakdownPrevious?.rows ?? []).map((row) => [row.key, row]));
  const table = $("#table-breakdown");
  table.dataset.by = by;
  const sort = state.sort;
  const names = GROUPS[state.group];
  const columns = ["key", "received", ...names];
  const figure = (row, name) => row.indicators.find((i) => i.name === name);
  const valueOf = (row, column) => {
    if (column === "key") return label(by, row.key);
    if (column === "received") return row.indicators[0].denominator;
    return figure(row, column)?.value ?? -1;
  };
  const sorted = [...rows].sort((a, b) => {
    const va = valueOf(a, sort.column), vb = valueOf(b, sort.column);
    const order = typeof va === "string" ? va.localeCompare(vb, LOCALES[state.lang]) : va - vb;
    return sort.desc ? -order : order;
  });
  const head = element("tr", {}, ...columns.map((column) => {
    const text = column === "key" ? dimensionName(by) : column === "received" ? t("received") : indicatorName(column);
    const arrow = sort.column === column ? (sort.desc ? " ▼" : " ▲") : "";
    const th = element("th", { scope: "col", "data-column": column, tabindex: "0", text: text + arrow });
    if (column !== "key") th.classList.add("num");
    th.setAttribute("aria-sort", sort.column === column ? (sort.desc ? "descending" : "ascending") : "none");
    const toggle = () => {
      state.sort = { column, desc: sort.column === column ? !sort.desc : column !== "key" };
      renderBreakdown();
    };
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter") toggle(); });
    return th;
  }));
  const body = sorted.map((row) => {
    const shown = names.map((name) => figure(row, name)).filter(Boolean);
    const below = shown.some((i) => status(i) === "below");
    const received = element("td", { class: "num open", "data-indicator": "received", text: count(row.indicators[0].denominator) });
    received.addEventListener("click", () => openDrill({ indicator: "reuse_rate", counted: "", by, key: row.key }));
    const cells = [keyCell(by, row.key), received];
    for (const name of names) {
      const ind = figure(row, name);
      if (!ind) { cells.push(element("td", { class: "num nodata", text: "—" })); continue; }
      const cell = element("td", { class: `num ${status(ind)}`, "data-indicator": name, title: `${count(ind.numerator)} / ${count(ind.denominator)}` });
      cell.append(element("span", { class: "v", text: percent(ind.value) }));
      const prior = before[row.key] && figure(before[row.key], name);
      if (prior && prior.value !== null && ind.value !== null) {
        cell.append(element("span", { class: "delta", title: t("vsLastYear"), text: points(ind.value - prior.value) }));
      }
      if (status(ind) === "below") cell.setAttribute("aria-label", `${percent(ind.value)} ${t("below")}`);
      if (!CATALOG.has(name) && ind.denominator > 0) {
        cell.classList.add("open");
        cell.addEventListener("click", () => openDrill({ indicator: name, counted: name === "paper_dossier_reduction" ? "" : "true", by, key: row.key }));
      }
      cells.push(cell);
    }
    return element("tr", { class: below ? "has-below" : "", "data-key": row.key }, ...cells);
  });
  if (body.length === 0) body.push(element("tr", {}, element("td", { colspan: String(columns.length), class: "empty", text: t("noData") })));
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...body));
  const link = (format) => `/v1/indicators/breakdown.${format}?${query({ by })}`;
  $("#csv-breakdown").href = link("csv");
  $("#xlsx-breakdown").href = link("xlsx");
}

// ---- drill-down: the dossiers behind a figure ----

async function openDrill({ indicator, counted, by = "", key = "" }) {
  state.drill = { indicator, counted, by, key, pages: [], token: "" };
  await loadDrill();
  const box = $("#drill");
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}

async function loadDrill(more = false) {
  const drill = state.drill;
  const extra = { indicator: drill.indicator, page_size: "50" };
  if (drill.counted) extra.counted = drill.counted;
  if (drill.by) extra[drill.by] = drill.key;
  if (more) extra.page_token = drill.token;
  $("#drill").dataset.ready = "false";
  const page = await getJSON(`/v1/dossiers?${query(extra)}`);
  if (state.drill !== drill) return;  // another cell was opened meanwhile
  drill.pages = more ? [...drill.pages, ...page.dossiers] : page.dossiers;
  drill.total = page.total;
  drill.token = page.next_page_token;
  renderDrill();
  $("#drill").dataset.ready = "true";
}

function renderDrill() {
  const drill = state.drill;
  if (!drill) return;
  const where = drill.by ? `${dimensionName(drill.by)}: ${label(drill.by, drill.key)}` : t("everywhere");
  $("#drill-title").textContent = fmt(t("drillTitle"), { indicator: indicatorName(drill.indicator), where, total: count(drill.total) });
  const choices = drill.indicator === "paper_dossier_reduction" ? [["", t("paperNote")]] : [["true", t("counted")], ["false", t("missed")], ["", t("everything")]];
  $("#drill-counted").replaceChildren(...choices.map(([value, text]) => {
    const button = element("button", { type: "button", "data-counted": value, "aria-pressed": String(value === drill.counted), text });
    button.addEventListener("click", async () => {
      drill.counted = value;
      drill.token = "";
      await loadDrill();
    });
    return button;
  }));
  const columns = ["dossier", "agency", "procedure", "receivedAt", "dueAt", "resolvedAt", "components", "applicant"];
  const head = element("tr", {}, ...columns.map((c) => element("th", { scope: "col", text: t(c) })));
  const rows = drill.pages.map((d) => {
    const agencyName = d.agency_name;  // a proper name: the same in both languages
    const procedureName = state.lang === "en" ? d.procedure_name_en || d.procedure_name : d.procedure_name;
    const components = element("td", { class: "components" });
    if (d.components === null) components.textContent = t("noComponents");
    for (const c of d.components ?? []) {
      components.append(element("span", { class: `state s${c.national_code ?? "x"}`, title: t(c.state), text: `${c.code}: ${c.national_code ?? "?"}` }));
    }
    return element("tr", { "data-dossier": d.dossier_id, class: d.counted ? "counted" : "" },
      element("th", { scope: "row", class: "id", text: d.dossier_id }),
      element("td", { class: "wrap" }, element("span", { class: "name", text: agencyName || d.agency }), element("span", { class: "code", text: d.agency })),
      element("td", { class: "wrap" }, element("span", { class: "name", text: procedureName || d.procedure }), element("span", { class: "code", text: d.procedure })),
      element("td", { text: day(d.received_at) }),
      element("td", { text: day(d.due_at) }),
      element("td", { text: day(d.resolved_at) }),
      components,
      element("td", { class: "pseudonym", title: d.applicant_pseudonym, text: d.applicant_pseudonym.slice(0, 12) }));
  });
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: String(columns.length), class: "empty", text: t("none") })));
  $("#table-drill").replaceChildren(element("thead", {}, head), element("tbody", {}, ...rows));
  $("#drill-status").textContent = drill.total ? fmt(t("shown"), { from: count(1), to: count(drill.pages.length), total: count(drill.total) }) : "";
  $("#drill-next").hidden = !drill.token;
}

// ---- stale lookups and misuse ----

function renderStale(report) {
  const table = $("#table-stale");
  document.querySelector("[data-i18n=staleNote]").textContent = fmt(t("staleNote"), { days: count(report.days) });
  const head = element("tr", {}, ...["agency", "dossiers", "lookups", "popLookups", "oldest"].map((c) => element("th", { scope: "col", text: t(c) })));
  const rows = report.agencies.map((a) => element("tr", {},
    keyCell("agency", a.agency),
    element("td", { class: "num", text: count(a.dossiers) }),
    element("td", { class: "num", text: count(a.lookups) }),
    element("td", { class: "num", text: count(a.population_lookups) }),
    element("td", { text: when(a.oldest) })));
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: "5", class: "empty", text: t("none") })));
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...rows));
}

function renderMisuse(report) {
  $("#misuse-reasons").replaceChildren(...report.reasons.map((r) => element("li",
    { class: r.lookups ? "some" : "", "data-reason": r.reason }, `${t(r.reason)}: ${count(r.lookups)}`)));
  const table = $("#table-misuse");
  const columns = ["agency", "reason", "dossiers", "lookups", "popLookups", "latest"];
  const numeric = new Set(["dossiers", "lookups", "popLookups"]);
  const head = element("tr", {}, ...columns.map((c) => element("th", { scope: "col", class: numeric.has(c) ? "num" : "", text: t(c) })));
  const rows = report.agencies.map((g) => {
    const open = element("button", { type: "button", class: "link", text: g.agency });
    open.addEventListener("click", () => misuseDrill(g.agency, g.reason));
    const name = valueName("agency", g.agency);
    return element("tr", { "data-agency": g.agency, "data-reason": g.reason },
      element("th", { scope: "row", class: "key" }, open, ...(name ? [element("span", { class: "code", text: name })] : [])),
      element("td", { text: t(g.reason) }),
      element("td", { class: "num", text: count(g.dossiers) }),
      element("td", { class: "num", text: count(g.lookups) }),
      element("td", { class: "num", text: count(g.population_lookups) }),
      element("td", { text: when(g.latest) }));
  });
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: "6", class: "empty", text: t("none") })));
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...rows));
  if (state.misuseDrill) renderMisuseDrill(state.misuseDrill);
}

async function misuseDrill(agency, reason) {
  const params = new URLSearchParams({ agency, reason, limit: "200" });
  if (state.filters.period) params.set("period", state.filters.period);
  const report = await getJSON(`/v1/lookups/misuse?${params}`);
  state.misuseDrill = { agency, reason, report };
  renderMisuseDrill(state.misuseDrill);
  $("#misuse-drill").dataset.ready = "true";
}

function renderMisuseDrill({ agency, reason, report }) {
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
  renderTabs();
  if (!state.data) return;
  renderTiles(state.data.headline, state.data.headlinePrevious);
  renderTrend(state.data.trend.rows, state.data.trendPrevious?.rows);
  renderBreakdown();
  renderStale(state.data.stale);
  renderMisuse(state.data.misuse);
  if (state.drill) renderDrill();
}

async function fetchBreakdown() {
  const by = state.by;
  const previous = yearBefore(state.filters.period);
  const [breakdown, breakdownPrevious] = await Promise.all([
    getJSON(`/v1/indicators/breakdown?${query({ by })}`),
    previous ? getJSON(`/v1/indicators/breakdown?${query({ by, period: previous })}`) : null,
  ]);
  return { breakdown, breakdownPrevious };
}

async function loadBreakdown() {
  $("#breakdown").dataset.ready = "false";
  const parts = await fetchBreakdown();
  Object.assign(state.data, parts);
  renderBreakdown();
  $("#breakdown").dataset.ready = "true";
}

async function load() {
  document.body.classList.add("loading");
  const previous = yearBefore(state.filters.period);
  const misuseQuery = new URLSearchParams({ limit: "0" });
  if (state.filters.period) misuseQuery.set("period", state.filters.period);
  // The trend follows the period filter: its months, beside the same months a year earlier.
  const [headline, headlinePrevious, trend, trendPrevious, parts, stale, misuse] = await Promise.all([
    getJSON(`/v1/indicators?${query()}`),
    previous ? getJSON(`/v1/indicators?${query({ period: previous })}`) : null,
    getJSON(`/v1/indicators/breakdown?${query({ by: "month" })}`),
    previous ? getJSON(`/v1/indicators/breakdown?${query({ by: "month", period: previous })}`) : null,
    fetchBreakdown(),
    getJSON("/v1/lookups/stale"),
    getJSON(`/v1/lookups/misuse?${misuseQuery}`),
  ]);
  state.data = { headline, headlinePrevious, trend, trendPrevious, ...parts, stale, misuse };
  renderAll();
  $("#breakdown").dataset.ready = "true";
  document.body.classList.remove("loading");
  document.body.dataset.ready = "true";
}

function syncURL() {
  const params = new URLSearchParams(query());
  if (state.lang !== "vi") params.set("lang", state.lang);
  if (state.by !== "agency") params.set("by", state.by);
  const search = params.toString();
  history.replaceState(null, "", search ? `?${search}` : location.pathname);
}

async function main() {
  const params = new URLSearchParams(location.search);
  state.lang = params.get("lang") === "en" ? "en" : "vi";
  if (DIMENSIONS.includes(params.get("by"))) state.by = params.get("by");
  for (const key of FILTERS) state.filters[key] = params.get(key) ?? "";
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      state.lang = button.dataset.lang;
      syncURL();
      renderAll();
    });
  }
  const onFilter = (key) => async (event) => {
    state.filters[key] = event.target.value;
    // The drill-downs were for the previous filters.
    state.drill = null;
    state.misuseDrill = null;
    $("#drill").hidden = true;
    $("#misuse-drill").hidden = true;
    document.body.dataset.ready = "false";
    syncURL();
    await load();
  };
  $("#f-period").addEventListener("change", onFilter("period"));
  for (const select of document.querySelectorAll("select[data-dim]")) {
    select.addEventListener("change", onFilter(select.dataset.dim));
  }
  $("#drill-close").addEventListener("click", () => {
    state.drill = null;
    $("#drill").hidden = true;
  });
  $("#drill-next").addEventListener("click", () => loadDrill(true));
  $("#misuse-close").addEventListener("click", () => {
    state.misuseDrill = null;
    $("#misuse-drill").hidden = true;
  });
  $("#trend-indicator").addEventListener("change", (event) => {
    state.trendIndicator = event.target.value;
    renderTrend(state.data.trend.rows, state.data.trendPrevious?.rows);
  });
  renderAll();
  [state.names, state.dimensions] = await Promise.all([getJSON("/v1/names"), getJSON("/v1/dimensions")]);
  await load();
}

main().catch((error) => {
  document.body.dataset.ready = "error";
  $("#tiles").replaceChildren(element("p", { class: "error", text: String(error) }));
});
