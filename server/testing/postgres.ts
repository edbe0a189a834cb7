/**
 * A throwaway PostgreSQL server per test suite, from the machine's PostgreSQL binaries
 * (Debian's `postgresql` package: /usr/lib/postgresql/<major>/bin). A real server, never a
 * mock: initdb into a temp dir owned by the `postgres` user (initdb refuses to run as root),
 * started by pg_ctl on a free loopback port with its socket in the same dir, trust auth.
 * `stop()`/`start()` take the same cluster down and up again for outage tests.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './serverProcess';

const run = promisify(execFile);

/** The newest installed PostgreSQL's bin dir, or null when PostgreSQL is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const majors = fs
    .readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(root, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? path.join(root, majors[0], 'bin') : null;
}

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  /** A fresh empty database on this server (one per test that needs its own log). */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown: every connection is cut (an outage). */
  stop(): Promise<void>;
  /** Starts the same cluster again on the same port. */
  start(): Promise<void>;
  /** Stops the server and deletes its files. */
  destroy(): Promise<void>;
}

let dbCounter = 0;

export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xray-pg-'));
  const dataDir = path.join(dir, 'pg');
  const asPostgres = async (cmd: string, args: string[]) => {
    // initdb and the server refuse to run as root: run them as the `postgres` user when we are root.
    if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { timeout: 60_000 });
    return run(path.join(bin, cmd), args, { timeout: 60_000 });
  };
  if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', dir]);
  fs.chmodSync(dir, 0o700);
  await asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // fsync on: the SIGKILL tests need what PostgreSQL acked to be durable as in production.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB`;
  const start = async () => {
    await asPostgres('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  };
  const stop = async () => {
    await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    url,
    port,
    async createDatabase(name = `xray_${process.pid}_${++dbCounter}`) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (!running) return;
      await stop();
      running = false;
    },
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      try {
        if (running) await stop();
      } catch {
        /* already down */
      }
      running = false;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
