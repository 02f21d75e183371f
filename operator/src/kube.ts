// The only module that touches @kubernetes/client-node: list/watch of our custom resources, status
// merge-patches, Events and Leases. The rest of the operator sees plain objects and small interfaces.
import { randomBytes } from 'node:crypto';
import { API_GROUP, API_VERSION_NAME, RESOURCE_KINDS, type ResourceKind } from '@junction/shared';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderMiddleware,
} from '@kubernetes/client-node';
import type { CacheSource } from './informer.js';
import { RelistableCache } from './kube-cache.js';
import type { EventInput, KubeObject, StatusClient } from './kube-types.js';
import { type LeaseClient, LeaseConflictError, type LeaseRecord, type LeaseSpec } from './leader.js';

export interface KubeSettings {
  /** Path of a kubeconfig; undefined → the in-cluster service account. */
  readonly kubeconfig?: string;
  readonly namespace: string;
  /** Shown as the Events' reporting instance (the elector identity). */
  readonly instance: string;
  /** Every request but watches is aborted after this long, so a stalled apiserver cannot block a worker. */
  readonly requestTimeoutMs?: number;
}

const COMPONENT = 'junction-operator';

/** An HTTP error from the apiserver: status code plus the Status message it sent. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** client-node's ApiException carries the code and the raw body; keep the apiserver's message only. */
function apiError(error: unknown, what: string): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'number') return error instanceof Error ? error : new Error(String(error));
  const body = (error as { body?: unknown }).body;
  let message = typeof body === 'string' ? body : JSON.stringify(body);
  try {
    const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown };
    if (typeof parsed?.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the raw body
  }
  return new KubeApiError(code, `${what}: HTTP ${code}: ${message}`);
}

export class Kube implements StatusClient {
  readonly namespace: string;
  readonly leases: LeaseClient;
  private readonly config: KubeConfig;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private readonly timeoutMs: number;

  constructor(private readonly settings: KubeSettings) {
    this.config = new KubeConfig();
    if (settings.kubeconfig === undefined) this.config.loadFromCluster();
    else this.config.loadFromFile(settings.kubeconfig);
    this.namespace = settings.namespace;
    this.timeoutMs = settings.requestTimeoutMs ?? 15_000;
    this.custom = this.config.makeApiClient(CustomObjectsApi);
    this.core = this.config.makeApiClient(CoreV1Api);
    this.coordination = this.config.makeApiClient(CoordinationV1Api);
    this.leases = this.leaseClient();
  }

  /** The list+watch cache of one kind in our namespace, for informer.ts. */
  cacheSource(kind: ResourceKind): CacheSource<KubeObject> {
    const plural = RESOURCE_KINDS[kind].plural;
    const path = `/apis/${API_GROUP}/${API_VERSION_NAME}/namespaces/${this.namespace}/${plural}`;
    const list = async () => {
      try {
        const params = { group: API_GROUP, version: API_VERSION_NAME, namespace: this.namespace, plural };
        return await this.custom.listNamespacedCustomObject(params, this.options('application/json'));
      } catch (error) {
        throw apiError(error, `listing ${plural}`);
      }
    };
    return new RelistableCache(this.config, path, list);
  }

  async patchStatus(kind: ResourceKind, name: string, status: Record<string, unknown>): Promise<KubeObject> {
    try {
      return (await this.custom.patchNamespacedCustomObjectStatus(
        {
          group: API_GROUP,
          version: API_VERSION_NAME,
          namespace: this.namespace,
          plural: RESOURCE_KINDS[kind].plural,
          name,
          body: { status },
          fieldManager: COMPONENT,
        },
        // The generated client would send JSON Patch; a merge patch of the whole status is what we mean.
        this.options(PatchStrategy.MergePatch),
      )) as KubeObject;
    } catch (error) {
      throw apiError(error, `patching ${kind} ${name} status`);
    }
  }

  async createEvent(kind: ResourceKind, object: KubeObject, event: EventInput): Promise<void> {
    const now = new Date();
    const name = object.metadata.name;
    try {
      await this.core.createNamespacedEvent(
        {
          namespace: this.namespace,
          body: {
            metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace: this.namespace },
            involvedObject: {
              apiVersion: object.apiVersion,
              kind,
              name,
              namespace: this.namespace,
              uid: object.metadata.uid,
              resourceVersion: object.metadata.resourceVersion,
            },
            type: event.type,
            reason: event.reason,
            message: event.message,
            source: { component: COMPONENT },
            reportingComponent: COMPONENT,
            reportingInstance: this.settings.instance,
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        },
        this.options('application/json'),
      );
    } catch (error) {
      throw apiError(error, `creating an Event for ${kind} ${name}`);
    }
  }

  private leaseClient(): LeaseClient {
    const namespace = this.namespace;
    const toRecord = (lease: { metadata?: { resourceVersion?: string }; spec?: unknown }): LeaseRecord => {
      // MicroTime is not in the generated serializer's type map, so these arrive as the API's strings.
      const spec = (lease.spec ?? {}) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
      return {
        holderIdentity: text(spec['holderIdentity']),
        leaseDurationSeconds: Number(spec['leaseDurationSeconds'] ?? 0),
        acquireTime: text(spec['acquireTime']),
        renewTime: text(spec['renewTime']),
        leaseTransitions: Number(spec['leaseTransitions'] ?? 0),
        resourceVersion: lease.metadata?.resourceVersion ?? '',
      };
    };
    // Strings where the generated types say Date: a Date would be sent with milliseconds, which the
    // API's MicroTime parser rejects.
    const body = (name: string, spec: LeaseSpec, resourceVersion?: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: { ...spec } as unknown as Record<string, never>,
    });
    const conflictOr = (error: unknown, what: string) => {
      const failure = apiError(error, what);
      return failure instanceof KubeApiError && failure.status === 409
        ? new LeaseConflictError(failure.message)
        : failure;
    };
    return {
      read: async (name) => {
        try {
          return toRecord(
            await this.coordination.readNamespacedLease({ name, namespace }, this.options('application/json')),
          );
        } catch (error) {
          if ((error as { code?: unknown }).code === 404) return undefined;
          throw apiError(error, `reading Lease ${name}`);
        }
      },
      create: async (name, spec) => {
        try {
          const created = await this.coordination.createNamespacedLease(
            { namespace, body: body(name, spec) },
            this.options('application/json'),
          );
          return toRecord(created);
        } catch (error) {
          throw conflictOr(error, `creating Lease ${name}`);
        }
      },
      replace: async (name, record) => {
        const { resourceVersion, ...spec } = record;
        try {
          const replaced = await this.coordination.replaceNamespacedLease(
            { name, namespace, body: body(name, spec, resourceVersion) },
            this.options('application/json'),
          );
          return toRecord(replaced);
        } catch (error) {
          throw conflictOr(error, `replacing Lease ${name}`);
        }
      },
    };
  }

  /** Per-request options: the Content-Type to send and a timeout that aborts the request. */
  private options(contentType: string) {
    const header = setHeaderMiddleware('Content-Type', contentType);
    const timeoutMs = this.timeoutMs;
    return {
      middleware: [
        {
          pre: (context: Parameters<typeof header.pre>[0]) => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            return header.pre(context);
          },
          post: header.post,
        },
      ],
      middlewareMergeStrategy: 'append' as const,
    };
  }
}
