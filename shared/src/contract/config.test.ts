// Parsing gateway.yaml and operator.yaml text: defaults, durations, ${ENV:NAME}, and problems that name the key.
import { parseGatewayConfig, parseOperatorConfig } from './config.js';
import { ConfigError } from './errors.js';

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseGatewayConfig(text, 'gateway.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseGatewayConfig', () => {
  it('gives all defaults for an empty file', () => {
    for (const text of ['', '# nothing yet\n', '{}']) {
      const config = parseGatewayConfig(text, 'gateway.yaml', {});
      expect(config.server).toEqual({ host: '0.0.0.0', port: 8080, drainTimeout: 30_000 });
      expect(config.admin).toEqual({
        host: '0.0.0.0',
        port: 8081,
        auth: { mode: 'Required', reloadInterval: 1000, openPaths: ['/livez', '/readyz', '/metrics'] },
      });
      expect(config.routing.defaultRoutingGroup).toBe('adhoc');
      expect(config.routing.queryIdTtl).toBe(86_400_000);
      expect(config.gatewayCookieConfiguration).toEqual({ enabled: false });
      expect(config.redis).toBeUndefined();
      expect(config.resources).toBeUndefined();
    }
  });

  it('reads values and durations', () => {
    const config = parseGatewayConfig(
      'server: { port: 9080 }\nrouting:\n  defaultRoutingGroup: etl\n  queryIdTtl: 1h30m\n  requestTimeout: 1500\n',
      'gateway.yaml',
      {},
    );
    expect(config.server.port).toBe(9080);
    expect(config.routing).toMatchObject({ defaultRoutingGroup: 'etl', queryIdTtl: 5_400_000, requestTimeout: 1500 });
  });

  it(`substitutes \${ENV:NAME} before parsing`, () => {
    const text = `redis: { url: "\${ENV:REDIS_URL}" }\ngatewayCookieConfiguration:\n  enabled: true\n  cookieSigningSecret: \${ENV:SECRET}\n`;
    const config = parseGatewayConfig(text, 'gateway.yaml', { REDIS_URL: 'redis://r:6379/0', SECRET: 'k3y' });
    expect(config.redis?.url).toBe('redis://r:6379/0');
    expect(config.gatewayCookieConfiguration.cookieSigningSecret).toBe('k3y');
  });

  it('names an unset environment variable', () => {
    expect(problems(`admin: { host: \${ENV:ADMIN_HOST} }`)).toEqual([
      'Configuration references unset environment variable ADMIN_HOST',
    ]);
  });

  it('names an unknown key', () => {
    expect(problems('routing:\n  fooBar: 1\n')).toEqual(['gateway.yaml: routing.fooBar: unknown key']);
  });

  it('names a bad duration', () => {
    expect(problems('routing:\n  queryIdTtl: forever\n')).toEqual([
      'gateway.yaml: routing.queryIdTtl: must be a duration such as "500ms", "10s", "5m" or "24h", got "forever"',
    ]);
  });

  it('reports every problem at once', () => {
    expect(problems('server: { port: -1 }\nlogging: { level: loud }\n')).toEqual([
      'gateway.yaml: server.port: must be >= 0',
      'gateway.yaml: logging.level: must be one of "error", "warn", "info", "debug", got "loud"',
    ]);
  });

  it('requires a secret when cookies are enabled', () => {
    expect(problems('gatewayCookieConfiguration: { enabled: true }')).toEqual([
      'gateway.yaml: gatewayCookieConfiguration.cookieSigningSecret: required when enabled is true',
    ]);
  });

  it('accepts the secret as a list for rotation', () => {
    const config = parseGatewayConfig(
      'gatewayCookieConfiguration:\n  enabled: true\n  cookieSigningSecret: [new-secret, old-secret]\n',
      'gateway.yaml',
      {},
    );
    expect(config.gatewayCookieConfiguration.cookieSigningSecret).toEqual(['new-secret', 'old-secret']);
  });

  it('rejects several documents and YAML syntax errors', () => {
    expect(problems('server: {}\n---\nadmin: {}\n')).toEqual(['gateway.yaml: expected one YAML document, found 2']);
    expect(problems('server: [\n')[0]).toMatch(/^gateway\.yaml: line \d+, column \d+: /);
  });
});

describe('parseOperatorConfig', () => {
  const minimal = 'kubernetes: { namespace: junction }\nredis: { url: "redis://127.0.0.1:6379/0" }\n';

  function operatorProblems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
    try {
      parseOperatorConfig(text, 'operator.yaml', env);
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('fills the documented defaults', () => {
    const config = parseOperatorConfig(minimal, 'operator.yaml', {});
    expect(config.kubernetes).toEqual({ namespace: 'junction' });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379/0', keyPrefix: 'junction:', commandTimeout: 500 });
    expect(config.leaderElection).toEqual({
      enabled: true,
      leaseName: 'junction-operator',
      leaseDurationSeconds: 15,
      renewDeadlineSeconds: 10,
      retryPeriodSeconds: 2,
    });
    expect(config.probe).toEqual({ concurrency: 16 });
    expect(config.admin).toEqual({
      host: '0.0.0.0',
      port: 8082,
      auth: { mode: 'Required', reloadInterval: 1000, openPaths: ['/livez', '/readyz', '/metrics'] },
    });
    expect(config.logging).toEqual({ level: 'info' });
  });

  it(`substitutes \${ENV:NAME}, e.g. the pod name as identity`, () => {
    const config = parseOperatorConfig(`${minimal}leaderElection: { identity: \${ENV:POD_NAME} }\n`, 'operator.yaml', {
      POD_NAME: 'junction-operator-7d9f',
    });
    expect(config.leaderElection.identity).toBe('junction-operator-7d9f');
  });

  it('names missing sections, unknown keys and inconsistent lease timing', () => {
    expect(operatorProblems('')).toEqual(['operator.yaml: kubernetes: required', 'operator.yaml: redis: required']);
    expect(operatorProblems(`${minimal}leaderElection: { renewDeadlineSeconds: 20, leaseSeconds: 1 }\n`)).toEqual([
      'operator.yaml: leaderElection.leaseSeconds: unknown key',
      'operator.yaml: leaderElection.renewDeadlineSeconds: must be less than leaseDurationSeconds',
    ]);
  });
});
