import { expect, it } from 'vitest';
import { medianPhase } from './latency';

const run = (p99: number, server: number) => ({ p50_ms: 20, p95_ms: p99 - 10, p99_ms: p99, samples: 100, sent: 50, commit_p99_ms: 10, commits_over_100ms: 0, server_p99_ms: server });

it('[issue 18] a repeated latency phase reports the median of each figure, so one burst of host steal does not make the row', () => {
  const m = medianPhase([run(55, 25), run(289, 150), run(61, 25)]);
  expect(m.p99_ms).toBe(61);
  expect(m.p95_ms).toBe(51);
  expect(m.server_p99_ms).toBe(25);
});
