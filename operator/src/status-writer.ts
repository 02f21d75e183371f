// Writes `.status` only when it would change, and emits the Events that go with the change. It
// remembers its own last write, because the informer cache shows it only once the watch delivers it.
import type { Logger, ResourceKind } from '@junction/shared';
import type { KubeObject, StatusClient } from './kube-types.js';
import type { OperatorMetrics } from './metrics.js';
import { resourceKey } from './resources.js';
import { type Status, sameStatus, statusEvents } from './status.js';

interface OwnWrite {
  /** resourceVersion of the cached object our patch was based on. */
  readonly basedOn: string | undefined;
  readonly status: Record<string, unknown> | undefined;
}

export class StatusWriter {
  private readonly ownWrites = new Map<string, OwnWrite>();

  constructor(
    private readonly kube: StatusClient,
    private readonly metrics: OperatorMetrics,
    private readonly logger: Logger,
  ) {}

  /** The status as it is now: our own last write while the cached object predates it. */
  current(kind: ResourceKind, object: KubeObject): Record<string, unknown> | undefined {
    const own = this.ownWrites.get(resourceKey(kind, object.metadata.name));
    if (own !== undefined && own.basedOn === object.metadata.resourceVersion) return own.status;
    return object.status;
  }

  /**
   * Patches `desired` (computed from `current(kind, object)`) unless nothing would change.
   * Resolves true when it patched. Event failures are logged, not thrown: the status is already written.
   */
  async write(kind: ResourceKind, object: KubeObject, desired: Status): Promise<boolean> {
    const name = object.metadata.name;
    const current = this.current(kind, object);
    if (sameStatus(current, desired)) return false;
    const updated = await this.kube.patchStatus(kind, name, desired);
    this.metrics.statusPatched(kind);
    this.ownWrites.set(resourceKey(kind, name), { basedOn: object.metadata.resourceVersion, status: updated.status });
    for (const event of statusEvents(current, desired)) {
      try {
        await this.kube.createEvent(kind, updated, event);
        this.metrics.event(event.type);
      } catch (error) {
        this.logger.warn('could not create an Event', { kind, name, reason: event.reason, error: String(error) });
      }
    }
    return true;
  }

  forget(kind: ResourceKind, name: string): void {
    this.ownWrites.delete(resourceKey(kind, name));
  }
}
