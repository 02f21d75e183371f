// The plain shapes the rest of the operator sees of Kubernetes: a custom resource as the API returns it,
// an Event to emit, and what the status writer needs. kube.ts implements them with client-node.
import type { ResourceKind } from '@junction/shared';

/** A custom resource as the API returns it; its spec is validated elsewhere (resources.ts). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: unknown;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EventInput {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** What the status writer needs from Kubernetes. */
export interface StatusClient {
  patchStatus(kind: ResourceKind, name: string, status: Record<string, unknown>): Promise<KubeObject>;
  createEvent(kind: ResourceKind, object: KubeObject, event: EventInput): Promise<void>;
}
