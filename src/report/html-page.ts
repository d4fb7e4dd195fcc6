// The summary report as one self-contained HTML page: inline CSS, inline SVG charts
// (html-charts.ts), no scripts, and a Content-Security-Policy that forbids loading anything,
// so opening it never touches the network. Every value is escaped. Numbers in tables carry
// their raw value in a data-value attribute, so tools (and tests) can read them back.

import { barChart, columnChart, lineChart } from './html-charts.js';
import { escapeHTML as esc } from './html-escape.js';
import type { Ranked, Summary, TableSummary } from './summary-model.js';

/** Rows shown per list in the page; the CSV files hold them all. */
const HTML_ROW_LIMIT = 200;

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2430;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d5dae3}
h3{font-size:15px;margin:18px 0 6px}.muted{color:#6b7485;fill:#6b7485}
table{border-collapse:collapse;margin:6px 0 12px}th,td{padding:3px 10px;border-bottom:1px solid #e6e9ef;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f5f8}
.chart{display:block;margin:6px 0 14px;max-width:100%;height:auto}
.chart .bg{fill:#fbfcfd}.chart .grid{stroke:#e3e7ee}.chart .axis-line{stroke:#9aa3b2}
.chart .axis{font-size:11px;fill:#4a5366}.chart .line{fill:none;stroke:#2b6cb0;stroke-width:1.5}
.chart .dot{fill:#2b6cb0}.chart .bar{fill:#3182ce}.flag{color:#b42318;font-weight:600}
.state-denied{color:#b42318}.state-approved{color:#2f7d32}.state-pending{color:#9a6700}
`;

function n(value: number, key?: string): string {
  const attr = key === undefined ? '' : ` data-key="${esc(key)}"`;
  return `<td class="n" data-value="${esc(value)}"${attr}>${esc(value.toLocaleString('en-US'))}</td>`;
}

function table(head: readonly string[], rows: readonly string[]): string {
  if (rows.length === 0) return '<p class="muted">none</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function limited<T>(items: readonly T[]): { shown: readonly T[]; note: string } {
  if (items.length <= HTML_ROW_LIMIT) return { shown: items, note: '' };
  return { shown: items.slice(0, HTML_ROW_LIMIT), note: `<p class="muted">first ${HTML_ROW_LIMIT} of ${items.length}; all are in the CSV file</p>` };
}

function rankedTable(column: string, items: readonly Ranked[]): string {
  return table(
    ['#', column, 'packets', 'bytes'],
    items.map((r) => `<tr><td class="n">${r.rank}</td><td>${esc(r.label)}</td>${n(r.packets)}${n(r.bytes)}</tr>`),
  );
}

function totals(s: Summary): string {
  const findingsOnly = s.only === 'findings';
  const head = findingsOnly ? ['table', 'new rows', 'gone rows'] : ['table', 'intervals', 'rows', 'packets', 'bytes', 'new rows', 'gone rows', 'rates flagged'];
  return table(
    head,
    s.tables.map((t) => {
      const k = (c: string): string => `${t.table}.${c}`;
      const cells = findingsOnly
        ? [n(t.newRows.length, k('new_rows')), n(t.goneRows.length, k('gone_rows'))]
        : [
            n(t.intervals, k('intervals')),
            n(t.rows, k('rows')),
            n(t.packets, k('packets')),
            n(t.bytes, k('bytes')),
            n(t.newRows.length, k('new_rows')),
            n(t.goneRows.length, k('gone_rows')),
            n(t.rates.filter((r) => r.flagged).length, k('rates_flagged')),
          ];
      return `<tr data-table="${esc(t.table)}"><td>${esc(t.table)}</td>${cells.join('')}</tr>`;
    }),
  );
}

function tableSection(s: Summary, t: TableSummary): string {
  const from = Date.parse(s.from);
  const to = Date.parse(s.to);
  const step = s.intervalSec * 1000;
  const parts: string[] = [`<section data-table="${esc(t.table)}"><h2>Table ${esc(t.table)}</h2>`];
  if (s.only !== 'findings') {
    parts.push(
      `<h3>Traffic per interval (bytes)</h3>`,
      lineChart(`traffic-${t.table}`, `bytes per interval in ${t.table}`, t.traffic.map((p) => ({ t: Date.parse(p.start), value: p.bytes })), from, to),
    );
  }
  parts.push(
    `<h3>New rows per interval</h3>`,
    columnChart(`new-rows-${t.table}`, `new rows per interval in ${t.table}`, t.findingsPerInterval.map((b) => ({ t: Date.parse(b.start), value: b.newRows })), from, to, step),
  );
  if (s.only !== 'findings') {
    if (t.serviceColumns !== null) {
      parts.push(
        `<h3>Top services by bytes (${esc(t.serviceColumns)})</h3>`,
        barChart(`services-${t.table}`, `top services by bytes in ${t.table}`, t.topServicesByBytes.map((r) => ({ label: r.label, value: r.bytes }))),
        `<h3>Top services by packets</h3>`,
        rankedTable(t.serviceColumns, t.topServicesByPackets),
      );
    }
    if (t.talkerColumn !== null) {
      parts.push(`<h3>Top talkers by bytes (${esc(t.talkerColumn)})</h3>`, rankedTable(t.talkerColumn, t.topTalkersByBytes));
      parts.push(`<h3>Top talkers by packets</h3>`, rankedTable(t.talkerColumn, t.topTalkersByPackets));
    }
  }
  const nr = limited(t.newRows);
  parts.push(
    `<h3>New rows (${t.newRows.length})</h3>`,
    table(
      ['found', ...t.keyColumns, 'packets', 'bytes', 'state now'],
      nr.shown.map(
        (r) =>
          `<tr><td>${esc(r.ts)}</td>${r.key.map((v) => `<td>${esc(v)}</td>`).join('')}${n(r.packets)}${n(r.bytes)}` +
          `<td class="state-${esc(r.state)}">${esc(r.kind === 'denied_row' ? `${r.state} (denied rule)` : r.state)}</td></tr>`,
      ),
    ),
    nr.note,
  );
  const gr = limited(t.goneRows);
  parts.push(
    `<h3>Gone rows (${t.goneRows.length})</h3>`,
    table(['found', ...t.keyColumns, 'packets', 'bytes'], gr.shown.map((r) => `<tr><td>${esc(r.ts)}</td>${r.key.map((v) => `<td>${esc(v)}</td>`).join('')}${n(r.packets)}${n(r.bytes)}</tr>`)),
    gr.note,
  );
  if (s.only !== 'findings') {
    const flagged = t.rates.filter((r) => r.flagged);
    parts.push(`<h3>Rows far above their usual rate (${flagged.length})</h3>`);
    if (t.historyDays === 0 || t.rates.length === 0) parts.push(`<p class="muted">history: ${t.historyDays} day(s); rates are compared from 3 days of history on</p>`);
    const fr = limited(flagged);
    parts.push(
      table(
        [...t.keyColumns, 'bytes/day now', 'median/day', 'p95/day', '× p95'],
        fr.shown.map(
          (r) =>
            `<tr>${r.key.map((v) => `<td>${esc(v)}</td>`).join('')}${n(r.perDay)}${n(Math.round(r.median))}${n(Math.round(r.p95))}` +
            `<td class="n flag">${esc(r.ratio === null ? 'new traffic' : r.ratio.toFixed(1))}</td></tr>`,
        ),
      ),
      fr.note,
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function renderSummaryHTML(s: Summary): string {
  const title = `spanwatch report ${s.name}: ${s.from} to ${s.to}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>`,
    `<h1>spanwatch report <span data-report-name>${esc(s.name)}</span></h1>`,
    `<p class="muted">period <time data-from>${esc(s.from)}</time> to <time data-to>${esc(s.to)}</time> (UTC), intervals of ${esc(s.intervalSec)} s</p>`,
    s.notes.length > 0 ? `<ul class="notes">${s.notes.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '',
    '<h2>Totals</h2>',
    totals(s),
    ...s.tables.map((t) => tableSection(s, t)),
    '</body></html>',
    '',
  ].join('\n');
}
