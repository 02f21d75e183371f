// What a proxy's admin API says about its live registry, and waiting on it: tests observe the routing
// state itself instead of inferring it from where a few sampled submissions happened to land.
import { request } from 'undici';
import { eventually } from './wait.js';

/** One entry of `GET /api/v1/groups`. */
export interface GroupView {
  name: string;
  default: boolean;
  fallbackGroup: string | null;
  clusters: string[];
  healthyClusters: number;
  /** Members a new query of the group can go to now: Healthy, enabled, weight > 0 (the router's rule). */
  routableClusters: string[];
  rules: Array<{ name: string; condition: string }>;
}

/** `Authorization` for admin APIs that require a token (the chart's default); none for open ones. */
const authorization = (token: string | undefined) => (token === undefined ? {} : { authorization: `Bearer ${token}` });

async function getJson<T>(url: string, token?: string): Promise<T> {
  const response = await request(url, { headers: authorization(token) });
  if (response.statusCode !== 200) {
    throw new Error(`GET ${url} answered ${response.statusCode}: ${await response.body.text()}`);
  }
  return (await response.body.json()) as T;
}

export async function groupsOf(adminUrl: string, token?: string): Promise<GroupView[]> {
  return getJson<GroupView[]>(`${adminUrl}/api/v1/groups`, token);
}

export async function generationOf(adminUrl: string, token?: string): Promise<number> {
  return (await getJson<{ generation: number }>(`${adminUrl}/api/v1/registry`, token)).generation;
}

/** One entry of `GET /api/v1/clusters` (the fields tests read). */
export interface ClusterView {
  name: string;
  phase: string;
  admittedQueries: number;
}

export async function clustersOf(adminUrl: string, token?: string): Promise<ClusterView[]> {
  return getJson<ClusterView[]>(`${adminUrl}/api/v1/clusters`, token);
}

/**
 * Resolves once every proxy would send a new query of `group` only to `routable` (exactly those
 * members, and no fallback group that could reach anything else); returns each proxy's generation
 * at that moment. Polls every `stepMs`, so a propagation time measured around it is exact to a step.
 */
export async function untilEveryProxyRoutes(
  adminUrls: readonly string[],
  group: string,
  routable: readonly string[],
  options: { timeoutMs?: number; stepMs?: number; token?: string } = {},
): Promise<number[]> {
  const want = JSON.stringify([...routable].sort());
  const done = new Set<string>();
  await eventually(
    async () => {
      await Promise.all(
        adminUrls
          .filter((url) => !done.has(url))
          .map(async (url) => {
            const view = (await groupsOf(url, options.token)).find((g) => g.name === group);
            if (view?.fallbackGroup === null && JSON.stringify([...view.routableClusters].sort()) === want) {
              done.add(url);
            }
          }),
      );
      return done.size === adminUrls.length;
    },
    options.timeoutMs ?? 10_000,
    options.stepMs ?? 5,
  );
  return Promise.all(adminUrls.map((url) => generationOf(url, options.token)));
}
