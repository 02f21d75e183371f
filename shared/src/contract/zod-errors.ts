// Turns zod validation issues into one short line per problem that names the offending key the
// way it is written in YAML ("routing.queryIdTtl", "spec.rules[0].name"), for start-up errors.
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** "routing.queryIdTtl", "spec.rules[0].name", 'metadata.labels["app.kubernetes.io/name"]'. */
export function formatPath(path: readonly PathKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/** The YAML word for a value's type. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

const EXPECTED: Record<string, string> = { object: 'mapping', array: 'list', record: 'mapping', int: 'integer' };

function received(issue: Issue): string {
  if ('input' in issue && issue.input !== undefined) return kindOf(issue.input);
  return /received (\w+)$/.exec(issue.message)?.[1] ?? 'something else';
}

function isMissing(issue: Issue): boolean {
  return (
    issue.code === 'invalid_type' &&
    !('input' in issue && issue.input !== undefined) &&
    / undefined$/.test(issue.message)
  );
}

function bound(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  switch (issue.origin) {
    case 'string':
      if (small && limit === 1) return 'must not be empty';
      return `must be at ${small ? 'least' : 'most'} ${limit} characters long`;
    case 'array':
    case 'set':
      if (small && limit === 1) return 'must have at least one item';
      return `must have at ${small ? 'least' : 'most'} ${limit} items`;
    default: {
      const operator = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      return `must be ${operator} ${limit}`;
    }
  }
}

function explain(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (isMissing(issue)) return 'required';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${received(issue)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value));
      const got = 'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : '';
      return allowed.length === 1 ? `must be ${allowed[0]}${got}` : `must be one of ${allowed.join(', ')}${got}`;
    }
    case 'too_small':
    case 'too_big':
      return bound(issue);
    case 'invalid_union': {
      // zod reports a union only when every branch failed on the type itself; say which types fit.
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((inner) => (inner.code === 'invalid_type' && inner.path.length === 0 ? [inner.expected] : [])),
      );
      if (expected.length === 0) return issue.message;
      const names = [...new Set(expected.map((name) => EXPECTED[name] ?? name))];
      return `expected ${names.join(' or ')}, got ${received(issue)}`;
    }
    default:
      return issue.message;
  }
}

/** One line per issue: `${prefix}${path}: ${message}`; unknown keys get a line each. */
export function formatIssues(prefix: string, error: z.ZodError): string[] {
  const lines: string[] = [];
  const line = (path: readonly PathKey[], message: string) => {
    const where = formatPath(path);
    lines.push(where === '' ? `${prefix}${message}` : `${prefix}${where}: ${message}`);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) line([...issue.path, key], 'unknown key');
    } else {
      line(issue.path, explain(issue));
    }
  }
  return lines;
}
