// Bench helper (owned by the benchmarks, issue 5): preloaded into a benchmarked dwgen process with
// `node --import`; at exit it records the whole process's peak RSS and CPU time (main + worker threads).
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const out = process.env.DWGEN_BENCH_RSS_FILE;
if (isMainThread && out) {
  process.on('exit', (code) => {
    const u = process.resourceUsage(); // getrusage(RUSAGE_SELF): every thread of the process
    writeFileSync(out, JSON.stringify({ max_rss_kb: u.maxRSS, user_cpu_us: u.userCPUTime, system_cpu_us: u.systemCPUTime, exit_code: code }));
  });
}
