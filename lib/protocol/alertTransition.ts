/**
 * `alert.transition` event data: one alert (rule × key) changed state. Written only by the
 * server's alert engine; the schema guards what is read back (history, replays, webhooks).
 * Labels are [name, value] pairs, not an object: their names come from a user's rule file.
 */
import { z } from 'zod';

export const alertTransitionData = z.object({
  rule: z.string().max(100),
  /** '' for an ungrouped rule, else the agent or method the alert is about. */
  key: z.string().max(256),
  kind: z.string().max(64),
  from: z.enum(['inactive', 'pending', 'firing']),
  to: z.enum(['pending', 'firing', 'resolved', 'inactive']),
  value: z.number(),
  threshold: z.number(),
  description: z.string().max(500),
  severity: z.enum(['critical', 'warning', 'info']),
  labels: z.array(z.tuple([z.string(), z.string()])).max(20),
  summary: z.string().max(500).nullable(),
  receivers: z.array(z.string()).nullable(),
  /** Trace ids that contributed, newest last: deep links. */
  examples: z.array(z.string()).max(10),
  agent: z.string().nullable(),
  /** When the condition began holding, and when this transition happened (ms). */
  since: z.number(),
  at: z.number(),
  /** Identifies one firing (from firing to its resolution): the idempotency key of deliveries. */
  firing_id: z.string().nullable(),
});

export type AlertTransitionData = z.infer<typeof alertTransitionData>;
