/**
 * Evidence gates from YAML, in the seed's own format (BossCat):
 *
 *   gate_requirements:
 *     - name: "security_scan"
 *       evidence_type: "telemetry_span"
 *       span_name: "security_scan_complete"
 *       required_attributes:
 *         - "vulnerabilities.critical: 0"
 *
 * extended with optional `selector` (a span selector the evidence must also match),
 * `max_age` ("10m", "30s", "1h"; or seconds), `same_trace: true`, and several requirements
 * per gate: either items repeating the same `name`, or one item with `requirements: [...]`.
 * Pure: text in, validated gate definitions (or a GateConfigError) out.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseSelector, SelectorError, type Condition, type SelectorList } from '../selector/parse';

export interface GateRequirement {
  /** How the requirement reads in verdicts, e.g. `security_scan_complete{vulnerabilities.critical: 0}`. */
  label: string;
  evidence_type: 'telemetry_span';
  span_name?: string;
  required_attributes: string[];
  /** Parsed `required_attributes`, each an equality condition. */
  conditions: Condition[];
  selector?: string;
  parsedSelector?: SelectorList;
  max_age?: string;
  maxAgeMs?: number;
  same_trace: boolean;
}

export interface GateDefinition {
  name: string;
  requirements: GateRequirement[];
}

export class GateConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateConfigError';
  }
}

export const GATE_CONFIG_LIMITS = { gates: 256, requirementsPerGate: 16, attributesPerRequirement: 32, fileBytes: 256 * 1024 } as const;

const gateNameSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'gate names use letters, digits and . _ : -');
const requirementFields = {
  evidence_type: z.literal('telemetry_span').default('telemetry_span'),
  span_name: z.string().min(1).max(256).optional(),
  required_attributes: z.array(z.string().min(1).max(600)).max(GATE_CONFIG_LIMITS.attributesPerRequirement).default([]),
  selector: z.string().min(1).max(2000).optional(),
  max_age: z.union([z.string().max(32), z.number().positive()]).optional(),
  same_trace: z.boolean().default(false),
};
const requirementSchema = z.object({ name: z.string().max(128).optional(), ...requirementFields }).strict();
const itemSchema = z
  .object({ name: gateNameSchema, ...requirementFields, requirements: z.array(requirementSchema).min(1).max(GATE_CONFIG_LIMITS.requirementsPerGate).optional() })
  .strict();
const fileSchema = z.object({ gate_requirements: z.array(itemSchema).max(GATE_CONFIG_LIMITS.gates) }).strict();

const UNITS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

/** "10m" → 600000; a bare number is seconds. */
export function parseMaxAge(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!m) throw new GateConfigError(`max_age "${value}" is not a duration like 30s, 10m or 1h`);
  return Number(m[1]) * (UNITS.get(m[2] ?? 's') ?? 1000);
}

/** "vulnerabilities.critical: 0" → vulnerabilities.critical = 0 (YAML scalar rules for the value). */
export function parseRequiredAttribute(text: string): Condition {
  const at = text.indexOf(':');
  if (at <= 0) throw new GateConfigError(`required attribute "${text}" is not "key: value"`);
  const key = text.slice(0, at).trim();
  const raw = text.slice(at + 1).trim();
  if (!key) throw new GateConfigError(`required attribute "${text}" has no key`);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw);
  } catch {
    value = raw;
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') value = raw;
  return { key, op: '=', value: value as string | number | boolean, pos: 0 };
}

function buildRequirement(gate: string, r: z.infer<typeof requirementSchema>): GateRequirement {
  if (!r.span_name && !r.selector && !r.required_attributes.length) {
    throw new GateConfigError(`gate "${gate}": a requirement needs span_name, selector or required_attributes`);
  }
  let parsedSelector: SelectorList | undefined;
  if (r.selector) {
    try {
      parsedSelector = parseSelector(r.selector);
    } catch (err) {
      if (err instanceof SelectorError) throw new GateConfigError(`gate "${gate}": selector ${err.message}`);
      throw err;
    }
  }
  const conditions = r.required_attributes.map(parseRequiredAttribute);
  const label =
    r.name ??
    `${r.span_name ?? 'span'}${r.required_attributes.length ? `{${r.required_attributes.join(', ')}}` : ''}${r.selector ? ` ${r.selector}` : ''}`;
  return {
    label,
    evidence_type: r.evidence_type,
    span_name: r.span_name,
    required_attributes: r.required_attributes,
    conditions,
    selector: r.selector,
    parsedSelector,
    max_age: r.max_age === undefined ? undefined : String(r.max_age),
    maxAgeMs: r.max_age === undefined ? undefined : parseMaxAge(r.max_age),
    same_trace: r.same_trace,
  };
}

export function parseGateConfig(text: string): GateDefinition[] {
  if (text.length > GATE_CONFIG_LIMITS.fileBytes) throw new GateConfigError(`gate file larger than ${GATE_CONFIG_LIMITS.fileBytes} bytes`);
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 16 });
  } catch (err) {
    throw new GateConfigError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new GateConfigError(`${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  const gates = new Map<string, GateDefinition>();
  for (const item of parsed.data.gate_requirements) {
    let gate = gates.get(item.name);
    if (!gate) gates.set(item.name, (gate = { name: item.name, requirements: [] }));
    const { requirements, name, ...single } = item;
    const hasSingle = !!(single.span_name || single.selector || single.required_attributes.length);
    if (requirements) for (const r of requirements) gate.requirements.push(buildRequirement(name, r));
    if (!requirements || hasSingle) gate.requirements.push(buildRequirement(name, single));
    if (gate.requirements.length > GATE_CONFIG_LIMITS.requirementsPerGate) throw new GateConfigError(`gate "${name}": more than ${GATE_CONFIG_LIMITS.requirementsPerGate} requirements`);
  }
  return [...gates.values()];
}
