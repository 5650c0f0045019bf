// Report formatting for `dwgen validate`: one text line per check (status, name, violating rows,
// up to 5 examples) and the same content as JSON for --json.
import type { ValidationReport } from './runner.js';

export function formatText(report: ValidationReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => {
    const head = `${c.status}  ${c.name.padEnd(width)}  `;
    if (c.status === 'SKIP') return `${head}-  ${c.message ?? ''}`.trimEnd();
    const parts = [String(c.violations)];
    if (c.message) parts.push(c.message);
    if (c.examples.length > 0) parts.push(`e.g. ${c.examples.join(' | ')}`);
    return `${head}${parts.join('  ')}`;
  });
  const verdict = report.ok ? 'OK' : 'FAILED';
  lines.push(
    `${report.checks.length} checks: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped ` +
      `(${report.tables.length} tables, ${(report.elapsedMs / 1000).toFixed(1)} s) — ${verdict}`,
  );
  return `${lines.join('\n')}\n`;
}

export function formatJson(report: ValidationReport): string {
  return `${JSON.stringify(
    {
      dir: report.dir,
      ok: report.ok,
      tables: report.tables,
      summary: { checks: report.checks.length, passed: report.passed, failed: report.failed, skipped: report.skipped, elapsed_ms: report.elapsedMs },
      checks: report.checks.map((c) => ({
        name: c.name,
        status: c.status,
        violations: c.violations,
        examples: c.examples,
        description: c.description,
        ...(c.message ? { message: c.message } : {}),
      })),
    },
    null,
    2,
  )}\n`;
}
