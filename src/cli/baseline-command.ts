// `spanwatch baseline …`: look at and change what is normal. Keys are given as the table's
// key values in table order (`approve conn 10.0.0.5 198.51.100.7 tcp 443`); every command
// that lists rows takes --format table|csv|json. Usage and store errors exit 2.

import { Command } from 'commander';
import { diffWithSave, listSaves, loadSave, restoreFrom, saveAs } from '../baseline/baseline-saves.js';
import { splitKey, isoOrEmpty, STATUS_TIME_COLUMN, STATUSES, type RowStatus, type TableBaseline } from '../baseline/table-baseline.js';
import { parseDuration } from '../config/duration.js';
import { BaselineContext, storeAction, type BaselineCommonOptions } from './baseline-context.js';
import { decide, pendingDecisions, prune } from './baseline-edit.js';
import { parseFormat, printRows } from './baseline-output.js';
import { applySnapshot, seenInCapture, seenInReports } from './baseline-snapshot.js';
import { UsageError } from './usage-error.js';

type Opts = BaselineCommonOptions & Record<string, unknown>;

function common(cmd: Command, format = true): Command {
  cmd.option('-c, --config <file>', 'config file (default: ./spanwatch.yaml if present, else built-in)');
  cmd.option('--baselines <dir>', 'baseline store, overrides baselines_dir (default: baselines)');
  if (format) cmd.option('--format <format>', 'table, csv or json', 'table');
  return cmd;
}

export function registerBaselineCommand(program: Command): void {
  const b = program
    .command('baseline')
    .description('what is normal: snapshot, approve, deny, forget, show, save and restore baseline rows')
    .addHelpText('after', '\nKeys are the key values in table order, e.g.\n  spanwatch baseline approve conn 10.0.0.5 198.51.100.7 tcp 443 --note "new CRM vendor"');

  common(b.command('snapshot').description('approve every row seen in a capture or in written reports'))
    .option('-r, --read <file>', 'capture to count, as `run` counts it')
    .option('--from-reports <days>', 'interval CSVs under reports/ for a day or range: 2026-11-01..2026-11-07')
    .option('--reports <dir>', 'reports directory for --from-reports (default: reports_dir)')
    .option('--table <name>', 'only this table (default: every table)')
    .option('--interval <duration>', 'interval length for --read')
    .action((o: Opts) => storeAction(() => snapshot(o)));

  common(b.command('pending').description('rows reported as new, awaiting approve or deny')).option('--table <name>', 'only this table').action((o: Opts) =>
    storeAction(() => {
      const ctx = new BaselineContext(o);
      listRows(ctx, o.table ? [String(o.table)] : ctx.tableNames(), 'pending', parseFormat(o.format));
    }),
  );

  common(b.command('approve [table] [values...]').description('approve a row (or --all-pending) into the baseline'), false)
    .option('--note <text>', 'why (kept in the baseline and the history)')
    .option('--all-pending', 'approve every pending row')
    .option('--table <name>', 'with --all-pending: only this table')
    .action((table: string | undefined, values: string[], o: Opts) =>
      storeAction(async () => {
        const ctx = new BaselineContext(o);
        const note = o.note as string | undefined;
        if (o.allPending) {
          if (table !== undefined) throw new UsageError('approve --all-pending takes no key (use --table to pick a table)');
          if (o.table !== undefined) ctx.keyColumns(String(o.table));
          const n = await decide(ctx, 'approve', pendingDecisions(ctx, o.table as string | undefined), note);
          process.stdout.write(`approved ${n} pending row${n === 1 ? '' : 's'}\n`);
          return;
        }
        if (table === undefined) throw new UsageError('approve: give a table and its key values, or --all-pending');
        const key = ctx.keyOf(table, values);
        await decide(ctx, 'approve', [{ table, key }], note);
        process.stdout.write(`approved ${table} ${key}\n`);
      }),
    );

  for (const [name, verb, help] of [
    ['deny', 'denied', 'deny a row: it is reported as denied_row whenever it is seen'],
    ['forget', 'forgot', 'remove a row from the baseline, pending and denied rows: it is new again'],
  ] as const) {
    const cmd = common(b.command(`${name} <table> [values...]`).description(help), false);
    if (name === 'deny') cmd.option('--note <text>', 'why (kept in the baseline and the history)');
    cmd.action((table: string, values: string[], o: Opts) =>
      storeAction(async () => {
        const ctx = new BaselineContext(o);
        const key = ctx.keyOf(table, values);
        await decide(ctx, name, [{ table, key }], o.note as string | undefined);
        process.stdout.write(`${verb} ${table} ${key}\n`);
      }),
    );
  }

  common(b.command('show <table>').description("a table's baseline rows (approved by default)"))
    .option('--status <status>', 'approved, pending, denied or all', 'approved')
    .action((table: string, o: Opts) =>
      storeAction(() => {
        const status = String(o.status);
        if (status !== 'all' && !STATUSES.includes(status as RowStatus)) throw new UsageError(`--status "${status}": expected approved, pending, denied or all`);
        const ctx = new BaselineContext(o);
        listRows(ctx, [table], status === 'all' ? null : (status as RowStatus), parseFormat(o.format));
      }),
    );

  common(b.command('list').description('tables: rows approved, pending, denied; learning; last change')).action((o: Opts) =>
    storeAction(() => {
      const ctx = new BaselineContext(o);
      const last = new Map<string, string>();
      for (const e of ctx.store.history.read()) last.set(e.table, e.time > (last.get(e.table) ?? '') ? e.time : last.get(e.table)!);
      const rows = ctx.tableNames().map((t) => {
        const tb = ctx.store.load(t, ctx.keyColumns(t));
        return [t, ctx.keyColumns(t).join(' '), String(tb.count('approved')), String(tb.count('pending')), String(tb.count('denied')), learningText(tb), last.get(t) ?? ''];
      });
      const objects = rows.map(([table, key, a, p, d, learning, lastChange]) => ({ table, key_fields: key!.split(' '), approved: Number(a), pending: Number(p), denied: Number(d), learning, last_change: lastChange }));
      printRows(parseFormat(o.format), ['table', 'key', 'approved', 'pending', 'denied', 'learning', 'last_change'], rows, objects);
    }),
  );

  common(b.command('history').description('every change to the baselines, oldest first'))
    .option('--table <name>', 'only this table')
    .option('--limit <n>', 'only the last n entries')
    .action((o: Opts) =>
      storeAction(() => {
        const ctx = new BaselineContext(o);
        let entries = ctx.store.history.read(`${ctx.store.display}/history.jsonl`).filter((e) => o.table === undefined || e.table === o.table);
        if (o.limit !== undefined) entries = entries.slice(-Math.max(0, Number(o.limit)));
        const rows = entries.map((e) => [e.time, e.action, e.table, e.key?.join(' ') ?? '', e.note + (e.label ? `${e.note ? ' ' : ''}[${e.label}]` : ''), e.user]);
        printRows(parseFormat(o.format), ['time', 'action', 'table', 'key', 'note', 'user'], rows, parseFormat(o.format) === 'json' ? entries : undefined);
      }),
    );

  common(b.command('save').description('save every table under a label (baselines/saves/<label>)'), false)
    .requiredOption('--label <label>', 'name of the save')
    .option('--force', 'replace a save of the same name')
    .action((o: Opts) =>
      storeAction(async () => {
        const ctx = new BaselineContext(o);
        const tables = await ctx.store.update(() => saveAs(ctx.store, String(o.label), ctx.keyColumnsOf, o.force === true, ctx.nowISO()));
        process.stdout.write(`saved ${tables.length} table${tables.length === 1 ? '' : 's'} as ${String(o.label)}\n`);
      }),
    );

  common(b.command('saves').description('the named saves')).action((o: Opts) =>
    storeAction(() => {
      const ctx = new BaselineContext(o);
      printRows(parseFormat(o.format), ['label', 'time', 'tables'], listSaves(ctx.store).map((s) => [s.label, s.time, s.tables.join(' ')]));
    }),
  );

  common(b.command('restore <label>').description('make the baselines what they were at a save (the current state is saved first)'), false).action(
    (label: string, o: Opts) =>
      storeAction(async () => {
        const ctx = new BaselineContext(o);
        const r = await ctx.store.update(() => restoreFrom(ctx.store, label, ctx.keyColumnsOf, ctx.nowISO()));
        process.stdout.write(`restored ${r.tables.join(', ') || 'no tables'} from ${label}; undo with: spanwatch baseline restore ${r.undo}\n`);
      }),
  );

  common(b.command('diff <label>').description('rows whose status changed since a save')).action((label: string, o: Opts) =>
    storeAction(() => {
      const ctx = new BaselineContext(o);
      const saved = loadSave(ctx.store, label, ctx.keyColumnsOf);
      const current = new Map<string, TableBaseline>();
      for (const t of new Set([...saved.keys(), ...ctx.store.tables()])) {
        const cols = ctx.keyColumnsOf(t);
        if (cols) current.set(t, ctx.store.load(t, cols));
      }
      const changes = diffWithSave(saved, current);
      printRows(parseFormat(o.format), ['table', 'key', 'before', 'now'], changes.map((c) => [c.table, c.key.join(' '), c.before, c.now]), parseFormat(o.format) === 'json' ? changes : undefined);
    }),
  );

  common(b.command('prune').description('forget approved rows not seen for a while'))
    .requiredOption('--unseen-for <duration>', 'e.g. 90d')
    .option('--table <name>', 'only this table')
    .option('--dry-run', 'list what would be forgotten, change nothing')
    .action((o: Opts) =>
      storeAction(async () => {
        const sec = parseDuration(String(o.unseenFor));
        if (sec === null || sec <= 0) throw new UsageError(`--unseen-for "${String(o.unseenFor)}": expected a duration such as 90d`);
        const ctx = new BaselineContext(o);
        const tables = o.table !== undefined ? [String(o.table)] : ctx.tableNames().filter((t) => ctx.store.tables().includes(t));
        for (const t of tables) ctx.keyColumns(t);
        const gone = await prune(ctx, tables, sec * 1000, o.dryRun === true);
        const format = parseFormat(o.format);
        printRows(format, ['table', 'key', 'last_seen'], gone.map((g) => [g.table, g.key.join(' '), g.last_seen]), format === 'json' ? gone : undefined);
      }),
    );
}

async function snapshot(o: Opts): Promise<void> {
  const read = o.read as string | undefined;
  const range = o.fromReports as string | undefined;
  if ((read === undefined) === (range === undefined)) throw new UsageError('snapshot: give either --read FILE or --from-reports DAYS');
  const ctx = new BaselineContext(o);
  if (o.interval !== undefined) {
    const sec = parseDuration(String(o.interval));
    if (sec === null || sec < 1 || !Number.isInteger(sec)) throw new UsageError(`--interval "${String(o.interval)}": expected a whole number of seconds ≥ 1`);
    (ctx.plan as { intervalSec: number }).intervalSec = sec;
  }
  const tables = o.table !== undefined ? [String(o.table)] : [...ctx.configTables.keys()];
  for (const t of tables) if (!ctx.configTables.has(t)) throw new UsageError(`unknown table "${t}"; tables in the config: ${[...ctx.configTables.keys()].join(', ')}`);
  const seen = read !== undefined ? await seenInCapture(ctx, read, tables) : seenInReports(ctx, range!, tables).seen;
  const results = await applySnapshot(ctx, seen, read !== undefined ? `snapshot of ${read}` : `snapshot of reports ${range}`);
  const format = parseFormat(o.format);
  if (format !== 'table') {
    printRows(format, ['table', 'seen', 'added', 'promoted', 'already', 'denied'], results.map((r) => [r.table, String(r.seen), String(r.added), String(r.promoted), String(r.already), String(r.denied)]), format === 'json' ? results : undefined);
    return;
  }
  for (const r of results) {
    process.stdout.write(`${r.table}: ${r.seen} rows seen: ${r.added} added, ${r.promoted} pending approved, ${r.already} already approved${r.denied ? `, ${r.denied} denied (left denied)` : ''}\n`);
  }
}

function listRows(ctx: BaselineContext, tables: readonly string[], status: RowStatus | null, format: ReturnType<typeof parseFormat>): void {
  const cols = tables.map((t) => ctx.keyColumns(t));
  const single = tables.length === 1;
  const timeCol = status ? STATUS_TIME_COLUMN[status] : 'decided_at';
  const objects: unknown[] = [];
  const rows: string[][] = [];
  for (let i = 0; i < tables.length; i++) {
    const table = tables[i]!;
    const tb = ctx.store.load(table, cols[i]!);
    for (const [key, r] of tb.sorted(status ?? undefined)) {
      const values = splitKey(key);
      const times = [isoOrEmpty(r.firstSeen), isoOrEmpty(r.lastSeen), isoOrEmpty(r.at), r.note];
      rows.push([...(single ? [] : [table]), ...(single ? values : [values.join(' ')]), ...(status ? [] : [r.status]), ...times]);
      objects.push({ table, key_fields: cols[i], key: values, status: r.status, first_seen: times[0], last_seen: times[1], [timeCol]: times[2], note: r.note });
    }
  }
  const header = [...(single ? cols[0]! : ['table', 'key']), ...(status ? [] : ['status']), 'first_seen', 'last_seen', timeCol, 'note'];
  printRows(format, header, rows, format === 'json' ? objects : undefined);
}

function learningText(tb: TableBaseline): string {
  if (tb.learningUntil !== null) return `until ${isoOrEmpty(tb.learningUntil)}`;
  return tb.exists ? 'no' : 'not started';
}
