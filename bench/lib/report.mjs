// Turns a results document (bench/results/<timestamp>.json) into the Markdown printed at the end
// of a run and pasted into docs/performance.md. `node bench/run.mjs --report <file>` reprints it.

const fmt = (value, digits = 2) =>
  value === undefined || value === null || Number.isNaN(value) ? '–' : Number(value).toFixed(digits);
const int = (value) => (value === undefined || value === null ? '–' : Math.round(value).toLocaleString('en-US'));
const ratio = (value) =>
  value === undefined || value === null || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;

export function markdownReport(doc) {
  const lines = [];
  const m = doc.machine;
  lines.push(
    `Run ${doc.startedAt} (${doc.mode}), ${m.cpuModel}, ${m.cores} cores, Node ${doc.versions.node}, ` +
      `load average at start ${m.loadAverageAtStart.map((v) => v.toFixed(2)).join(' ')}.`,
  );
  lines.push(
    `Closed loop: ${doc.settings.closed.connections} connections (stream: ${doc.settings.closed.streamConnections}), ` +
      `${doc.settings.closed.durationMs / 1000} s after ${doc.settings.closed.warmupMs / 1000} s warm-up. ` +
      `Latency: open loop at a fixed rate (${Object.entries(doc.settings.open.rates)
        .map(([w, r]) => `${w} ${r}/s`)
        .join(', ')}), ${doc.settings.open.durationMs / 1000} s.`,
  );
  lines.push('');
  lines.push(
    '| workload | target | throughput | ×direct | ×haproxy | p50 ms | p99 ms | p99.9 ms | proxy CPU s/10k req | CPU ×haproxy | proxy core busy | backend core busy | peak RSS MB |',
  );
  lines.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const r of doc.results) {
    const c = r.closed;
    const o = r.open;
    const stream = r.workload === 'stream';
    const throughput =
      c === undefined ? '–' : stream ? `${fmt(c.megabytesPerSecond, 0)} MB/s` : `${int(c.requestsPerSecond)} req/s`;
    const common = doc.settings.open.rates[r.workload];
    const sat =
      (o?.saturated ? ' (sat.)' : '') + (o !== undefined && o.targetRate !== common ? ` (@${o.targetRate}/s)` : '');
    lines.push(
      `| ${r.workload} | ${r.target} | ${throughput} | ${ratio(r.ratios?.throughputVsDirect)} | ${ratio(r.ratios?.throughputVsHaproxy)} | ` +
        `${fmt(o?.latency.p50Ms)}${sat} | ${fmt(o?.latency.p99Ms)} | ${fmt(o?.latency.p999Ms)} | ` +
        `${r.target === 'direct' ? '–' : fmt(c?.cpu.proxySecondsPer10k, 3)} | ${ratio(r.ratios?.cpuVsHaproxy)} | ` +
        `${r.target === 'direct' ? '–' : `${fmt((c?.cpu.proxyCoreBusy ?? 0) * 100, 0)}%`} | ${fmt((c?.cpu.backendCoreBusy ?? 0) * 100, 0)}% | ` +
        `${r.target === 'direct' ? '–' : fmt(c?.peakRssBytes / 2 ** 20, 0)} |`,
    );
  }
  const skipped = doc.targets.filter((t) => t.status === 'skipped');
  const failed = doc.targets.filter((t) => t.status === 'failed');
  if (skipped.length > 0) {
    lines.push('');
    for (const t of skipped) lines.push(`- **${t.name}: skipped** — ${t.reason} (not counted as a result).`);
  }
  if (failed.length > 0) {
    lines.push('');
    for (const t of failed) lines.push(`- **${t.name}: FAILED** — ${t.reason}`);
  }
  if (doc.rules !== undefined && doc.rules.length > 0) {
    lines.push('');
    lines.push('Rules (Junction, in-memory, `submit`; every rule is evaluated and none matches):');
    lines.push('');
    lines.push('| CEL rules | clusters | req/s | proxy CPU µs/request | proxy core busy |');
    lines.push('|--:|--:|--:|--:|--:|');
    for (const r of doc.rules) {
      lines.push(
        `| ${r.rules} | ${r.clusters} | ${int(r.requestsPerSecond)} | ${fmt(r.cpuMicrosPerRequest, 0)} | ${fmt(r.proxyCoreBusy * 100, 0)}% |`,
      );
    }
    if (doc.rulesVerdict !== undefined) {
      lines.push('');
      for (const line of doc.rulesVerdict.lines) lines.push(`- ${line}`);
    }
  }
  if (doc.redisMemory !== undefined) {
    const r = doc.redisMemory;
    lines.push('');
    lines.push(
      `Redis: ${int(r.mappings)} query-id mappings written through Junction took ${int(r.usedMemoryDelta)} bytes ` +
        `(INFO memory used_memory) → **${fmt(r.bytesPerMapping, 0)} bytes per mapping** (key \`${r.sampleKey}\`, ` +
        `MEMORY USAGE of one key: ${r.memoryUsageOfOneKey ?? '–'} bytes).`,
    );
  }
  if (doc.backendCheck !== undefined) {
    lines.push('');
    lines.push(`Backend: ${doc.backendCheck}`);
  }
  if (doc.failures.length > 0) {
    lines.push('');
    lines.push('Failures:');
    for (const f of doc.failures) lines.push(`- ${f}`);
  }
  return lines.join('\n');
}

export function profileReport(profiles) {
  const lines = [];
  for (const [workload, p] of Object.entries(profiles ?? {})) {
    if (p.error !== undefined) {
      lines.push(`Profile ${workload}: ${p.error}`);
      continue;
    }
    lines.push(
      `Profile under \`${workload}\` (${p.describe ?? 'Junction in-memory, 1 cluster'}; ${fmt(p.busyMs / 1000, 1)} s busy CPU, ` +
        `${int(p.requests)} requests, ${int(p.busyMicrosPerRequest)} µs busy CPU per request; shares are of busy time):`,
    );
    lines.push('');
    lines.push('| share | where |');
    lines.push('|--:|---|');
    for (const c of p.categories.slice(0, 10)) lines.push(`| ${fmt(c.share * 100, 1)}% | ${c.name} |`);
    lines.push('');
    lines.push('| self | function |');
    lines.push('|--:|---|');
    for (const f of p.functions.slice(0, 15)) lines.push(`| ${fmt(f.share * 100, 1)}% | \`${f.name}\` |`);
    lines.push('');
    lines.push('| inclusive | Junction function (with everything it calls) |');
    lines.push('|--:|---|');
    for (const f of p.junctionInclusive.slice(0, 12)) lines.push(`| ${fmt(f.share * 100, 1)}% | \`${f.name}\` |`);
    lines.push('');
  }
  return lines.join('\n');
}
