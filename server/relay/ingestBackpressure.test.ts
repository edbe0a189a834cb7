import { describe, expect, it } from 'vitest';
import { settle } from '../testing/testSocketPair';
import { IngestBackpressure, type GatedConnection } from './ingestBackpressure';

/** A writer stand-in: overloaded while `over` is true; `drained()` is its commit falling under the mark. */
function gate() {
  const listeners: (() => void)[] = [];
  const g = {
    ingestOverloaded: false,
    onIngestDrain: (l: () => void) => void listeners.push(l),
    drained: () => listeners.forEach((l) => l()),
  };
  return g;
}

function connection(g: { ingestOverloaded: boolean }, overloadAfter = Infinity) {
  const log: string[] = [];
  const conn: GatedConnection = {
    deliver: (data) => {
      log.push(data.toString());
      if (log.filter((l) => !l.startsWith('(')).length >= overloadAfter) g.ingestOverloaded = true;
    },
    pause: () => log.push('(pause)'),
    resume: () => log.push('(resume)'),
  };
  return { conn, log };
}

const msg = (s: string) => Buffer.from(s);

describe('IngestBackpressure', () => {
  it('[G6] delivers at once while the writer keeps up', () => {
    const g = gate();
    const bp = new IngestBackpressure(g);
    const { conn, log } = connection(g);
    bp.message(conn, msg('a'), false);
    expect(log).toEqual(['a']);
  });

  it('[G6] over the mark it holds and pauses the socket, then releases in arrival order and resumes after the drain', async () => {
    const g = gate();
    const bp = new IngestBackpressure(g);
    const { conn, log } = connection(g);
    g.ingestOverloaded = true;
    bp.message(conn, msg('a'), false);
    g.ingestOverloaded = false; // a message behind a held one waits too, or order would break
    bp.message(conn, msg('b'), false);
    expect(log).toEqual(['(pause)']);
    g.drained();
    await settle(2);
    expect(log).toEqual(['(pause)', 'a', 'b', '(resume)']);
  });

  it('[G6] stops when the writer is over the mark again, and goes on from there after the next drain', async () => {
    const g = gate();
    const bp = new IngestBackpressure(g);
    const { conn, log } = connection(g, 1);
    g.ingestOverloaded = true;
    for (const s of ['a', 'b', 'c']) bp.message(conn, msg(s), false);
    g.ingestOverloaded = false;
    g.drained();
    await settle(2);
    expect(log).toEqual(['(pause)', 'a']);
    g.ingestOverloaded = false;
    g.drained();
    await settle(2);
    expect(log).toEqual(['(pause)', 'a', 'b']);
    g.ingestOverloaded = false;
    g.drained();
    await settle(2);
    expect(log).toEqual(['(pause)', 'a', 'b', 'c', '(resume)']);
  });

  it('[G2] a socket that closes with messages held has them processed first, then the disconnect; never resumed', async () => {
    const g = gate();
    const bp = new IngestBackpressure(g);
    const { conn, log } = connection(g);
    g.ingestOverloaded = true;
    bp.message(conn, msg('a'), false);
    g.ingestOverloaded = false;
    bp.close(conn, () => log.push('(closed)'));
    await settle(2);
    expect(log).toEqual(['(pause)', 'a', '(closed)']);
    const other = connection(g);
    bp.close(other.conn, () => other.log.push('(closed)'));
    expect(other.log).toEqual(['(closed)']); // nothing held: at once
  });
});
