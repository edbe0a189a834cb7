/**
 * The alert rule file (YAML, `XRAY_ALERTS`): receivers and rules, validated with zod. Rule
 * names and label keys are outside strings: they end up in Maps, never as object keys.
 *
 * ```yaml
 * receivers:
 *   - name: ops
 *     url: https://hooks.slack.com/services/…
 *     format: slack          # or json (default)
 * rules:
 *   - name: worker errors
 *     kind: error_share
 *     agent: worker-1
 *     window: 60s
 *     above: 0.2
 *     for: 30s
 *     severity: critical
 *     labels: { team: core }
 * ```
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeZodError } from '../protocol/relay';
import type { ConditionKind } from './condition';
import { CONDITION_KINDS, conditionKindByName } from './conditions/registry';
import { duration } from './duration';

import { RULE_FILE_MAX_BYTES } from '../protocol/alerts';

export { RULE_FILE_MAX_BYTES };
export const MAX_RULES = 200;
export const MAX_RECEIVERS = 20;
export const MAX_LABELS = 20;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const ruleName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters');
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'label names are letters, digits and _ (Prometheus style), up to 64');
const labelValue = z.string().max(256);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Labels as a Map: a key like `__proto__` is data here, never a prototype. */
const labels = z.preprocess(
  (v) => (v === undefined || v === null ? [] : isPlainObject(v) ? Object.entries(v).map(([k, val]) => [k, typeof val === 'number' || typeof val === 'boolean' ? String(val) : val]) : v),
  z
    .array(z.tuple([labelName, labelValue]))
    .max(MAX_LABELS, `at most ${MAX_LABELS} labels`)
    .transform((entries) => new Map(entries)),
);

const common = {
  name: ruleName,
  kind: z.string(),
  for: duration(0).default(0),
  severity: z.enum(SEVERITIES).default('warning'),
  labels,
  summary: z.string().max(500).optional(),
  /** Receiver names; all receivers when omitted. */
  receivers: z.array(z.string().min(1).max(100)).max(MAX_RECEIVERS).optional(),
  enabled: z.boolean().default(true),
};

const receiver = z
  .object({
    name: z.string().min(1).max(100),
    url: z
      .string()
      .max(2048)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'only http(s) webhooks'),
    format: z.enum(['json', 'slack']).default('json'),
    timeout_ms: z.number().int().min(100).max(60_000).default(5000),
    /** Extra request headers (e.g. an Authorization for an incident tool). */
    headers: z
      .preprocess((v) => (isPlainObject(v) ? Object.entries(v) : (v ?? [])), z.array(z.tuple([z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1024).regex(/^[^\r\n]*$/)])).max(20))
      .transform((e) => new Map(e)),
  })
  .strict();

export type ReceiverSpec = z.output<typeof receiver>;

export interface RuleSpec {
  name: string;
  kind: string;
  for: number;
  severity: Severity;
  labels: Map<string, string>;
  summary?: string;
  receivers?: string[];
  enabled: boolean;
  /** The kind-specific fields, validated by the kind's own schema. */
  params: Record<string, unknown>;
  condition: ConditionKind;
  /** A stable text of the whole rule: a reload keeps the state of rules whose text did not change. */
  fingerprint: string;
}

export interface RuleSet {
  rules: RuleSpec[];
  receivers: ReceiverSpec[];
}

export type RuleFileResult = { ok: true; set: RuleSet } | { ok: false; error: string };

const fileShape = z
  .object({
    receivers: z.array(z.unknown()).max(MAX_RECEIVERS).default([]),
    rules: z.array(z.unknown()).max(MAX_RULES, `at most ${MAX_RULES} rules`).default([]),
  })
  .strict();

const commonObject = z.object(common);
const commonKeys = new Set(Object.keys(common));

function parseRule(raw: unknown, index: number): RuleSpec | string {
  const where = `rules[${index}]`;
  if (!isPlainObject(raw)) return `${where}: a rule is a mapping`;
  const name = typeof raw.name === 'string' ? ` ("${raw.name.slice(0, 100)}")` : '';
  const kindName = raw.kind;
  const kind = typeof kindName === 'string' ? conditionKindByName.get(kindName) : undefined;
  if (!kind) return `${where}${name}.kind: expected one of ${CONDITION_KINDS.map((k) => k.kind).join(', ')}`;
  const base = new Map<string, unknown>();
  const rest = new Map<string, unknown>();
  for (const [k, v] of Object.entries(raw)) (commonKeys.has(k) ? base : rest).set(k, v);
  const c = commonObject.safeParse(Object.fromEntries(base));
  if (!c.success) return `${where}${name}: ${describeZodError(c.error)}`;
  const p = kind.params.strict().safeParse(Object.fromEntries(rest));
  if (!p.success) return `${where}${name}: ${describeZodError(p.error)}`;
  return { ...c.data, params: p.data, condition: kind, fingerprint: JSON.stringify(raw) };
}

/** Parses and validates a rule file; any error rejects the whole file (the caller keeps the previous rules). */
export function parseRuleFile(text: string): RuleFileResult {
  if (Buffer.byteLength(text) > RULE_FILE_MAX_BYTES) return { ok: false, error: `the rule file is larger than ${RULE_FILE_MAX_BYTES} bytes` };
  let doc: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    doc = parseYaml(text, { maxAliasCount: 100, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return { ok: false, error: `YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (doc === null || doc === undefined) doc = {};
  const shape = fileShape.safeParse(doc);
  if (!shape.success) return { ok: false, error: describeZodError(shape.error) };
  const receivers: ReceiverSpec[] = [];
  const receiverNames = new Set<string>();
  for (let i = 0; i < shape.data.receivers.length; i++) {
    const r = receiver.safeParse(shape.data.receivers[i]);
    if (!r.success) return { ok: false, error: `receivers[${i}]: ${describeZodError(r.error)}` };
    if (receiverNames.has(r.data.name)) return { ok: false, error: `receivers[${i}]: duplicate receiver name "${r.data.name}"` };
    receiverNames.add(r.data.name);
    receivers.push(r.data);
  }
  const rules: RuleSpec[] = [];
  const names = new Set<string>();
  for (let i = 0; i < shape.data.rules.length; i++) {
    const r = parseRule(shape.data.rules[i], i);
    if (typeof r === 'string') return { ok: false, error: r };
    if (names.has(r.name)) return { ok: false, error: `rules[${i}]: duplicate rule name "${r.name}"` };
    for (const rec of r.receivers ?? []) if (!receiverNames.has(rec)) return { ok: false, error: `rules[${i}] ("${r.name}"): unknown receiver "${rec}"` };
    names.add(r.name);
    rules.push(r);
  }
  return { ok: true, set: { rules, receivers } };
}
