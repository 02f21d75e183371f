// The `redis` section's three modes (url, sentinel, cluster): what parses, the defaults, and errors that name the field.
import { parseGatewayConfig } from '../config.js';
import { ConfigError } from '../errors.js';

function parse(redis: string, env: NodeJS.ProcessEnv = {}) {
  return parseGatewayConfig(`redis: ${redis}\n`, 'gateway.yaml', env).redis;
}

function problems(redis: string): string[] {
  try {
    parse(redis);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('redis config', () => {
  test('url mode is unchanged', () => {
    expect(parse('{ url: "redis://r:6379/0" }')).toEqual({
      url: 'redis://r:6379/0',
      keyPrefix: 'junction:',
      commandTimeout: 500,
    });
  });

  test('sentinel mode: sentinel port 26379 and db 0 by default, secrets from the environment', () => {
    const redis = parse(
      `
  sentinel:
    masterName: junction
    nodes: [{ host: s1 }, { host: s2, port: 26380 }]
    password: \${ENV:SENTINEL_PASSWORD}
  password: \${ENV:REDIS_PASSWORD}
  commandTimeout: 1s`,
      { SENTINEL_PASSWORD: 'sentinel-secret', REDIS_PASSWORD: 'data-secret' },
    );
    expect(redis).toEqual({
      sentinel: {
        masterName: 'junction',
        nodes: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26380 },
        ],
        password: 'sentinel-secret',
        db: 0,
      },
      password: 'data-secret',
      keyPrefix: 'junction:',
      commandTimeout: 1000,
    });
  });

  test('cluster mode: seed port 6379 by default, TLS and ACL user', () => {
    expect(
      parse('{ cluster: { nodes: [{ host: c1 }, { host: c2, port: 7001 }] }, username: junction, tls: true }'),
    ).toEqual({
      cluster: {
        nodes: [
          { host: 'c1', port: 6379 },
          { host: 'c2', port: 7001 },
        ],
      },
      username: 'junction',
      tls: true,
      keyPrefix: 'junction:',
      commandTimeout: 500,
    });
  });

  test('exactly one mode', () => {
    expect(problems('{ keyPrefix: "x:" }')).toEqual([
      'gateway.yaml: redis: needs exactly one of url, sentinel or cluster',
    ]);
    expect(problems('{ url: "redis://r", cluster: { nodes: [{ host: c1 }] } }')).toEqual([
      'gateway.yaml: redis: takes exactly one of url, sentinel or cluster, got url and cluster',
    ]);
  });

  test('errors name the field', () => {
    expect(problems('{ sentinel: { nodes: [{ host: s1 }] } }')).toEqual([
      'gateway.yaml: redis.sentinel.masterName: required',
    ]);
    expect(problems('{ sentinel: { masterName: m, nodes: [] } }')).toEqual([
      'gateway.yaml: redis.sentinel.nodes: must have at least one item',
    ]);
    expect(problems('{ cluster: { nodes: [{ host: c1, port: 0 }] } }')).toEqual([
      'gateway.yaml: redis.cluster.nodes[0].port: must be >= 1',
    ]);
    expect(problems('{ cluster: { nodes: [{ host: c1 }], db: 1 } }')).toEqual([
      'gateway.yaml: redis.cluster.db: unknown key',
    ]);
    expect(problems('{ url: "redis://r", password: p }')).toEqual([
      'gateway.yaml: redis.password: is for sentinel and cluster modes; with url, put it in the URL (redis://user:password@host)',
    ]);
  });
});
