// The contract stays pure: no shipped file under contract/ imports a network, timer or file library (or an
// adapter), or sets a timer. Effects belong in adapters/, where tests give them real sockets and files.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const CONTRACT_DIR = import.meta.dirname;

const FORBIDDEN_MODULE =
  /^(?:node:)?(?:fs|fs\/promises|net|http|https|http2|tls|dgram|dns|dns\/promises|timers|timers\/promises|child_process|worker_threads)$|^(?:ioredis|undici|winston)(?:\/|$)/;
const ADAPTER = /(?:^|\/)adapters(?:\/|$)/;
const SPECIFIER =
  /\b(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|\bimport\s*['"]([^'"]+)['"]|\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const TIMER = /(?<![\w$.])(?:globalThis\.)?(setTimeout|setInterval|setImmediate)\b/g;

/** Source without comments, so a comment may mention what the code must not do. */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
}

/** What a file does that the contract must not; empty when it is pure. */
function impurities(source: string): string[] {
  const text = code(source);
  const found: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? match[4] ?? '';
    if (FORBIDDEN_MODULE.test(specifier)) found.push(`imports ${specifier}`);
    else if (ADAPTER.test(specifier)) found.push(`imports the adapter ${specifier}`);
  }
  for (const match of text.matchAll(TIMER)) found.push(`uses ${match[1]}`);
  return found;
}

function shippedFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return shippedFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('the scanner sees imports and timers, but not comments', () => {
  expect(
    impurities(
      [
        "import { readFileSync } from 'node:fs';",
        "import type { Redis } from 'ioredis';",
        "export { request } from 'undici';",
        "const http = await import('node:http');",
        "import 'winston';",
        "import { sleep } from 'node:timers/promises';",
        "import { probeCluster } from '../adapters/prober.js';",
        'const timer = setTimeout(() => {}, 10);',
        'globalThis.setInterval(tick, 1000);',
      ].join('\n'),
    ),
  ).toEqual([
    'imports node:fs',
    'imports ioredis',
    'imports undici',
    'imports node:http',
    'imports winston',
    'imports node:timers/promises',
    'imports the adapter ../adapters/prober.js',
    'uses setTimeout',
    'uses setInterval',
  ]);
  expect(
    impurities(
      [
        '// never setTimeout here, and no node:fs',
        "/* import { x } from 'node:net'; */",
        "import { z } from 'zod';",
        "import { parseAllDocuments } from 'yaml';",
        "const url = 'http://example.com'; // setTimeout",
        'const clearTimeoutLike = options.setTimeoutMs;',
      ].join('\n'),
    ),
  ).toEqual([]);
});

test('no file under contract/ imports a network, timer or file library, or sets a timer', () => {
  const files = shippedFiles(CONTRACT_DIR);
  expect(files.length).toBeGreaterThan(10);
  const found = files.flatMap((file) =>
    impurities(readFileSync(file, 'utf8')).map((what) => `${relative(CONTRACT_DIR, file)}: ${what}`),
  );
  expect(found).toEqual([]);
});
