/**
 * Composes the process: data plane (relay + log) and observation plane (dashboard), joined
 * by the live model that folds every committed event.
 */
import { applyEvents, createSwarmModel, type SwarmModel } from '../lib/model/swarmModel';
import { AdminAuth } from './auth/adminAuth';
import { resolveAdminToken, type AdminToken } from './auth/adminToken';
import { TokenSigner } from './auth/signedToken';
import { AttemptLimiter } from './auth/attemptLimiter';
import { SessionRevocations } from './auth/sessionRevocations';
import { attemptPolicy, type XrayConfig } from './config';
import { startDataPlane, type DataPlane } from './dataPlane';
import { AlertService } from './alerts/alertService';
import { loadAlertsConfig } from './alerts/alertsConfig';
import { startObservationPlane, type ObservationPlane } from './observation/observationPlane';
import { OtlpExporter } from './telemetry/export/otlpExporter';
import { agentOfSpan, spanKey } from '../lib/model/spanAgents';
import { checkDataDir } from './store/startupChecks';

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
  const model = createSwarmModel(data.writer.head()); // where the commit listeners stand
  data.writer.onCommit((events) => applyEvents(model, events));
  data.alerts = AlertService.start(loadAlertsConfig(config.dataDir, config.port), data.writer, data.log, { prices: config.prices }); // after the model: rules see what the model saw
  // After the model: a finished span's inherited agent is resolved by the time the exporter sees it.
  const exporter = config.otlpExport ? new OtlpExporter({ ...config.otlpExport, agentOf: (t, s) => agentOfSpan(model.spans, spanKey(t, s)) }) : null;
  if (exporter) data.writer.onCommit(exporter.onCommit);
  let observation: ObservationPlane | null = null;
  if (options.dashboard !== false) {
    try {
      observation = await startObservationPlane(config, data, model, auth, { next: options.next, exporter });
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
