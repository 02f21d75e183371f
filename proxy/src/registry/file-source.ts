// Standalone registry source: the TrinoCluster/RoutingGroup manifests in resource files, watched.
// Every valid edit becomes a new immutable Registry; an invalid edit is logged and the last valid
// registry stays. Files are polled by stat, which also sees ConfigMap symlink swaps and editors
// that replace files.
import { type StatWatcher, unwatchFile, watchFile } from 'node:fs';
import { buildRegistry, type ConfigError, type Logger, loadResourceFiles, type Registry } from '@junction/shared';
import { reportRegistry } from './report.js';
import type { RegistrySource } from './source.js';

export interface FileRegistrySourceOptions {
  readonly files: readonly string[];
  readonly defaultRoutingGroup: string;
  readonly logger: Logger;
  readonly pollMs?: number;
  readonly onRejected?: (error: ConfigError | Error) => void;
}

export class FileRegistrySource implements RegistrySource {
  #registry: Registry;
  #listeners: Array<(registry: Registry) => void> = [];
  #watchers: Array<[string, (curr: { mtimeMs: number }, prev: { mtimeMs: number }) => void]> = [];

  /** Loads the files once; throws ConfigError when they are invalid at start-up. */
  constructor(readonly options: FileRegistrySourceOptions) {
    this.#registry = this.#build(1);
    reportRegistry(this.options.logger, this.#registry);
  }

  current(): Registry {
    return this.#registry;
  }

  onChange(listener: (registry: Registry) => void): void {
    this.#listeners.push(listener);
  }

  /** Starts watching the files for edits. */
  watch(): this {
    for (const file of this.options.files) {
      const listener = (curr: { mtimeMs: number; size?: number }, prev: { mtimeMs: number; size?: number }) => {
        if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size) this.reload();
      };
      const watcher: StatWatcher = watchFile(
        file,
        { interval: this.options.pollMs ?? 500, persistent: false },
        listener,
      );
      watcher.unref?.();
      this.#watchers.push([file, listener]);
    }
    return this;
  }

  /** Re-reads the files now. Returns true when a new registry took effect. */
  reload(): boolean {
    try {
      const next = this.#build(this.#registry.generation + 1, this.#registry);
      this.#registry = next;
      reportRegistry(this.options.logger, next);
      for (const listener of this.#listeners) listener(next);
      return true;
    } catch (error) {
      this.options.logger.error('resource files rejected; keeping the last valid registry', {
        error: error instanceof Error ? error.message : String(error),
        generation: this.#registry.generation,
      });
      this.options.onRejected?.(error as Error);
      return false;
    }
  }

  close(): void {
    for (const [file, listener] of this.#watchers) unwatchFile(file, listener);
    this.#watchers = [];
  }

  #build(generation: number, previous?: Registry): Registry {
    const { clusters, groups } = loadResourceFiles(this.options.files);
    return buildRegistry({
      clusters,
      groups,
      defaultRoutingGroup: this.options.defaultRoutingGroup,
      generation,
      ...(previous === undefined ? {} : { previous }),
    });
  }
}
