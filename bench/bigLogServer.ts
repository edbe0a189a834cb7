/** The real server started on an existing data dir (the big-log fixture), API only: what the search and start-up benchmarks drive. */
import { ADMIN_TOKEN, benchServerEnv, serverBundle, start, type Proc } from './procs';

export interface BigLogServer extends Proc {
  port: number;
  relayPort: number;
  /** ms from spawn to `[xray] ready`. */
  readyMs: number;
  get<T>(path: string): Promise<T>;
}

/**
 * Spawns the server on `dataDir`, API only (`--no-next`), as `npm start` runs it: the one-file
 * bundle (scripts/buildServer.ts, built before the clock starts), not the sources through tsx.
 */
export function spawnOn(dataDir: string, port: number, relayPort: number, extraArgs: string[] = []): Proc & { spawnedAt: number } {
  const bundle = serverBundle();
  const spawnedAt = performance.now();
  const p = start(['--enable-source-maps', bundle, '--no-next', ...extraArgs], benchServerEnv(port, relayPort, dataDir), { tsx: false });
  return { ...p, spawnedAt };
}

export async function startOn(dataDir: string, port: number, relayPort: number): Promise<BigLogServer> {
  const p = spawnOn(dataDir, port, relayPort);
  await p.line((l) => l.includes('[xray] ready'), 600_000);
  const readyMs = performance.now() - p.spawnedAt;
  return {
    ...p,
    port,
    relayPort,
    readyMs,
    async get(path) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as never;
    },
  };
}
