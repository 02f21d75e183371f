// Reads the manifest files of standalone mode: every file is parsed with the contract's manifest
// parser, and the problems of all of them are reported together.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../contract/errors.js';
import { parseResources, type Resources } from '../contract/manifests.js';

/** Reads and concatenates several manifest files, reporting the problems of all of them together. */
export function loadResourceFiles(files: readonly string[]): Resources {
  const problems: string[] = [];
  const resources: Resources = { clusters: [], groups: [] };
  for (const file of files) {
    const source = path.relative(process.cwd(), file) || file;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`${source}: cannot read resource file: ${(error as Error).message}`);
      continue;
    }
    try {
      const parsed = parseResources(text, source);
      resources.clusters.push(...parsed.clusters);
      resources.groups.push(...parsed.groups);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resources;
}
