// Parses TrinoCluster and RoutingGroup manifests from YAML text (standalone mode): the same
// documents `kubectl apply` takes, validated by the same schemas, every problem reported at once.
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { RoutingGroup, TrinoCluster } from './schemas/resources.js';
import { parseYamlDocuments } from './yaml-env.js';
import { formatIssues } from './zod-errors.js';

export interface Resources {
  clusters: TrinoCluster[];
  groups: RoutingGroup[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The manifests in a document: itself, or the items of a `kind: List`. */
function manifests(document: unknown, label: string, problems: string[]): { value: unknown; label: string }[] {
  if (!isRecord(document) || document.kind !== 'List') return [{ value: document, label }];
  if (!Array.isArray(document.items)) {
    problems.push(`${label}: items: a List must have a list of items`);
    return [];
  }
  return document.items.map((value, index) => ({ value, label: `${label}, items[${index}]` }));
}

/** `TrinoCluster "blue"` when the manifest names itself; undefined otherwise. */
function manifestName(value: Record<string, unknown>, kind: string): string | undefined {
  const name = isRecord(value.metadata) ? value.metadata.name : undefined;
  return typeof name === 'string' && name !== '' ? `${kind} "${name}"` : undefined;
}

function validate<S extends z.ZodType>(schema: S, value: unknown, prefix: string, problems: string[]) {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data as z.output<S>;
  problems.push(...formatIssues(prefix, result.error));
  return undefined;
}

/** Parses one YAML text of manifests; `source` names it in messages. Throws one ConfigError. */
export function parseResources(text: string, source: string): Resources {
  const documents = parseYamlDocuments(text, source);
  const problems: string[] = [];
  const resources: Resources = { clusters: [], groups: [] };
  documents.forEach((document, index) => {
    for (const { value, label } of manifests(document, `${source}: document ${index + 1}`, problems)) {
      if (!isRecord(value)) {
        problems.push(`${label}: must be a mapping with apiVersion, kind, metadata and spec`);
        continue;
      }
      const kind = value.kind;
      if (kind !== 'TrinoCluster' && kind !== 'RoutingGroup') {
        problems.push(`${label}: kind: must be TrinoCluster or RoutingGroup`);
        continue;
      }
      const name = manifestName(value, kind);
      const prefix = name === undefined ? `${label}: ` : `${source}: ${name}: `;
      if (kind === 'TrinoCluster') {
        const cluster = validate(TrinoCluster, value, prefix, problems);
        if (cluster !== undefined) resources.clusters.push(cluster);
      } else {
        const group = validate(RoutingGroup, value, prefix, problems);
        if (group !== undefined) resources.groups.push(group);
      }
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return resources;
}
