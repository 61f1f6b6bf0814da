/**
 * Lambda event filtering (FilterCriteria), applied by the local event sources as Lambda applies it: the
 * pattern is matched against the record in the shape the function receives (for a DynamoDB stream:
 * `{ eventName, dynamodb: { NewImage: { status: { S: "Active" } } }, ... }`); a record that matches no
 * filter is dropped before batching and never reaches the function (and counts as processed).
 *
 * The patterns themselves come from the CDK stack (`finalStatusFilter()` in
 * infra/stacks/upload-pipeline-stack.ts, the `pattern` JSON string Lambda receives), so local mode and
 * AWS filter with the same definition. This module only implements the matcher, for the rule kinds
 * EventBridge-style patterns allow: exact values (string, number, boolean, null), `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but`, `exists` and `numeric`.
 */

/** One filter of an event source mapping, as Lambda's filter criteria spell it. */
export type FilterPattern = { [field: string]: FilterPattern | readonly FilterRule[] };
/** One value or comparison a field must match. */
export type FilterRule = string | number | boolean | null | { [operator: string]: unknown };

/** `{ pattern: '{"dynamodb":...}' }` (as CDK's `FilterCriteria.filter()` returns it) → the pattern. */
export function parseFilterPattern(filter: { pattern?: unknown } | Record<string, unknown>): FilterPattern {
  const raw = (filter as { pattern?: unknown }).pattern;
  if (typeof raw !== 'string') throw new Error('A filter needs a JSON `pattern` string');
  const parsed = JSON.parse(raw) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('A filter pattern must be a JSON object');
  return parsed as FilterPattern;
}

/** True when the record passes: no filters at all, or at least one matching pattern (filters are ORed). */
export function passesFilters(filters: readonly FilterPattern[], record: unknown): boolean {
  return filters.length === 0 || filters.some((pattern) => matchesPattern(pattern, record));
}

/** Every field of the pattern must match (fields are ANDed; the rules of one field are ORed). */
export function matchesPattern(pattern: FilterPattern, value: unknown): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    const actual = isObject(value) ? value[field] : undefined;
    if (Array.isArray(expected)) {
      if (!matchesRules(expected as readonly FilterRule[], actual)) return false;
    } else if (!isObject(actual) || !matchesPattern(expected as FilterPattern, actual)) {
      return false;
    }
  }
  return true;
}

function matchesRules(rules: readonly FilterRule[], actual: unknown): boolean {
  // An array value matches when any of its elements does (EventBridge semantics).
  const candidates = Array.isArray(actual) ? (actual as unknown[]) : [actual];
  return rules.some((rule) => {
    if (isObject(rule) && 'exists' in rule) return (actual !== undefined) === Boolean(rule['exists']);
    return candidates.some((candidate) => candidate !== undefined && matchesRule(rule, candidate));
  });
}

function matchesRule(rule: FilterRule, value: unknown): boolean {
  if (!isObject(rule)) return rule === value;
  const [operator, operand] = Object.entries(rule)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'anything-but': {
      if (isObject(operand) && 'prefix' in operand) {
        return typeof value === 'string' && !value.startsWith(String(operand['prefix']));
      }
      const excluded = Array.isArray(operand) ? operand : [operand];
      return !excluded.includes(value);
    }
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && matchesNumeric(operand as unknown[], value);
    default:
      throw new Error(`Filter rule "${String(operator)}" is not supported by the local event sources`);
  }
}

function matchesNumeric(conditions: unknown[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const operator = conditions[i];
    const bound = Number(conditions[i + 1]);
    const ok =
      operator === '='
        ? value === bound
        : operator === '<'
          ? value < bound
          : operator === '<='
            ? value <= bound
            : operator === '>'
              ? value > bound
              : operator === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
