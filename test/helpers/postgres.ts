// A PostgreSQL server for the tests: the one CI starts (.ci/setup.d/40-postgres.sh exports its URL
// as DWGEN_TEST_PG_URL) or, run locally without it, a throwaway cluster of scripts/pg-cluster.sh.
// Under CI a missing URL is an error, never a skip. Each test gets a database of its own.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from './dwgen.js';

export interface TestServer {
  readonly url: string;
  /** A new empty database on the server; its URL. */
  database(): Promise<string>;
  /** Runs SQL against a database URL and returns the rows. */
  query(url: string, sql: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  let url = process.env.DWGEN_TEST_PG_URL;
  let dir: string | null = null;
  if (!url) {
    if (process.env.CI) throw new Error('DWGEN_TEST_PG_URL is not set: CI starts PostgreSQL in .ci/setup.d/40-postgres.sh and exports its URL');
    const parent = mkdtempSync(join(tmpdir(), 'dwgen-test-pg-'));
    chmodSync(parent, 0o755); // run as root, the server runs as the postgres user, which must reach the cluster directory
    dir = join(parent, 'cluster');
    try {
      url = execFileSync('bash', [join(ROOT, 'scripts/pg-cluster.sh'), 'start', dir], { encoding: 'utf8' }).trim();
    } catch (err) {
      rmSync(join(dir, '..'), { recursive: true, force: true });
      throw new Error(`could not start a throwaway PostgreSQL cluster (scripts/pg-cluster.sh): ${(err as Error).message}`);
    }
  }
  const serverUrl = url;
  const query = async (target: string, sql: string): Promise<Record<string, unknown>[]> => {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  let n = 0;
  const created: string[] = [];
  return {
    url: serverUrl,
    async database() {
      const name = `dwgen_test_${process.pid}_${Date.now().toString(36)}_${n++}`;
      await query(serverUrl, `CREATE DATABASE ${name}`);
      created.push(name);
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    query,
    async stop() {
      if (dir) execFileSync('bash', [join(ROOT, 'scripts/pg-cluster.sh'), 'stop', dir]);
      else for (const name of created) await query(serverUrl, `DROP DATABASE IF EXISTS ${name}`).catch(() => {});
      if (dir) rmSync(join(dir, '..'), { recursive: true, force: true });
    },
  };
}
