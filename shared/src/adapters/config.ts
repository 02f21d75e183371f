// Loads gateway.yaml and operator.yaml: `${ENV:NAME}` substitution, YAML, then the zod schema. Every
// problem becomes one line of a ConfigError so start-up stops with a message naming the key.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../contract/errors.js';
import { GatewayConfig, OperatorConfig } from '../contract/schemas.js';
import { parseYamlDocuments, substituteEnv } from '../contract/yaml-env.js';
import { formatIssues } from '../contract/zod-errors.js';

/** Substitutes the environment, parses the one YAML document and validates it against `schema`. */
function parseConfig<T>(schema: z.ZodType<T>, text: string, source: string, env: NodeJS.ProcessEnv): T {
  const documents = parseYamlDocuments(substituteEnv(text, env), source);
  if (documents.length > 1) {
    throw new ConfigError(`${source}: expected one YAML document, found ${documents.length}`);
  }
  const result = schema.safeParse(documents[0] ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(`${source}: `, result.error));
  return result.data;
}

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(error as Error).message}`);
  }
}

/** Parses configuration text; `source` names it in messages (usually the file's base name). */
export function parseGatewayConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseConfig(GatewayConfig, text, source, env);
}

/** Reads a configuration file; relative resource files are taken relative to its directory. */
export function loadGatewayConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = parseGatewayConfig(readConfigFile(file), path.basename(file), env);
  if (config.resources === undefined) return config;
  const directory = path.dirname(path.resolve(file));
  return { ...config, resources: { files: config.resources.files.map((entry) => path.resolve(directory, entry)) } };
}

/** Parses operator configuration text; `source` names it in messages (usually the file's base name). */
export function parseOperatorConfig(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): OperatorConfig {
  return parseConfig(OperatorConfig, text, source, env);
}

/** Reads an operator configuration file; a relative kubeconfig is taken relative to its directory. */
export function loadOperatorConfig(file: string, env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const config = parseOperatorConfig(readConfigFile(file), path.basename(file), env);
  const kubeconfig = config.kubernetes.kubeconfig;
  if (kubeconfig === undefined) return config;
  const directory = path.dirname(path.resolve(file));
  return { ...config, kubernetes: { ...config.kubernetes, kubeconfig: path.resolve(directory, kubeconfig) } };
}
