/**
 * The alerting subsystem as the composition root sees it: rules from a YAML file (reloaded
 * on change; a bad file keeps the previous rules and says why), the engine fed from the
 * writer's commits, a timer for absence and sliding windows, transitions appended to the log
 * as `alert.transition` events through the normal writer, and webhooks delivered off the
 * commit path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AlertEngine, ALERTS_AGENT, type ActiveAlert } from '../../lib/alerts/engine';
import type { ConditionContext } from '../../lib/alerts/condition';
import { parseRuleFile, type RuleSet } from '../../lib/alerts/ruleFile';
import type { AlertTransitionData, XrayEvent } from '../../lib/protocol/events';
import { alertTransitionData } from '../../lib/protocol/events';
import { mintEventId } from '../../lib/protocol/ids';
import { XrayError } from '../../lib/protocol/errors';
import type { LogWriter } from '../store/logWriter';
import type { CommitSource } from '../commitPipeline';
import type { EventLog } from '../store/eventLog';
import { primeThenFollow } from '../store/followCommits';
import { readAll, readPages } from '../store/readPages';
import type { AlertsConfig } from './alertsConfig';
import { ConditionMetrics } from './conditionMetrics';
import { buildDelivery } from './payload';
import { WebhookDispatcher } from './webhooks';

/** Transitions kept for the history page (also read back from the log at start). */
const HISTORY = 200;
/** Seqs of log searched for past transitions at start (the agent column has no index: bounded scan). */
const HISTORY_LOOKBACK = 200_000;
/** Seqs per start-up read, the event loop free in between (readPages seqSpan): agents are acked while alerts prime. */
const STARTUP_READ_SPAN = 20_000;
/** Recent events read back at start to refill the rules' windows (bounded start-up cost). */
const WARMUP_EVENTS = 50_000;
/** Commit batches evaluate at most this often; the timer covers the rest. */
const COMMIT_EVAL_EVERY_MS = 100;

const statKey = (st: fs.Stats) => `${st.mtimeMs}:${st.size}:${st.ino}`;

export interface RuleSource {
  path: string;
  fromEnv: boolean;
  text: string;
  /** Why the file on disk is not the rules in force (null when it is). */
  error: string | null;
  loadedAt: number | null;
  rules: { name: string; kind: string; severity: string; for_ms: number; description: string }[];
  receivers: { name: string; format: string; host: string }[];
}

export interface HistoryEntry extends AlertTransitionData {
  seq: number;
}

/**
 * A start-up read of the recent log. A damaged log must not keep the server down (G8): the
 * store has marked itself corrupt and says so; alerting goes on from live events.
 */
async function startupRead(what: string, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (err) {
    console.error(`[alerts] could not read the ${what} from the log: ${(err as Error).message}`);
  }
}

export class AlertService {
  readonly engine: AlertEngine;
  readonly webhooks: WebhookDispatcher;
  readonly conditionMetrics: ConditionMetrics;
  private readonly history: HistoryEntry[] = [];
  private set: RuleSet = { rules: [], receivers: [] };
  private source: RuleSource;
  private lastEval = 0;
  private timer: NodeJS.Timeout | null = null;
  /** What the last reload read (mtime, size, inode): a poll that sees anything else reloads. */
  private seenStat = '';
  private watcher: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Resolves once the start-up read of the log (history, rule windows) is done. Never rejects. */
  ready: Promise<void> = Promise.resolve();
  readonly stats = { loadErrors: 0, appendFailures: 0 };

  constructor(
    private readonly config: AlertsConfig,
    private readonly writer: LogWriter,
    private readonly now: () => number = Date.now,
    context: ConditionContext = {},
  ) {
    this.engine = new AlertEngine(now, (t) => this.onTransition(t), context);
    this.conditionMetrics = new ConditionMetrics(now, context.prices ?? null);
    this.webhooks = new WebhookDispatcher({ maxQueue: config.queue, baseDelayMs: config.retryMs });
    this.source = { path: config.rulesPath, fromEnv: config.fromEnv, text: '', error: null, loadedAt: null, rules: [], receivers: [] };
  }

  /**
   * Starts the service. Its commit listener is bound before this returns (`commits`: the
   * "alerts" stage of the commit pipeline, declared in xray.ts); the history and the rules'
   * windows are read from the log up to the writer's head, and commits announced meanwhile are
   * observed after them, in order. `ready` resolves when that start-up read is done.
   */
  static start(config: AlertsConfig, writer: LogWriter, log: EventLog, context: ConditionContext = {}, commits: CommitSource = writer): AlertService {
    const s = new AlertService(config, writer, Date.now, context);
    const follow = primeThenFollow(
      commits,
      writer.head(),
      async (head) => {
        await startupRead('alert history', () => s.seedHistory(log, head));
        s.reload();
        await startupRead('alert windows', () => s.warmUp(log, head));
      },
      (events) => s.onCommit(events),
    );
    s.unsubscribe = follow.unsubscribe;
    s.ready = follow.ready;
    s.timer = setInterval(() => s.engine.evaluate(), config.evalMs);
    s.timer.unref();
    // Our own poll against the stat the last read recorded (fs.watchFile takes its first stat
    // asynchronously, so a change right after start could go unnoticed).
    s.watcher = setInterval(() => s.pollFile(), config.watchMs);
    s.watcher.unref();
    return s;
  }

  onCommit(events: readonly XrayEvent[]): void {
    this.conditionMetrics.observe(events);
    this.engine.observe(events);
    for (const e of events) if (e.kind === 'alert.transition') this.remember({ ...e.data, seq: e.seq });
    const now = this.now();
    if (now - this.lastEval >= COMMIT_EVAL_EVERY_MS) {
      this.lastEval = now;
      this.engine.evaluate();
    }
  }

  private pollFile(): void {
    fs.stat(this.config.rulesPath, (err, st) => {
      const key = err ? '' : statKey(st);
      if (key !== this.seenStat) this.reload();
    });
  }

  /** Reads the rule file; a missing file means no rules, a bad one keeps the rules in force. */
  reload(): void {
    let text: string;
    try {
      this.seenStat = statKey(fs.statSync(this.config.rulesPath)); // before the read: a write in between reloads again
      text = fs.readFileSync(this.config.rulesPath, 'utf8');
    } catch (err) {
      this.seenStat = '';
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return this.refuse('', `cannot read ${this.config.rulesPath}: ${(err as Error).message}`);
      if (this.config.fromEnv) return this.refuse('', `XRAY_ALERTS names ${this.config.rulesPath}, which does not exist`);
      text = '';
    }
    if (text === this.source.text && this.source.loadedAt !== null && this.source.error === null) return;
    const parsed = parseRuleFile(text);
    if (!parsed.ok) return this.refuse(text, parsed.error);
    this.apply(text, parsed.set);
  }

  /** Validates and writes new rules (atomically: temp file + rename), then applies them. */
  save(text: string): void {
    const parsed = parseRuleFile(text);
    if (!parsed.ok) throw new XrayError('invalid_message', parsed.error);
    const dir = path.dirname(this.config.rulesPath);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.${path.basename(this.config.rulesPath)}.${process.pid}.${mintEventId()}.tmp`);
    try {
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeFileSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.config.rulesPath);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw new XrayError('internal', `cannot write ${this.config.rulesPath}: ${(err as Error).message}`);
    }
    this.apply(text, parsed.set);
  }

  private apply(text: string, set: RuleSet): void {
    this.set = set;
    this.webhooks.setReceivers(set.receivers);
    this.engine.setRules(set);
    this.source = {
      ...this.source,
      text,
      error: null,
      loadedAt: this.now(),
      rules: set.rules.map((r) => ({ name: r.name, kind: r.kind, severity: r.severity, for_ms: r.for, description: r.condition.describe(r.params) })),
      receivers: set.receivers.map((r) => ({ name: r.name, format: r.format, host: new URL(r.url).host })),
    };
    console.log(`[alerts] ${set.rules.length} rule(s), ${set.receivers.length} receiver(s) from ${this.config.rulesPath}`);
    this.engine.evaluate();
  }

  private refuse(text: string, error: string): void {
    if (this.source.error === error && this.source.text === text) return;
    this.stats.loadErrors++;
    this.source = { ...this.source, text: text || this.source.text, error };
    console.error(`[alerts] rule file refused, keeping the previous ${this.set.rules.length} rule(s): ${error}`);
  }

  private onTransition(t: AlertTransitionData): void {
    // Recorded through the one writer, like any event: in the log, replayable, on the timeline.
    const appended = this.writer
      .submit([{ id: mintEventId(), ts: t.at, t: null, kind: 'alert.transition', trace_id: null, span_id: null, parent_span_id: null, agent: ALERTS_AGENT, peer: null, topic: null, data: t }])
      .catch((err) => {
        this.stats.appendFailures++;
        console.error(`[alerts] could not record a transition of "${t.rule}": ${(err as Error).message}`);
      });
    if (t.to !== 'firing' && t.to !== 'resolved') return;
    const delivery = buildDelivery(t, this.config.publicUrl);
    const receivers = t.receivers ?? this.set.receivers.map((r) => r.name);
    // Delivered after the append settles: a receiver never hears of a transition before the log holds it (if the log can).
    void appended.finally(() => {
      for (const name of receivers) this.webhooks.enqueue(name, delivery);
    });
  }

  private remember(entry: HistoryEntry): void {
    this.history.push(entry);
    if (this.history.length > HISTORY) this.history.shift();
  }

  /**
   * After a restart, the recent log (at most WARMUP_EVENTS) refills the windows and agent
   * states, and alerts that were firing resume under their firing id: a restart neither
   * re-sends a firing nor forgets one.
   */
  private async warmUp(log: EventLog, head: number): Promise<void> {
    if (!head || !this.engine.ruleCount) return;
    for await (const page of readPages(log, { after: Math.max(0, head - WARMUP_EVENTS), upTo: head }, { max: WARMUP_EVENTS, seqSpan: STARTUP_READ_SPAN })) this.engine.observe(page);
    this.engine.restore(this.history);
    this.engine.evaluate();
  }

  private async seedHistory(log: EventLog, head: number): Promise<void> {
    const events = await readAll(log, { agent: ALERTS_AGENT, kinds: ['alert.transition'], after: Math.max(0, head - HISTORY_LOOKBACK), upTo: head }, { max: 20_000, seqSpan: STARTUP_READ_SPAN });
    for (const e of events.slice(-HISTORY)) {
      const data = alertTransitionData.safeParse(e.data);
      if (data.success) this.remember({ ...data.data, seq: e.seq });
    }
  }

  rules(): RuleSource {
    return this.source;
  }

  active(): ActiveAlert[] {
    return this.engine.active();
  }

  recent(): HistoryEntry[] {
    return [...this.history].reverse();
  }

  firingCount(): number {
    let n = 0;
    for (const a of this.engine.active()) if (a.phase === 'firing') n++;
    return n;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    if (this.watcher) clearInterval(this.watcher);
    this.webhooks.close();
  }
}
