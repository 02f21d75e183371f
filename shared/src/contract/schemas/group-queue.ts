// A RoutingGroup's queue and admission limits (spec.queue, spec.admission): how queries wait when every
// member is at its maxRunningQueries, and how one user or source is kept from crowding out the others.
import { z } from 'zod';
import { dnsName } from './names.js';

export const QueuePriorityClass = z
  .strictObject({
    name: dnsName.describe('Class name, shown in metrics and the queue listing.'),
    condition: z
      .string()
      .min(1)
      .describe('CEL expression over request.*; the first class that matches takes the query.'),
  })
  .describe('A priority class of the queue: classes listed first are served first; FIFO within a class.');

export const FairShare = z.enum(['None', 'User', 'Source']);

export const GroupQueue = z
  .strictObject({
    maxQueued: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe('Queries waiting in this group at most; one more is rejected with QUERY_QUEUE_FULL.'),
    maxWaitSeconds: z
      .number()
      .int()
      .min(1)
      .default(3600)
      .describe('A query waiting longer fails with EXCEEDED_TIME_LIMIT.'),
    priorityClasses: z
      .array(QueuePriorityClass)
      .default([])
      .describe('Served in list order; a query no class claims joins the implicit last class "default".'),
    fairShare: FairShare.default('User').describe(
      'Within a class, users (or sources) take turns, so one with many queued queries cannot starve another. None = plain FIFO.',
    ),
  })
  .describe(
    'How queries wait when every member is at its maxRunningQueries (or asleep). Only members with a limit make queries wait.',
  );

export const AdmissionKey = z.enum(['User', 'Source']);

export const AdmissionLimit = z
  .strictObject({
    name: dnsName.describe('Limit name, shown in status, metrics and rejections.'),
    condition: z
      .string()
      .min(1)
      .default('true')
      .describe('CEL expression over request.*; the limit applies to the requests it matches.'),
    key: AdmissionKey.describe('The limit applies per distinct user or source.'),
    maxConcurrent: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Queries of one key admitted at once (running or waiting for a cluster).'),
    maxPerSecond: z.number().positive().optional().describe('Submissions per second of one key (token bucket).'),
    burst: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('Submissions allowed at once above the rate; defaults to maxPerSecond rounded up.'),
    onExceed: z
      .enum(['Queue', 'Reject'])
      .default('Reject')
      .describe(
        'Over the limit: Reject fails the query at once (ADMISSION_LIMIT_EXCEEDED); Queue holds it until the key is under the limit.',
      ),
  })
  .refine((limit) => limit.maxConcurrent !== undefined || limit.maxPerSecond !== undefined, {
    message: 'set maxConcurrent, maxPerSecond or both',
    path: ['maxConcurrent'],
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: 'has(self.maxConcurrent) || has(self.maxPerSecond)', message: 'set maxConcurrent, maxPerSecond or both' },
    ],
  })
  .describe('A per-user or per-source limit on concurrent queries and on the submission rate.');

export type GroupQueue = z.infer<typeof GroupQueue>;
export type AdmissionLimit = z.infer<typeof AdmissionLimit>;
export type FairShare = z.infer<typeof FairShare>;
