// Leader election against a real kube-apiserver: Lease creation, optimistic concurrency, renewal,
// release on stop, and stepping down before the lease can expire when renewals fail.
import { silentLogger } from '@junction/shared';
import { Kube } from '../../operator/src/kube.js';
import {
  decideLease,
  LeaderElector,
  type LeaseClient,
  LeaseConflictError,
  type LeaseRecord,
  microTime,
} from '../../operator/src/leader.js';
import { type ControlPlane, startControlPlane } from '../harness/kube.js';

const NAMESPACE = 'junction';
const TIMING = { leaseDurationMs: 2000, renewDeadlineMs: 1400, retryPeriodMs: 250 };

let cp: ControlPlane;
let kube: Kube;
const running: LeaderElector[] = [];

beforeAll(async () => {
  cp = await startControlPlane({ namespace: NAMESPACE });
  kube = new Kube({ kubeconfig: cp.kubeconfig, namespace: NAMESPACE, instance: 'leader-test' });
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((elector) => elector.stop()));
  await cp?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - start;
}

interface Candidate {
  elector: LeaderElector;
  started: number[];
  stopped: number[];
}

function candidate(identity: string, leaseName: string, leases: LeaseClient = kube.leases): Candidate {
  const record: Candidate = { elector: undefined as unknown as LeaderElector, started: [], stopped: [] };
  record.elector = new LeaderElector({
    leases,
    leaseName,
    identity,
    ...TIMING,
    onStartedLeading: () => {
      record.started.push(Date.now());
    },
    onStoppedLeading: () => {
      record.stopped.push(Date.now());
    },
    logger: silentLogger(),
  });
  running.push(record.elector);
  record.elector.start();
  return record;
}

describe('decideLease', () => {
  const lease = (holder: string | undefined, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: '2026-01-01T00:00:00.000000Z',
    renewTime: '2026-01-01T00:00:10.000000Z',
    leaseTransitions: 3,
    resourceVersion: '42',
    ...extra,
  });
  const now = Date.parse('2026-01-01T00:01:00Z');
  const base = { identity: 'me', now, leaseDurationSeconds: 15 };

  it('creates a missing Lease, renews its own, waits for a live one and takes over an expired or released one', () => {
    expect(decideLease({ ...base, current: undefined, observedAt: now })).toEqual({
      action: 'create',
      spec: {
        holderIdentity: 'me',
        leaseDurationSeconds: 15,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    });
    expect(decideLease({ ...base, current: lease('me'), observedAt: now - 60_000 })).toMatchObject({
      action: 'renew',
      spec: { acquireTime: '2026-01-01T00:00:00.000000Z', renewTime: microTime(now), leaseTransitions: 3 },
    });
    // Expiry is judged by when we saw the record change, not by the holder's clock.
    expect(decideLease({ ...base, current: lease('other'), observedAt: now - 14_000 })).toEqual({
      action: 'wait',
      holder: 'other',
      expiresInMs: 1000,
    });
    expect(decideLease({ ...base, current: lease('other'), observedAt: now - 15_001 })).toMatchObject({
      action: 'acquire',
      spec: { holderIdentity: 'me', acquireTime: microTime(now), leaseTransitions: 4 },
    });
    expect(decideLease({ ...base, current: lease(undefined), observedAt: now })).toMatchObject({
      action: 'acquire',
      spec: { holderIdentity: 'me', leaseTransitions: 4 },
    });
  });

  it('formats MicroTime with six fraction digits', () => {
    expect(microTime(Date.parse('2026-05-01T10:00:00.123Z'))).toBe('2026-05-01T10:00:00.123000Z');
  });
});

describe('Lease client against the apiserver', () => {
  it('creates, reads and replaces with optimistic concurrency (409 → LeaseConflictError)', async () => {
    const spec = {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: microTime(Date.now()),
      renewTime: microTime(Date.now()),
      leaseTransitions: 0,
    };
    expect(await kube.leases.read('occ')).toBeUndefined();
    const created = await kube.leases.create('occ', spec);
    expect(created).toMatchObject({ ...spec, resourceVersion: expect.any(String) });
    await expect(kube.leases.create('occ', spec)).rejects.toBeInstanceOf(LeaseConflictError);
    // Two writers read the same version; only the first replace succeeds.
    const read = (await kube.leases.read('occ')) as LeaseRecord;
    const results = await Promise.allSettled([
      kube.leases.replace('occ', { ...read, holderIdentity: 'b' }),
      kube.leases.replace('occ', { ...read, holderIdentity: 'c' }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(LeaseConflictError);
    expect(String(rejected.reason)).toMatch(/409/);
    const final = (await kube.leases.read('occ')) as LeaseRecord;
    expect(['b', 'c']).toContain(final.holderIdentity);
    expect(final.renewTime).toBe(spec.renewTime);
  });
});

describe('LeaderElector', () => {
  it('one of two candidates leads; the other waits while the leader renews', async () => {
    const a = candidate('replica-a', 'pair');
    await until(() => a.elector.isLeader(), 5000);
    const b = candidate('replica-b', 'pair');
    const firstRenew = (await kube.leases.read('pair'))?.renewTime;
    // Well past two lease durations: the standby must never lead while renewals continue.
    await sleep(TIMING.leaseDurationMs * 2.5);
    expect(a.elector.isLeader()).toBe(true);
    expect(b.started).toEqual([]);
    expect(b.elector.leader).toBe('replica-a');
    const lease = (await kube.leases.read('pair')) as LeaseRecord;
    expect(lease).toMatchObject({ holderIdentity: 'replica-a', leaseDurationSeconds: 2, leaseTransitions: 0 });
    expect(lease.renewTime).not.toBe(firstRenew);

    // A clean stop releases the Lease: the standby takes over without waiting for expiry.
    const stoppedAt = Date.now();
    await a.elector.stop();
    expect(a.stopped).toHaveLength(1);
    const tookMs = await until(() => b.elector.isLeader(), 5000);
    process.stdout.write(`standby took over a released lease ${Date.now() - stoppedAt} ms after stop\n`);
    expect(tookMs).toBeLessThan(TIMING.leaseDurationMs);
    const taken = (await kube.leases.read('pair')) as LeaseRecord;
    expect(taken).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
    await b.elector.stop();
    expect((await kube.leases.read('pair'))?.holderIdentity).toBeUndefined();
  }, 30_000);

  it('a leader that cannot renew steps down before its lease expires; the standby waits for expiry', async () => {
    let partitioned = false;
    const cut = <T>(call: () => Promise<T>) =>
      partitioned ? Promise.reject(new Error('network partition (test)')) : call();
    const flaky: LeaseClient = {
      read: (name) => cut(() => kube.leases.read(name)),
      create: (name, spec) => cut(() => kube.leases.create(name, spec)),
      replace: (name, record) => cut(() => kube.leases.replace(name, record)),
    };
    const a = candidate('replica-a', 'partition', flaky);
    await until(() => a.elector.isLeader(), 5000);
    const b = candidate('replica-b', 'partition');
    await sleep(500);
    const lastRenew = (await kube.leases.read('partition')) as LeaseRecord;
    partitioned = true;
    const cutAt = Date.now();
    await until(() => b.elector.isLeader(), TIMING.leaseDurationMs * 3);
    const aStopped = a.stopped[0] as number;
    const bStarted = b.started[0] as number;
    process.stdout.write(
      `partitioned leader stepped down after ${aStopped - cutAt} ms; standby led after ${bStarted - cutAt} ms\n`,
    );
    // The old leader stopped before the new one started: never two leaders.
    expect(aStopped).toBeLessThan(bStarted);
    expect(aStopped - cutAt).toBeLessThanOrEqual(TIMING.renewDeadlineMs + 100);
    expect(bStarted - cutAt).toBeGreaterThanOrEqual(TIMING.leaseDurationMs - TIMING.retryPeriodMs * 2);
    const taken = (await kube.leases.read('partition')) as LeaseRecord;
    expect(taken).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: lastRenew.leaseTransitions + 1 });
    expect(a.elector.isLeader()).toBe(false);

    // The healed replica sees a live leader and stays a standby.
    partitioned = false;
    await sleep(TIMING.leaseDurationMs * 1.5);
    expect(a.started).toHaveLength(1);
    expect(a.elector.leader).toBe('replica-b');
    await Promise.all([a.elector.stop(), b.elector.stop()]);
  }, 30_000);
});
