// What the proxy routes with: the current immutable Registry and word of each new one, from the
// resource files (standalone) or the snapshots the operator publishes in Redis.
import type { Registry } from '@junction/shared';

export interface RegistrySource {
  current(): Registry;
  /** Called with every new registry (not for rejected edits). */
  onChange(listener: (registry: Registry) => void): void;
  close(): void;
}
