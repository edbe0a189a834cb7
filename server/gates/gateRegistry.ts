/**
 * The configured gates, from the YAML file named by XRAY_GATES, reloaded when the file
 * changes (polled by stat, so editors that replace the file are seen too). A file that
 * fails to load at start-up stops the process with the reason; a bad edit later keeps the
 * last good gates and reports the error (GET /v1/gates, the Gates page) until it is fixed.
 */
import fs from 'node:fs';
import { GateConfigError, parseGateConfig, type GateDefinition } from '../../lib/gates/gateConfig';

export class GateRegistry {
  private gates = new Map<string, GateDefinition>();
  /** The last reload's error, null when the file in force loaded cleanly. */
  error: string | null = null;
  loadedAt = 0;
  private watching = false;

  constructor(
    readonly file: string | null,
    private readonly pollMs = 1000,
  ) {
    if (!file) return;
    this.replace(this.read(file)); // throws: a bad file at start-up is a configuration error
    fs.watchFile(file, { interval: pollMs, persistent: false }, () => this.reload());
    this.watching = true;
  }

  /** From definitions rather than a file (tests, embedding). */
  static of(gates: GateDefinition[]): GateRegistry {
    const r = new GateRegistry(null);
    r.replace(gates);
    return r;
  }

  private read(file: string): GateDefinition[] {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new GateConfigError(`cannot read ${file}: ${(err as Error).message}`);
    }
    try {
      return parseGateConfig(text);
    } catch (err) {
      throw new GateConfigError(`${file}: ${(err as Error).message}`);
    }
  }

  private replace(gates: GateDefinition[]): void {
    this.gates = new Map(gates.map((g) => [g.name, g]));
    this.loadedAt = Date.now();
    this.error = null;
  }

  /** Re-reads the file; keeps the previous gates when it does not load. */
  reload(): void {
    if (!this.file) return;
    try {
      this.replace(this.read(this.file));
      console.log(`[gates] loaded ${this.gates.size} gate(s) from ${this.file}`);
    } catch (err) {
      this.error = (err as Error).message;
      console.error(`[gates] keeping the previous gates: ${this.error}`);
    }
  }

  get(name: string): GateDefinition | undefined {
    return this.gates.get(name);
  }

  list(): GateDefinition[] {
    return [...this.gates.values()];
  }

  close(): void {
    if (this.watching && this.file) fs.unwatchFile(this.file);
    this.watching = false;
  }
}
