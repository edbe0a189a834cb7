/**
 * G8 backups: `npm run backup -- --out FILE` while the real server ingests; a second server
 * started on the copy serves every event up to the copy's head, identical to the original.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postJson, tempDir } from '../testing/harness';
import { freePort, startServerProcess, type ServerProcess } from '../testing/serverProcess';

const ROOT = path.resolve(import.meta.dirname, '../..');
const servers: ServerProcess[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill('SIGKILL');
});

function runBackup(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'backup', '--', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function readAll(url: string): Promise<any[]> {
  const out: any[] = [];
  let after = 0;
  for (;;) {
    const page = await (await fetch(`${url}/v1/events?after=${after}&limit=5000`)).json();
    out.push(...page.events);
    if (!page.more) return out;
    after = page.next_after;
  }
}

describe('[G8] backups', () => {
  it('[G8] a backup taken under load restores with every event up to its head', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const relayPort = await freePort();
    const server = await startServerProcess({ XRAY_DATA_DIR: dataDir, RELAY_PORT: String(relayPort) });
    servers.push(server);
    const url = `http://127.0.0.1:${relayPort}`;
    // Some history first, so the copy has real work to do.
    for (let i = 0; i < 20; i++) await postJson(`${url}/v1/broadcast`, { topic: 'history', payload: `h${i} ${'q'.repeat(2000)}` });

    // Load: 8 writers posting broadcasts back to back until told to stop.
    let stop = false;
    const ackedBeforeBackup = new Map<string, number>();
    let backupStarted = false;
    let written = 0;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const r = await postJson(`${url}/v1/broadcast`, { topic: `load-${w}`, payload: `w${w}-${i} ${'x'.repeat(500)}`, id: `load-${w}-${i}` });
        expect(r.status).toBe(200);
        written++;
        if (!backupStarted) ackedBeforeBackup.set(r.body.id, r.body.seq);
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    const out = path.join(tempDir('xray-backup-'), 'copy.db');
    backupStarted = true;
    const writtenAtStart = written;
    const backup = await runBackup(['--out', out], { XRAY_DATA_DIR: dataDir });
    const writtenDuring = written - writtenAtStart;
    await new Promise((r) => setTimeout(r, 300)); // keep writing after the copy, too
    stop = true;
    await Promise.all(writers);
    expect(backup.code, backup.stderr).toBe(0);
    const report = JSON.parse(backup.stdout.trim().split('\n').at(-1)!);
    expect(report.out).toBe(out);
    expect(writtenDuring).toBeGreaterThan(0); // the server really was ingesting during the backup
    const originalHead = (await (await fetch(`${url}/healthz`)).json()).head;
    expect(originalHead).toBeGreaterThan(report.head); // and kept going after it
    console.log(`[backup test] copy head ${report.head} of ${originalHead}, ${report.bytes} bytes in ${report.ms} ms; ${writtenDuring} writes acked during the backup`);

    // Restore: a fresh data dir holding only the copy.
    const restoreDir = tempDir();
    fs.copyFileSync(out, path.join(restoreDir, 'events.db'));
    const restorePort = await freePort();
    const restored = await startServerProcess({ XRAY_DATA_DIR: restoreDir, RELAY_PORT: String(restorePort) });
    servers.push(restored);
    const copy = await readAll(`http://127.0.0.1:${restorePort}`);
    expect(copy.map((e) => e.seq)).toEqual(Array.from({ length: report.head }, (_, i) => i + 1));
    const original = (await readAll(url)).filter((e) => e.seq <= report.head);
    expect(copy).toEqual(original);
    // Everything acknowledged before the backup began is in it.
    const ids = new Set(copy.map((e) => e.id));
    for (const id of ackedBeforeBackup.keys()) expect(ids.has(id), `acked ${id} missing from the backup`).toBe(true);
  });

  it('[G8] refuses to overwrite an existing file and explains its usage', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'events.db'), '');
    const existing = path.join(dir, 'existing.db');
    fs.writeFileSync(existing, 'keep me');
    const r = await runBackup(['--out', existing, '--data-dir', dir], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists; refusing to overwrite');
    expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
    const none = await runBackup([], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: npm run backup -- --out FILE');
  });
});
