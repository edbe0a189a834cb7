/**
 * Telemetry ingest over REST on the relay port:
 * - `POST /v1/frames` — token / span frames as a JSON array or NDJSON, for agents that do not
 *   keep a WebSocket open. The agent is named by the `X-Agent-Name` header. 200 after commit.
 * - `POST /v1/traces` — OTLP/HTTP, protobuf or JSON (gzip accepted). 200 after commit.
 */
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import { z } from 'zod';
import { XrayError } from '../../lib/protocol/errors';
import { LIMITS } from '../../lib/protocol/limits';
import { agentName, dataFrame, describeZodError } from '../../lib/protocol/relay';
import { decodeUtf8, readBody, sendJson } from '../http/respond';
import { eachInSlices } from '../http/slices';
import type { NewEvent } from '../../lib/protocol/events';
import type { ScopedEvent } from '../store/eventLog';
import { frameToEvent } from '../relay/frameEvents';
import { bearerOf, senderScope } from '../relay/principal';
import type { Relay } from '../relay/relay';
import type { RestRoute } from '../http/restRoute';
import { parseJsonText } from '../relay/safeJson';
import { decodeOtlpJson } from './otlpJson';
import { otlpProtobufSpans } from './otlpProtobuf';
import type { OtlpSpan } from './otlpSpan';
import { otlpSpanToEvents } from './otlpToEvents';

const framesBody = z.array(dataFrame).min(1).max(LIMITS.framesPerBatch);

function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

async function readMaybeGzip(req: IncomingMessage, limit: number): Promise<Buffer> {
  const body = await readBody(req, limit);
  if ((req.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return body;
  try {
    return zlib.gunzipSync(body, { maxOutputLength: limit });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new XrayError(tooBig ? 'too_large' : 'invalid_message', tooBig ? `decompressed body exceeds ${limit} bytes` : 'body is not valid gzip');
  }
}

export function parseFramesBody(text: string, type: string): unknown {
  if (type === 'application/x-ndjson' || type === 'application/jsonl') {
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((line, i) => {
        try {
          return parseJsonText(line);
        } catch (err) {
          throw new XrayError((err as XrayError).code ?? 'bad_json', `line ${i + 1}: ${(err as Error).message}`);
        }
      });
  }
  if (type !== 'application/json') throw new XrayError('unsupported_media_type', 'send application/json (an array of frames) or application/x-ndjson');
  return parseJsonText(text);
}

export function createIngestRoutes(relay: Relay): Record<string, RestRoute> {
  return {
    'POST /v1/frames': async (req, res) => {
      const agent = agentName.safeParse(req.headers['x-agent-name']);
      if (!agent.success) throw new XrayError('invalid_message', 'X-Agent-Name header is required (the agent these frames come from)');
      const json = parseFramesBody(decodeUtf8(await readMaybeGzip(req, LIMITS.httpBodyBytes)), contentType(req));
      const frames = framesBody.safeParse(json);
      if (!frames.success) throw new XrayError('invalid_message', describeZodError(frames.error));
      const now = relay.now();
      const scope = senderScope(relay.principalOf(bearerOf(req)), 'agent', agent.data); // ids are the sender's own (G3)
      const events = frames.data.map((f) => frameToEvent(f, agent.data, now, (id) => relay.calls.context(id), scope));
      const results = await relay.writer.submit(events);
      sendJson(res, 200, { ids: results.map((r) => r.id), stored: results.filter((r) => !r.duplicate).length, duplicates: results.filter((r) => r.duplicate).length });
    },
    'POST /v1/traces': async (req, res) => {
      const type = contentType(req);
      const body = await readMaybeGzip(req, LIMITS.otlpBodyBytes);
      let spans: Iterable<OtlpSpan | null>;
      if (type === 'application/x-protobuf' || type === 'application/protobuf') spans = otlpProtobufSpans(body);
      else if (type === 'application/json') spans = decodeOtlpJson(parseJsonText(decodeUtf8(body)));
      else throw new XrayError('unsupported_media_type', 'OTLP/HTTP accepts application/x-protobuf or application/json');
      const now = relay.now();
      // A large export is decoded in slices (the loop stays responsive), fully, before anything
      // is stored: a malformed span refuses the whole request. The writer then commits it in
      // bounded transactions and resolves after the last one — the 200 means all of it is durable.
      // If a part fails, the 503 says how much was committed; span-derived ids make a retry safe.
      const principal = relay.principalOf(bearerOf(req));
      const events: ScopedEvent[] = [];
      await eachInSlices(spans, (s) => {
        if (s) for (const e of otlpSpanToEvents(s, now, principal)) events.push(e);
      });
      if (events.length) await relay.writer.submitInParts(events);
      // ExportTraceServiceResponse: an empty message in the request's encoding.
      if (type === 'application/json') sendJson(res, 200, {});
      else {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end();
      }
    },
  };
}
