import { describe, it, expect } from 'vitest';
import { callsOption, complianceOption, departmentOption, hasData, overdueOption, shareTypeOption, summary } from '../src/lib/dashboard.js';

const label = (key) => `<${key}>`;
const STATS = {
  generated_at: '2026-11-27T10:00:00+08:00',
  catalog: {
    published: 150,
    by_share_type: [
      { share_type: 'conditional', count: 90 },
      { share_type: 'not_shared', count: 0 },
      { share_type: 'unconditional', count: 60 },
    ],
    by_department: Array.from({ length: 12 }, (_, i) => ({ department_id: i + 1, department_name: i === 0 ? '河北省人力资源和社会保障厅信息中心' : `部门${i}`, count: 20 - i })),
  },
  requests: { on_time: 6, overdue: 1, escalated: 2 },
  data_calls: [
    { date: '2026-11-26', allowed: 3, denied: 1 },
    { date: '2026-11-27', allowed: 5, denied: 0 },
  ],
  overdue_by_department: [
    { department_id: 11, department_name: '河北省公安厅', cases: 2 },
    { department_id: 15, department_name: '河北省人力资源和社会保障厅', cases: 1 },
  ],
};

describe('dashboard', () => {
  it('sums the headline numbers', () => {
    expect(summary(STATS)).toEqual({ published: 150, requests: 9, late: 3, calls: 9 });
    expect(summary(null)).toEqual({ published: 0, requests: 0, late: 0, calls: 0 });
  });

  it('shows the share types with entries, labelled', () => {
    const o = shareTypeOption(STATS, label);
    expect(o.series[0].data.map((d) => [d.name, d.value])).toEqual([
      ['<sharing.shareTypes.conditional>', 90],
      ['<sharing.shareTypes.unconditional>', 60],
    ]);
  });

  it('shows the top 10 departments, most at the top, long names shortened', () => {
    const o = departmentOption(STATS, label);
    expect(o.yAxis.data).toHaveLength(10);
    expect(o.series[0].data[9]).toBe(20); // the last category is drawn at the top
    expect(o.yAxis.data[9]).toBe('河北省人力资源和社会保…');
    expect(o.series[0].data[0]).toBe(11);
  });

  it('shows compliance in three parts and the calls per day stacked', () => {
    expect(complianceOption(STATS, label).series[0].data.map((d) => [d.name, d.value])).toEqual([
      ['<dashboard.compliance.on_time>', 6],
      ['<dashboard.compliance.overdue>', 1],
      ['<dashboard.compliance.escalated>', 2],
    ]);
    const calls = callsOption(STATS, label);
    expect(calls.xAxis.data).toEqual(['11-26', '11-27']);
    expect(calls.series.map((s) => s.data)).toEqual([
      [3, 5],
      [1, 0],
    ]);
    expect(calls.series.every((s) => s.stack === 'calls')).toBe(true);
    expect(overdueOption(STATS, label).yAxis.data).toEqual(['河北省人力资源和社会保…', '河北省公安厅']);
  });

  it('knows when a chart has nothing to show', () => {
    const empty = { catalog: { published: 0, by_share_type: [], by_department: [] }, requests: { on_time: 0, overdue: 0, escalated: 0 }, data_calls: [{ date: '2026-11-27', allowed: 0, denied: 0 }], overdue_by_department: [] };
    for (const make of [shareTypeOption, departmentOption, complianceOption, callsOption, overdueOption]) {
      expect(hasData(make(empty, label)), make.name).toBe(false);
      expect(hasData(make(STATS, label)), make.name).toBe(true);
    }
  });
});
