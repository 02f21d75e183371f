// Builds the Junction manifests the converter writes: RoutingGroups (selecting clusters by the
// group label, falling back to the default group as Trino Gateway does) and their names, which
// must be DNS names, where Trino Gateway allows any string.
import { API_VERSION, type RoutingStrategy } from '@junction/shared';
import { print } from './cel.js';
import type { PlacedRule } from './ordering.js';

export interface MigrationOptions {
  /** Trino Gateway's routing.defaultRoutingGroup. */
  readonly defaultGroup: string;
  /** The TrinoCluster label whose value names the routing group. */
  readonly labelKey: string;
  readonly strategy: RoutingStrategy;
}

/** Annotation that keeps the Trino Gateway name when it had to change. */
export const ORIGINAL_NAME = 'junction.dev/trino-gateway-name';

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_KEY = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export function isLabelKey(key: string): boolean {
  const name = key.slice(key.indexOf('/') + 1);
  return LABEL_KEY.test(key) && name.length <= 63 && key.length - name.length <= 254;
}

export type NameResult = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly reason: string };

/**
 * Maps Trino Gateway names to resource names: unchanged when already a DNS name, else
 * lower-cased with other characters turned into '-'. A name that still does not fit, or that
 * collides with another, is refused. `maxLength` is 63 for groups (the name is also a label value).
 */
export class ResourceNames {
  readonly renamed: { readonly from: string; readonly to: string }[] = [];
  readonly #names = new Map<string, NameResult>();
  readonly #owners = new Map<string, string>();

  constructor(
    readonly kind: string,
    private readonly maxLength: number,
  ) {}

  resolve(original: string): NameResult {
    const known = this.#names.get(original);
    if (known !== undefined) return known;
    const result = this.#choose(original);
    this.#names.set(original, result);
    if (result.ok) {
      this.#owners.set(result.name, original);
      if (result.name !== original) this.renamed.push({ from: original, to: result.name });
    }
    return result;
  }

  #choose(original: string): NameResult {
    const fits = (name: string) => DNS_NAME.test(name) && name.length <= this.maxLength;
    const candidate = fits(original)
      ? original
      : original
          .toLowerCase()
          .replace(/[^a-z0-9.-]+/g, '-')
          .replace(/^[-.]+|[-.]+$/g, '');
    if (!fits(candidate)) {
      const limit = `a DNS name of at most ${this.maxLength} characters`;
      return { ok: false, reason: `${this.kind} name "${original}" cannot be made ${limit}` };
    }
    const owner = this.#owners.get(candidate);
    if (owner !== undefined) {
      return { ok: false, reason: `${this.kind} names "${original}" and "${owner}" would both become "${candidate}"` };
    }
    return { ok: true, name: candidate };
  }
}

export function metadata(name: string, original: string, labels?: Record<string, string>): Record<string, unknown> {
  return {
    name,
    ...(labels === undefined ? {} : { labels }),
    ...(name === original ? {} : { annotations: { [ORIGINAL_NAME]: original } }),
  };
}

export interface GroupSpecInput {
  /** The Trino Gateway group name. */
  readonly original: string;
  readonly name: string;
  readonly rules: readonly PlacedRule[];
  readonly priority: number | undefined;
}

/** One RoutingGroup manifest; every group but the default falls back to it, as in Trino Gateway. */
export function routingGroupManifest(group: GroupSpecInput, defaultName: string, options: MigrationOptions): object {
  const isDefault = group.name === defaultName;
  return {
    apiVersion: API_VERSION,
    kind: 'RoutingGroup',
    metadata: metadata(group.name, group.original),
    spec: {
      clusterSelector: { matchLabels: { [options.labelKey]: group.name } },
      ...(isDefault ? { default: true } : {}),
      strategy: options.strategy,
      ...(group.priority === undefined ? {} : { priority: group.priority }),
      ...(isDefault ? {} : { fallbackGroup: defaultName }),
      ...(group.rules.length === 0
        ? {}
        : { rules: group.rules.map((rule) => ({ name: rule.name, condition: print(rule.condition) })) }),
    },
  };
}
