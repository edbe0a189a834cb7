import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { dropEndedSessions, type WatchedSocket } from './sessionSockets';

function fakeSocket(cookie: string, embedScope?: string) {
  const s = {
    request: { headers: { cookie } } as IncomingMessage,
    data: embedScope ? { embedScope } : {},
    emitted: [] as unknown[],
    disconnected: false,
    emit(_e: 'xray:error', err: unknown) {
      s.emitted.push(err);
    },
    disconnect() {
      s.disconnected = true;
    },
  };
  return s satisfies WatchedSocket;
}

describe('dropEndedSessions', () => {
  it('[G7] disconnects, with a coded error, every admin socket whose session no longer passes; embeds are left alone', () => {
    const live = fakeSocket('live');
    const revoked = fakeSocket('revoked');
    const embed = fakeSocket('', 'swarm');
    const dropped = dropEndedSessions([live, revoked, embed], { isAdmin: (req) => req.headers.cookie === 'live' });
    expect(dropped).toBe(1);
    expect(revoked.disconnected).toBe(true);
    expect(revoked.emitted).toEqual([expect.objectContaining({ code: 'unauthorized' })]);
    expect(live.disconnected).toBe(false);
    expect(embed.disconnected).toBe(false);
  });
});
