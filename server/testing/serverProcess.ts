/** Runs the real server as a child process (relay only), for restart and SIGKILL tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** The real server as a child process, its stdout and stderr collected in one string. */
function spawnServer(env: Record<string, string>, args: string[]): { child: ChildProcess; output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/index.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

export async function startServerProcess(env: Record<string, string>, args: string[] = ['--relay-only']): Promise<ServerProcess> {
  const { child, output } = spawnServer(env, args);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output()}`)), 20_000);
    const check = () => {
      if (output().includes('[xray] ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before ready:\n${output()}`));
    });
  });
  return { child, output, exited };
}

/** Runs the server expecting it to refuse to start: resolves with its exit code and output. */
export function runServerToExit(env: Record<string, string>, args: string[] = ['--relay-only'], timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnServer(env, args);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not exit in ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    });
  });
}
