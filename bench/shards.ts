// The cost of sharding, measured: one 2-worker `--layout partitioned` run against the same
// dataset written as N shards run one after another on this machine plus `dwgen finalize`
// (the target: at most 1.2 × at SF 100). Reports each shard's wall time and its count
// pre-pass, finalize's time, and checks the two datasets are byte-identical. Runs alternate
// (one-machine, sharded, one-machine, …) so drift in the machine's load hits both alike.
// Run: npm run bench:shards -- --scale 10 [--shards 4] [--repeat 2] [--workers 2] [--format csv]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/main.js');
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const scale = flag('scale', '10');
const shards = Number(flag('shards', '4'));
const repeat = Number(flag('repeat', '2'));
const workers = flag('workers', '2');
const format = flag('format', 'csv');
const tmp = flag('tmp-dir', tmpdir());

function dwgen(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args, '--quiet'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DWGEN_FAULT: '' } });
  if (r.status !== 0) throw new Error(`dwgen ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

function checksums(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(`${relative(dir, p)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}\n`);
    }
  };
  walk(join(dir, 'data'));
  hash.update(readFileSync(join(dir, 'metadata/schema.json')));
  return hash.digest('hex');
}

const common = ['--scale', scale, '--workers', workers, '--format', format];
const runs: { one: number; shards: number[]; counts: number[]; finalize: number; identical: boolean }[] = [];
for (let i = 0; i < repeat; i++) {
  const a = mkdtempSync(join(tmp, 'dwgen-bench-one-'));
  const one = dwgen(['generate', ...common, '--layout', 'partitioned', '--out', a]);
  const b = mkdtempSync(join(tmp, 'dwgen-bench-shards-'));
  const times: number[] = [];
  const counts: number[] = [];
  for (let k = 1; k <= shards; k++) {
    times.push(dwgen(['generate', ...common, '--parts', String(shards), '--part', String(k), '--out', b]));
    const m = JSON.parse(readFileSync(join(b, `.dwgen/shard-${String(k).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}/run.json`), 'utf8')) as { count_seconds?: number };
    counts.push(m.count_seconds ?? 0);
  }
  const finalize = dwgen(['finalize', '--out', b, '--workers', workers]);
  const identical = checksums(a) === checksums(b);
  rmSync(a, { recursive: true, force: true });
  rmSync(b, { recursive: true, force: true });
  runs.push({ one, shards: times, counts, finalize, identical });
  const total = times.reduce((s, t) => s + t, 0) + finalize;
  process.stdout.write(
    `run ${i + 1}: one machine ${one.toFixed(2)} s | ${shards} shards ${times.map((t) => t.toFixed(2)).join(' + ')} + finalize ${finalize.toFixed(2)} = ${total.toFixed(2)} s ` +
      `(${(total / one).toFixed(3)} ×) | count pre-pass ${counts.map((c) => c.toFixed(3)).join(', ')} s | identical: ${identical}\n`,
  );
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const ones = runs.map((r) => r.one);
const totals = runs.map((r) => r.shards.reduce((s, t) => s + t, 0) + r.finalize);
const summary = {
  scale: Number(scale), shards, workers: Number(workers), format, repeat,
  one_machine_seconds: median(ones),
  sharded_total_seconds: median(totals),
  ratio: Number((median(totals) / median(ones)).toFixed(3)),
  finalize_seconds: median(runs.map((r) => r.finalize)),
  count_prepass_share_of_a_shard: Number(median(runs.map((r) => r.counts.reduce((s, c) => s + c, 0) / r.shards.reduce((s, t) => s + t, 0)))).toFixed(4),
  identical: runs.every((r) => r.identical),
  runs,
};
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results', `shards-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}Z-sf${scale}-n${shards}.json`), JSON.stringify(summary, null, 2) + '\n');
