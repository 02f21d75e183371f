// The operator's configuration (operator.yaml): the namespace it watches, Redis, leader election,
// probing, how often queue counts reach status, and its admin listener. Unknown keys are errors, so a
// typo stops start-up.
import { z } from 'zod';
import { adminListener } from './admin.js';
import { LoggingConfig, RedisConfig } from './common.js';

export const OperatorConfig = z.strictObject({
  kubernetes: z.strictObject({
    kubeconfig: z.string().optional().describe('Path to a kubeconfig; absent → in-cluster service account.'),
    namespace: z.string().min(1).describe('Namespace whose TrinoClusters and RoutingGroups are watched.'),
  }),
  redis: RedisConfig,
  leaderElection: z
    .strictObject({
      enabled: z.boolean().default(true),
      leaseName: z.string().min(1).default('junction-operator'),
      identity: z.string().min(1).optional().describe('Defaults to hostname + pid.'),
      leaseDurationSeconds: z.number().int().min(1).default(15),
      renewDeadlineSeconds: z.number().int().min(1).default(10),
      retryPeriodSeconds: z.number().int().min(1).default(2),
    })
    .refine((l) => l.renewDeadlineSeconds < l.leaseDurationSeconds, {
      message: 'must be less than leaseDurationSeconds',
      path: ['renewDeadlineSeconds'],
    })
    .prefault({}),
  probe: z.strictObject({ concurrency: z.number().int().min(1).default(16) }).prefault({}),
  queueStatus: z
    .strictObject({
      intervalSeconds: z
        .number()
        .min(0)
        .default(5)
        .describe(
          "How often the leader reads the proxies' shared queue (Redis) into TrinoCluster.status.admittedQueries and RoutingGroup.status.queuedQueries (0 = never).",
        ),
    })
    .prefault({}),
  admin: adminListener(8082),
  logging: LoggingConfig,
});

export type OperatorConfig = z.infer<typeof OperatorConfig>;
export type OperatorConfigInput = z.input<typeof OperatorConfig>;
