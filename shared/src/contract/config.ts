// Parses gateway.yaml and operator.yaml text: `${ENV:NAME}` substitution, YAML, then the zod schema. Every
// problem becomes one line of a ConfigError so start-up stops with a message naming the key.
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { GatewayConfig } from './schemas/gateway-config.js';
import { OperatorConfig } from './schemas/operator-config.js';
import { parseYamlDocuments, substituteEnv } from './yaml-env.js';
import { formatIssues } from './zod-errors.js';

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

/** Parses configuration text; `source` names it in messages (usually the file's base name). */
export function parseGatewayConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return parseConfig(GatewayConfig, text, source, env);
}

/** Parses operator configuration text; `source` names it in messages (usually the file's base name). */
export function parseOperatorConfig(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): OperatorConfig {
  return parseConfig(OperatorConfig, text, source, env);
}
