/** The response head every Server-Sent Events stream of the relay starts with. */
import type { ServerResponse } from 'node:http';

export function startEventStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no', // a proxy in front must not buffer the stream
  });
  res.write('retry: 1000\n\n');
}
