// Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): busy time by module (Junction files,
// npm packages, Node internals, GC) and the hottest functions, self and inclusive.
import { readFileSync } from 'node:fs';

function category(frame) {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return '(program): native code outside JS frames';
    if (functionName === '(idle)') return '(idle)';
    return 'native (bindings and builtins: writev, writeLatin1String, …)';
  }
  let match = /\/(proxy|shared)\/dist\/(.+)$/.exec(url);
  if (match !== null) return `junction ${match[1]}/dist/${match[2]}`; // lines are the compiled JS's
  match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (match !== null) return `npm ${match[1]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

function label(frame) {
  const where = frame.url === '' ? '' : ` ${category(frame)}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

export function summarizeProfile(file, { requests } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, { ...node, self: 0 }]));
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]);
    if (node !== undefined) node.self += (profile.timeDeltas[i] ?? 0) / 1000;
  }
  const parents = new Map();
  for (const node of nodes.values()) for (const child of node.children ?? []) parents.set(child, node.id);
  // Inclusive time: each node's self time added to every distinct function on its stack.
  const inclusive = new Map();
  let busy = 0;
  let total = 0;
  const categories = new Map();
  const selfByFunction = new Map();
  for (const node of nodes.values()) {
    total += node.self;
    const cat = category(node.callFrame);
    if (cat === '(idle)') continue;
    busy += node.self;
    categories.set(cat, (categories.get(cat) ?? 0) + node.self);
    const name = label(node.callFrame);
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + node.self);
    if (node.self === 0) continue;
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parents.get(id)) {
      const frame = nodes.get(id).callFrame;
      if (!/^junction /.test(category(frame))) continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + node.self);
    }
  }
  const ranked = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busy === 0 ? 0 : ms / busy }));
  return {
    file,
    totalMs: Math.round(total),
    busyMs: Math.round(busy),
    requests,
    busyMicrosPerRequest: requests ? Math.round((busy * 1000) / requests) : undefined,
    categories: ranked(categories).slice(0, 25),
    functions: ranked(selfByFunction).slice(0, 40),
    junctionInclusive: ranked(inclusive).slice(0, 25),
  };
}
