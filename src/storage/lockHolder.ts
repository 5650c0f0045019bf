// What both stores' locks ask of a holder recorded as {pid, host}: whether that process still runs
// (only meaningful on the same host).

/** Whether a process of this host is running (EPERM: it runs, under another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
