// Loads gateway.yaml and operator.yaml from disk: reads the file, parses it with the contract's
// parser, and resolves the relative paths inside it against the file's directory.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGatewayConfig, parseOperatorConfig } from '../contract/config.js';
import { ConfigError } from '../contract/errors.js';
import type { GatewayConfig } from '../contract/schemas/gateway-config.js';
import type { OperatorConfig } from '../contract/schemas/operator-config.js';

function readConfigFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(error as Error).message}`);
  }
}

/** Reads a configuration file; relative resource files are taken relative to its directory. */
export function loadGatewayConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = parseGatewayConfig(readConfigFile(file), path.basename(file), env);
  if (config.resources === undefined) return config;
  const directory = path.dirname(path.resolve(file));
  return { ...config, resources: { files: config.resources.files.map((entry) => path.resolve(directory, entry)) } };
}

/** Reads an operator configuration file; a relative kubeconfig is taken relative to its directory. */
export function loadOperatorConfig(file: string, env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const config = parseOperatorConfig(readConfigFile(file), path.basename(file), env);
  const kubeconfig = config.kubernetes.kubeconfig;
  if (kubeconfig === undefined) return config;
  const directory = path.dirname(path.resolve(file));
  return { ...config, kubernetes: { ...config.kubernetes, kubeconfig: path.resolve(directory, kubeconfig) } };
}
