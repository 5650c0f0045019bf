// A whole generate run to a local S3-compatible server (s3rver on loopback) against the same run to
// local disk: wall time, throughput ratio and peak RSS (issue 12's target figure). Alternates local
// and S3 runs. Run: npx tsx bench/s3Run.ts [--scale 10] [--repeat 2] [--part-mb 16]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startS3Server, removeS3Directory } from '../test/helpers/s3Server.js';

const ROOT = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const scale = flag('scale', '10');
const repeat = Number(flag('repeat', '2'));
const partMb = flag('part-mb', '16');

const server = await startS3Server({ buckets: ['dwgen-bench'] });

function run(out: string, extra: string[]): Promise<{ seconds: number; rssMb: number }> {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'dwgen-time-')), 't');
  const args = ['-f', '%e %M', '-o', timeFile, process.execPath, join(ROOT, 'dist/main.js'), 'generate', '--scale', scale, '--workers', '2', '--layout', 'partitioned', '--quiet', '--out', out, ...extra];
  return new Promise((res, rej) => {
    const child = spawn('/usr/bin/time', args, { env: { ...process.env, ...server.env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => {
      if (code !== 0) return rej(new Error(`generate exited ${code}`));
      const [s, kb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
      res({ seconds: s, rssMb: kb / 1024 });
    });
  });
}

const rows: string[] = [];
for (let i = 0; i < repeat; i++) {
  const local = mkdtempSync(join(tmpdir(), 'dwgen-s3run-'));
  const l = await run(local, []);
  rmSync(local, { recursive: true, force: true });
  const s = await run(`s3://dwgen-bench/run${i}`, ['--s3-part-mb', partMb]);
  rows.push(`run ${i + 1}: local ${l.seconds.toFixed(2)} s (peak RSS ${l.rssMb.toFixed(0)} MiB) | s3 ${s.seconds.toFixed(2)} s (peak RSS ${s.rssMb.toFixed(0)} MiB) | throughput ratio s3/local ${(l.seconds / s.seconds).toFixed(2)} | part size ${partMb} MiB`);
  process.stdout.write(rows[rows.length - 1] + '\n');
}
await server.stop();
removeS3Directory(server);
