/**
 * `npm run demo`: builds the dashboard if needed, starts the server, and runs a live demo
 * swarm against its relay. Ctrl-C stops both.
 */
import { spawn, spawnSync } from 'node:child_process';
import { buildServerBundle } from './buildServer';
import fs from 'node:fs';
import path from 'node:path';
import { DemoSwarm } from './demoSwarm';

const root = path.resolve(import.meta.dirname, '..');
// The demo's evidence gate (the seed's security_scan) unless the caller brings its own gates.
const env: NodeJS.ProcessEnv = { XRAY_GATES: path.join(root, 'scripts/demo-gates.yaml'), ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
const port = Number(env.PORT ?? 3000);
const relayPort = Number(env.RELAY_PORT ?? 9002);

function buildIfNeeded(): void {
  if (fs.existsSync(path.join(root, '.next', 'BUILD_ID')) && !process.argv.includes('--rebuild')) return;
  console.log('[demo] building the dashboard (first run only, ~30 s)…');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { cwd: root, env, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('[demo] build failed');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  buildIfNeeded();
  // The one-file bundle (scripts/buildServer.ts): starts without transforming every module.
  const server = spawn(process.execPath, ['--enable-source-maps', buildServerBundle()], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.includes('[xray] ready')) resolve();
    });
    server.on('exit', (code) => reject(new Error(`server exited with code ${code} before it was ready`)));
  });

  const swarm = new DemoSwarm({ relayUrl: `ws://127.0.0.1:${relayPort}/ws`, releases: true, log: (l) => console.log(`[demo] ${l}`) });
  await swarm.start();
  const token = env.ADMIN_TOKEN || fs.readFileSync(path.join(path.resolve(root, env.XRAY_DATA_DIR ?? 'data'), 'admin-token'), 'utf8').trim();
  console.log(`\n[demo] swarm running: 1 orchestrator + 8 workers + a security scanner (releases pass the security_scan gate: /gates).`);
  console.log(`[demo] open http://localhost:${port}/auth/login?token=${token}  (logs you in) — Ctrl-C to stop.\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('[demo] stopping…');
    await swarm.stop().catch(() => undefined);
    server.kill('SIGTERM');
  };
  server.on('exit', (code) => process.exit(stopping ? 0 : (code ?? 1)));
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  console.error(`[demo] ${err.message}`);
  process.exit(1);
});
