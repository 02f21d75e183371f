// Reading YAML files the way every Junction config is read: `${ENV:NAME}` substituted in the raw
// text first (as the reference gateway does, so secrets can come from the environment), then
// parsed as one or more YAML documents with errors that name the file and line.
import { parseAllDocuments } from 'yaml';
import { ConfigError } from './errors.js';

const ENV_REFERENCE = /\$\{ENV:([a-zA-Z][a-zA-Z0-9_-]*)\}/g;

/** Replaces every `${ENV:NAME}`; throws ConfigError listing each unset variable. */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const unset = new Set<string>();
  const result = text.replace(ENV_REFERENCE, (reference, name: string) => {
    const value = env[name];
    if (value === undefined) unset.add(name);
    return value ?? reference;
  });
  if (unset.size > 0) {
    throw new ConfigError([...unset].map((name) => `Configuration references unset environment variable ${name}`));
  }
  return result;
}

/** The first line of a yaml error without the position, which we print in front instead. */
function briefly(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses every non-empty document of a multi-document YAML text into plain values. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const documents = parseAllDocuments(text);
  const problems: string[] = [];
  const values: unknown[] = [];
  for (const document of documents) {
    for (const error of document.errors) {
      const position = error.linePos?.[0];
      const where = position === undefined ? '' : `line ${position.line}, column ${position.col}: `;
      problems.push(`${source}: ${where}${briefly(error.message)}`);
    }
    if (document.errors.length > 0) continue;
    try {
      const value: unknown = document.toJS();
      if (value !== null && value !== undefined) values.push(value);
    } catch (error) {
      const start = document.contents?.range[0] ?? document.range[0];
      const where = `line ${lineOf(text, start)}: `;
      problems.push(`${source}: ${where}${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
