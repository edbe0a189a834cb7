/**
 * `/api/alerts` (admins): the bell's counts, the Alerts page (rules, active alerts, history)
 * and `PUT /api/alerts/rules` to replace the rule file (validated, written atomically).
 */
import { RULE_FILE_MAX_BYTES } from '../../lib/alerts/ruleFile';
import { saveRulesRequest, type AlertsPage, type AlertsSummary } from '../../lib/protocol/alerts';
import { readJson, sendJson } from '../http/respond';
import type { ApiRouter } from '../observation/apiRouter';
import type { AlertService } from './alertService';

function summary(alerts: AlertService): AlertsSummary {
  const active = alerts.active();
  return { firing: active.filter((a) => a.phase === 'firing').length, pending: active.filter((a) => a.phase === 'pending').length, rules_error: alerts.rules().error !== null };
}

function page(alerts: AlertService): AlertsPage {
  const s = alerts.rules();
  return {
    ...summary(alerts),
    active: alerts.active() as AlertsPage['active'],
    history: alerts.recent(),
    source: { path: s.path, from_env: s.fromEnv, text: s.text, error: s.error, loaded_at: s.loadedAt, rules: s.rules, receivers: s.receivers },
  };
}

export function addAlertRoutes(api: ApiRouter, alerts: AlertService): ApiRouter {
  return api
    .add('GET', '/api/alerts/summary', (_req, res) => sendJson(res, 200, summary(alerts)))
    .add('GET', '/api/alerts', (_req, res) => sendJson(res, 200, page(alerts)))
    .add('PUT', '/api/alerts/rules', async (req, res) => {
      const body = await readJson(req, saveRulesRequest, RULE_FILE_MAX_BYTES + 1024);
      alerts.save(body.yaml); // throws invalid_message with the reason; the rules in force stay
      sendJson(res, 200, page(alerts));
    });
}
