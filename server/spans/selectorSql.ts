/**
 * Translates a selector into a SQL prefilter over the span index, so SQLite can use its
 * indexes (name, agent, trace, attribute key/value). The prefilter selects a SUPERSET of the
 * matching spans: whatever it cannot express exactly it leaves open (`1`), and the pure
 * matcher (lib/selector/match.ts) makes the final decision. Only the selected (last)
 * compound is translated; ancestors of descendant selectors are checked by the matcher.
 */
import type { Condition, SelectorList } from '../../lib/selector/parse';

const COLUMNS = new Map<string, string>([
  ['name', 's.name'],
  ['agent', 's.agent'],
  ['status', 's.status'],
  ['kind', 's.kind'],
  ['trace_id', 's.trace_id'],
  ['span_id', 's.span_id'],
  ['parent_span_id', 's.parent_span_id'],
]);

const SQL_OP = new Map<string, string>([
  ['=', '='],
  ['<', '<'],
  ['<=', '<='],
  ['>', '>'],
  ['>=', '>='],
]);

export interface SqlFilter {
  where: string;
  params: (string | number)[];
}

function attrClause(c: Condition, params: (string | number)[]): string {
  const { key, op, value } = c;
  const sub = (cond: string, ...values: (string | number)[]) => {
    params.push(key, ...values);
    return `s.id IN (SELECT span FROM span_attrs WHERE key = ? AND ${cond})`;
  };
  if (op === 'contains') return sub('instr(v_text, ?) > 0', String(value));
  if (op === '!=') return '1';
  const sqlOp = SQL_OP.get(op)!;
  if (typeof value === 'number') return sub(`v_num ${sqlOp} ?`, value);
  if (typeof value === 'boolean') return sub('v_text = ?', String(value));
  if (op === '=') return sub('v_text = ?', value);
  // String ordering: JS (UTF-16) and SQLite (UTF-8 bytes) may disagree on rare characters,
  // so only the key's presence is required here.
  return sub('v_text IS NOT NULL');
}

function pseudoClause(c: Condition, column: string, params: (string | number)[]): string {
  const { op, value } = c;
  if (typeof value !== 'string') return '1'; // number/boolean against a text field: matcher decides
  if (op === 'contains') {
    params.push(value);
    return `instr(${column}, ?) > 0`;
  }
  if (op !== '=') return '1';
  params.push(value);
  return `${column} = ?`;
}

function durationClause(c: Condition, params: (string | number)[]): string {
  const sqlOp = SQL_OP.get(c.op);
  if (!sqlOp || typeof c.value !== 'number') return '1';
  params.push(c.value);
  return `(s.end IS NOT NULL AND s.end - s.start ${sqlOp} ?)`;
}

export function selectorToSql(list: SelectorList): SqlFilter {
  const params: (string | number)[] = [];
  const alternatives = list.alternatives.map((alt) => {
    const target = alt.path[alt.path.length - 1];
    const clauses = target.conditions.map((c) => {
      if (c.key === 'duration') return durationClause(c, params);
      const column = COLUMNS.get(c.key);
      return column ? pseudoClause(c, column, params) : attrClause(c, params);
    });
    return clauses.length ? `(${clauses.join(' AND ')})` : '1';
  });
  return { where: alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' OR ')})`, params };
}
