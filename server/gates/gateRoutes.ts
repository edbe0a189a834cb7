/**
 * Gate endpoints on the relay port (agent key when keys are set):
 * - `GET /v1/gates` → `{gates:[{name, requirements, stats}], error}`
 * - `POST /v1/gates/{name}/check {trace_id?, evidence:[{span_id, trace_id?}], from?, parent_span_id?}`
 *   → `{gate, verdict, attempt, trace_id, check_span_id, requirements:[{requirement, ok, span_id?, reason}]}`
 *   (200 for pass and fail alike: the verdict is the answer; unknown gate → 404 unknown_gate).
 * The admin API mounts the dashboard's views under /api/gates.
 */
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { gateCheckBody, gateName } from '../../lib/protocol/spans';
import { readJson, sendJson } from '../http/respond';
import type { ApiRouter } from '../observation/apiRouter';
import type { RestRoute } from '../http/restRoute';
import type { GateService } from './gateService';

const CHECK_PATH = /^\/v1\/gates\/([^/]{1,256})\/check$/;

function nameOf(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new XrayError('invalid_message', 'gate name is not valid URL encoding');
  }
  const name = gateName.safeParse(decoded);
  if (!name.success) throw new XrayError('unknown_gate', `no gate named "${decoded.slice(0, 128)}" is configured`);
  return name.data;
}

export function createGateRoutes(gates: GateService): { routes: Record<string, RestRoute>; match: (method: string, path: string) => RestRoute | undefined } {
  const check: (name: string) => RestRoute = (name) => async (req, res) => {
    const body = await readJson(req, gateCheckBody, LIMITS.httpBodyBytes);
    sendJson(res, 200, await gates.check(name, body));
  };
  return {
    routes: {
      'GET /v1/gates': (_req, res) => sendJson(res, 200, { gates: gates.info(), error: gates.registry.error }),
    },
    match(method, path) {
      const m = CHECK_PATH.exec(path);
      if (!m) return undefined;
      if (method !== 'POST') return () => {
        throw new XrayError('method_not_allowed', `${method} ${path}: use POST`);
      };
      // Never throws here (the relay calls this outside its error handling): failures are
      // routes that throw, after the key check. An unknown gate is refused before the body is read.
      let name: string;
      try {
        name = nameOf(m[1]);
      } catch (err) {
        return () => {
          throw err;
        };
      }
      if (!gates.registry.get(name)) return () => {
        throw new XrayError('unknown_gate', `no gate named "${name}" is configured`);
      };
      return check(name);
    },
  };
}

export function addGateApiRoutes(api: ApiRouter, gates: GateService): ApiRouter {
  return api
    .add('GET', '/api/gates', (_req, res) => sendJson(res, 200, { gates: gates.info(), error: gates.registry.error, file: gates.registry.file }))
    .add('GET', '/api/gates/checks', (_req, res, url) => {
      const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 100, 1), 1000);
      const gate = url.searchParams.get('gate');
      const before = Number(url.searchParams.get('before')) || undefined;
      if (gate !== null && !gateName.safeParse(gate).success) throw new XrayError('invalid_message', 'gate: letters, digits and . _ : -');
      sendJson(res, 200, { checks: gates.recentChecks(gate, limit, before) });
    });
}
