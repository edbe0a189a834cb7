/** One relay REST endpoint (`POST /v1/call`, `GET /v1/spans`…): the type route modules share with the relay server. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type RestRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;
