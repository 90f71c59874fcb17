// 驾驶舱: ECharts options from GET /api/v1/stats/dashboard. Pure functions of the answer and a label function, so that
// the charts are tested without a browser. `label(key, params)` is vue-i18n's t.

const COLORS = { primary: '#1f5fbf', success: '#67c23a', warning: '#e6a23c', danger: '#f56c6c', muted: '#909399' };
const SHARE_TYPE_COLORS = { unconditional: COLORS.success, conditional: COLORS.primary, not_shared: COLORS.muted };
// The longest department names still fit at 1366×768 beside a bar.
const MAX_NAME = 12;
const BAR_WIDTH = 24; // a bar stays slim when there are few categories

const shortName = (s) => (s && s.length > MAX_NAME ? `${s.slice(0, MAX_NAME - 1)}…` : s || '');
const total = (values) => values.reduce((n, v) => n + v, 0);

/** Headline numbers: published entries, requests with deadlines, late ones, data calls in the window. */
export function summary(stats) {
  const r = (stats && stats.requests) || {};
  const calls = (stats && stats.data_calls) || [];
  return {
    published: (stats && stats.catalog && stats.catalog.published) || 0,
    requests: (r.on_time || 0) + (r.overdue || 0) + (r.escalated || 0),
    late: (r.overdue || 0) + (r.escalated || 0),
    calls: total(calls.map((d) => (d.allowed || 0) + (d.denied || 0))),
  };
}

/** A donut of the published entries by share type (Art. 11). */
export function shareTypeOption(stats, label) {
  const rows = ((stats && stats.catalog && stats.catalog.by_share_type) || []).filter((r) => r.count > 0);
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        label: { formatter: '{b}\n{c}' },
        data: rows.map((r) => ({
          name: label(`sharing.shareTypes.${r.share_type}`),
          value: r.count,
          itemStyle: { color: SHARE_TYPE_COLORS[r.share_type] || COLORS.primary },
        })),
      },
    ],
  };
}

/** Horizontal bars of the `top` departments with the most published entries (most at the top). */
export function departmentOption(stats, label, top = 10) {
  const rows = ((stats && stats.catalog && stats.catalog.by_department) || []).slice(0, top).reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => shortName(r.department_name)) },
    series: [{ type: 'bar', barMaxWidth: BAR_WIDTH, name: label('dashboard.entries'), data: rows.map((r) => r.count), itemStyle: { color: COLORS.primary }, label: { show: true, position: 'right' } }],
  };
}

/** A donut of the sharing requests' deadline compliance: on time, overdue, escalated. */
export function complianceOption(stats, label) {
  const r = (stats && stats.requests) || {};
  const parts = [
    ['on_time', COLORS.success],
    ['overdue', COLORS.warning],
    ['escalated', COLORS.danger],
  ];
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        label: { formatter: '{b}\n{c}' },
        // A part with no case keeps its legend but draws no label.
        data: parts.map(([k, color]) => {
          const value = r[k] || 0;
          const hidden = value ? {} : { label: { show: false }, labelLine: { show: false } };
          return { name: label(`dashboard.compliance.${k}`), value, itemStyle: { color }, ...hidden };
        }),
      },
    ],
  };
}

/** Stacked bars of the data calls per day (answered, refused), dates as MM-DD. */
export function callsOption(stats, label) {
  const days = (stats && stats.data_calls) || [];
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
    xAxis: { type: 'category', data: days.map((d) => String(d.date).slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { type: 'bar', barMaxWidth: BAR_WIDTH, stack: 'calls', name: label('dashboard.calls.allowed'), data: days.map((d) => d.allowed || 0), itemStyle: { color: COLORS.primary } },
      { type: 'bar', barMaxWidth: BAR_WIDTH, stack: 'calls', name: label('dashboard.calls.denied'), data: days.map((d) => d.denied || 0), itemStyle: { color: COLORS.danger } },
    ],
  };
}

/** Horizontal bars of the departments with late cases (most at the top). */
export function overdueOption(stats, label, top = 10) {
  const rows = ((stats && stats.overdue_by_department) || []).slice(0, top).reverse();
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map((r) => shortName(r.department_name)) },
    series: [{ type: 'bar', barMaxWidth: BAR_WIDTH, name: label('dashboard.lateCases'), data: rows.map((r) => r.cases), itemStyle: { color: COLORS.warning }, label: { show: true, position: 'right' } }],
  };
}

/** Whether a chart has anything to show (an empty chart shows a note instead). */
export function hasData(option) {
  return (option.series || []).some((s) => (s.data || []).some((d) => (typeof d === 'number' ? d : d && d.value) > 0));
}
