// The gateway's OpenTelemetry tracing settings: off by default; when on, spans go to an OTLP/HTTP
// collector endpoint, sampled by ratio (a client's own sampled traceparent is followed).
import { z } from 'zod';
import { duration } from './common.js';

export const TracingConfig = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Off: no span is made and nothing is exported.'),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .default('http://localhost:4318/v1/traces')
      .describe('The OTLP/HTTP traces endpoint of a collector.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Sent with every export (an API key, say: put it in the environment and reference it).'),
    serviceName: z.string().min(1).default('junction-proxy').describe('service.name of every span.'),
    sampleRatio: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Share of new traces sampled; requests with a sampled traceparent are always traced.'),
    exportInterval: duration.default(2_000).describe('Finished spans are exported at least this often.'),
  })
  .prefault({});

export type TracingConfig = z.infer<typeof TracingConfig>;
