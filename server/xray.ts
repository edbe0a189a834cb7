/**
 * Composes the process: data plane (relay + log) and observation plane (dashboard), joined
 * by the live model that folds every committed event. This is the one place that decides who
 * sees committed events and in which order (`COMMIT_STAGES`, server/README.md).
 */
import { applyEvents, createSwarmModel, type SwarmModel } from '../lib/model/swarmModel';
import { AdminAuth } from './auth/adminAuth';
import { resolveAdminToken, type AdminToken } from './auth/adminToken';
import { TokenSigner } from './auth/signedToken';
import { AttemptLimiter } from './auth/attemptLimiter';
import { SessionRevocations } from './auth/sessionRevocations';
import { attemptPolicy, type XrayConfig } from './config';
import { startDataPlane, type DataPlane } from './dataPlane';
import type { ObservationPlane } from './observation/observationPlane';
import { OtlpExporter } from './telemetry/export/otlpExporter';
import { agentOfSpan, spanKey } from '../lib/model/spanAgents';
import { checkDataDir } from './store/startupChecks';
import { CommitPipeline, type CommitSource } from './commitPipeline';

/**
 * Every consumer of committed events, in the order each batch reaches them. The model is
 * first: the stages after it (the fanout cuts deltas from it, alerts and the OTLP exporter
 * resolve agents through it) may read it as of this batch. Topic delivery and SSE come next:
 * agents hear a broadcast as soon as it is durable. The fanout only files the batch for the
 * next frame. The rest keep their own queues or indexes and depend on nothing before them
 * but the model. A stage that throws is counted and logged; the others still run.
 */
export const COMMIT_STAGES = ['model', 'topic delivery', 'cluster calls', 'sse', 'fanout', 'span index', 'alerts', 'otlp export', 'session index'] as const;
export type CommitStage = (typeof COMMIT_STAGES)[number];

/**
 * The commit pipeline over `source` (the writer; later, a shared log's tail) with the data
 * plane's own consumers bound. Called right after `startDataPlane` resolves, before any I/O
 * callback can run (nothing has been committed yet: ingest needs the relay port's first
 * connection). Test harnesses that start the data plane alone call it too.
 */
export function wireDataPlane(data: DataPlane, source: CommitSource = data.writer): CommitPipeline<CommitStage> {
  const commits = new CommitPipeline(COMMIT_STAGES);
  commits.bind('topic delivery', data.relay.deliverTopicMessages);
  commits.bind('cluster calls', data.relay.routeClusterCalls); // a no-op unless multi-node (Relay.attachCluster)
  commits.bind('sse', data.sse.onCommit);
  commits.bind('span index', (events) => data.spans.feeder.onCommit(events));
  data.commits = commits;
  commits.attach(source);
  return commits;
}

export interface Xray {
  admin: AdminToken;
  data: DataPlane;
  observation: ObservationPlane | null;
  model: SwarmModel;
  exporter: OtlpExporter | null;
  close(): Promise<void>;
}

export async function startXray(config: XrayConfig, options: { dashboard?: boolean; next?: boolean } = {}): Promise<Xray> {
  checkDataDir(config.dataDir); // before anything writes there (the admin token file), so the refusal names the real cause
  const admin = resolveAdminToken(config.dataDir, config.adminToken);
  const auth = new AdminAuth(admin.token, new TokenSigner(admin.token), {
    revocations: SessionRevocations.open(SessionRevocations.fileIn(config.dataDir)),
    loginAttempts: new AttemptLimiter(attemptPolicy(config)),
  });
  const data = await startDataPlane(config);
  // From here to the first await, synchronously: no commit can fall between the reads below and the bindings.
  const commits = wireDataPlane(data);
  const model = createSwarmModel(data.writer.head()) /* where the commit pipeline stands */;
  commits.bind('model', (events) => applyEvents(model, events));
  // After the model: a finished span's inherited agent is resolved by the time the exporter sees it.
  const exporter = config.otlpExport ? new OtlpExporter({ ...config.otlpExport, agentOf: (t, s) => agentOfSpan(model.spans, spanKey(t, s)) }) : null;
  if (exporter) commits.bind('otlp export', exporter.onCommit);
  // Alerts read their windows from the log up to the head they take as they bind (primeThenFollow),
  // so they may start once the relay is up: their modules (rules, YAML, webhooks) load only now.
  const [{ AlertService }, { loadAlertsConfig }] = await Promise.all([import('./alerts/alertService'), import('./alerts/alertsConfig')]);
  // Then follows the "alerts" stage (after the model: rules see what the model saw).
  data.alerts = AlertService.start(loadAlertsConfig(config.dataDir, config.port), data.writer, data.log, { prices: config.prices }, commits.source('alerts'));
  let observation: ObservationPlane | null = null;
  if (options.dashboard !== false) {
    try {
      // Loaded only now, with the relay already listening: its modules (HTTP API, Socket.IO,
      // Next.js) are most of the process's start-up, and agents need none of them to be acked.
      const { startObservationPlane } = await import('./observation/observationPlane');
      // The fanout and the session index bind their stages when they are built (after their catch-up reads).
      observation = await startObservationPlane(config, data, model, { fanout: commits.source('fanout'), sessions: commits.source('session index') }, auth, { next: options.next, exporter });
    } catch (err) {
      await data.close();
      throw err;
    }
  }
  return {
    admin,
    data,
    observation,
    model,
    exporter,
    async close() {
      await observation?.close();
      data.alerts?.close();
      await data.close();
      await exporter?.close(); // after the log's last commit, so its spans go out too
    },
  };
}
