// Inline SVG charts for the HTML report, drawn here as text: no scripts, no fonts, no
// network, so the page works from a mail client or a file:// URL. Every value that
// reaches the markup goes through escapeHTML; every number through a finite-number check.
// Each chart is one <svg class="chart" data-chart="…"> with a fixed width and height.

import { max, ticks } from 'd3-array';
import { escapeHTML } from './html-escape.js';

const W = 720;
const H = 220;
const M = { top: 12, right: 16, bottom: 34, left: 64 };

export interface TimePoint {
  /** ms since the epoch */
  t: number;
  value: number;
}

/** Short number labels for axes: 1.2k, 3.4M. */
export function shortNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toFixed(1)}G`;
  if (a >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(+n.toFixed(2));
}

function timeLabel(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

function open(id: string, title: string, height = H): string {
  return (
    `<svg class="chart" data-chart="${escapeHTML(id)}" role="img" aria-label="${escapeHTML(title)}" ` +
    `width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHTML(title)}</title><rect class="bg" x="0" y="0" width="${W}" height="${height}"/>`
  );
}

function empty(id: string, title: string): string {
  return `${open(id, title)}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">no data in this period</text></svg>`;
}

function yAxis(yMax: number, y: (v: number) => number): string {
  let out = '';
  for (const v of ticks(0, yMax, 4)) {
    const py = y(v).toFixed(1);
    out += `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}"/>`;
    out += `<text class="axis" x="${M.left - 6}" y="${py}" dy="0.32em" text-anchor="end">${escapeHTML(shortNumber(v))}</text>`;
  }
  return out;
}

function xAxis(t0: number, t1: number, x: (t: number) => number): string {
  let out = `<line class="axis-line" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/>`;
  const n = t1 > t0 ? 4 : 0;
  for (let i = 0; i <= n; i++) {
    const t = t0 + ((t1 - t0) * i) / (n || 1);
    out += `<text class="axis" x="${x(t).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeHTML(timeLabel(t))}</text>`;
  }
  return out;
}

/** A line over time (traffic per interval). */
export function lineChart(id: string, title: string, points: readonly TimePoint[], from: number, to: number): string {
  const pts = points.filter((p) => Number.isFinite(p.value));
  if (pts.length === 0) return empty(id, title);
  const yMax = Math.max(1, max(pts, (p) => p.value) ?? 1);
  const x = (t: number): number => M.left + ((t - from) / Math.max(1, to - from)) * (W - M.left - M.right);
  const y = (v: number): number => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
  // One point alone draws no line; a dot shows it.
  const dots = pts.length === 1 ? `<circle class="dot" cx="${x(pts[0]!.t).toFixed(1)}" cy="${y(pts[0]!.value).toFixed(1)}" r="3"/>` : '';
  return `${open(id, title)}${yAxis(yMax, y)}${xAxis(from, to, x)}<path class="line" d="${d}"/>${dots}</svg>`;
}

/** Vertical bars over time, one per interval (new rows per interval). */
export function columnChart(id: string, title: string, points: readonly TimePoint[], from: number, to: number, stepMs: number): string {
  if (points.length === 0) return empty(id, title);
  const yMax = Math.max(1, max(points, (p) => p.value) ?? 1);
  const x = (t: number): number => M.left + ((t - from) / Math.max(1, to - from)) * (W - M.left - M.right);
  const y = (v: number): number => H - M.bottom - (v / yMax) * (H - M.top - M.bottom);
  const bw = Math.max(1, ((W - M.left - M.right) * stepMs) / Math.max(1, to - from) - 1);
  let bars = '';
  for (const p of points) {
    if (!(p.value > 0)) continue;
    bars += `<rect class="bar" x="${x(p.t).toFixed(1)}" y="${y(p.value).toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - M.bottom - y(p.value)).toFixed(1)}"><title>${escapeHTML(`${new Date(p.t).toISOString()}: ${p.value}`)}</title></rect>`;
  }
  return `${open(id, title)}${yAxis(yMax, y)}${xAxis(from, to, x)}${bars}</svg>`;
}

/** Horizontal bars with labels (top services). */
export function barChart(id: string, title: string, bars: readonly { label: string; value: number }[]): string {
  if (bars.length === 0) return empty(id, title);
  const row = 22;
  const height = M.top + bars.length * row + 10;
  const left = 150;
  const vMax = Math.max(1, max(bars, (b) => b.value) ?? 1);
  let out = open(id, title, height);
  bars.forEach((b, i) => {
    const y = M.top + i * row;
    const w = Math.max(1, (b.value / vMax) * (W - left - 90));
    out += `<text class="axis" x="${left - 8}" y="${y + row / 2}" dy="0.32em" text-anchor="end">${escapeHTML(b.label)}</text>`;
    out += `<rect class="bar" x="${left}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 6}"/>`;
    out += `<text class="axis" x="${(left + w + 6).toFixed(1)}" y="${y + row / 2}" dy="0.32em">${escapeHTML(shortNumber(b.value))}</text>`;
  });
  return out + '</svg>';
}
