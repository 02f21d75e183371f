// Loads gateway.yaml: `${ENV:NAME}` substitution, YAML, then the GatewayConfig schema. Every
// problem becomes one line of a ConfigError so start-up stops with a message naming the key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { GatewayConfig } from './schemas.js';
import { parseYamlDocuments, substituteEnv } from './yaml-env.js';
import { formatIssues } from './zod-errors.js';

/** Parses configuration text; `source` names it in messages (usually the file's base name). */
export function parseGatewayConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const documents = parseYamlDocuments(substituteEnv(text, env), source);
  if (documents.length > 1) {
    throw new ConfigError(`${source}: expected one YAML document, found ${documents.length}`);
  }
  const result = GatewayConfig.safeParse(documents[0] ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(`${source}: `, result.error));
  return result.data;
}

/** Reads a configuration file; relative resource files are taken relative to its directory. */
export function loadGatewayConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(error as Error).message}`);
  }
  const config = parseGatewayConfig(text, path.basename(file), env);
  if (config.resources === undefined) return config;
  const directory = path.dirname(path.resolve(file));
  return { ...config, resources: { files: config.resources.files.map((entry) => path.resolve(directory, entry)) } };
}
