// Routing cookies: issued signed, read back on any replica, old secrets accepted while listed, tampered or foreign tokens ignored.
import { SignJWT } from 'jose';
import { CookieCodec } from './cookies.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const LIFETIME = 600_000;

function codec(secrets: string[], clock: { now: number } = { now: T0 }) {
  return CookieCodec.create({
    secrets,
    lifetimeMs: LIFETIME,
    routingPaths: ['/oauth2'],
    deletePaths: ['/logout'],
    now: () => clock.now,
  });
}

/** The `name=value` pair a browser sends back for a `Set-Cookie` value. */
function pair(setCookie: string): string {
  return setCookie.slice(0, setCookie.indexOf(';'));
}

function tokenOf(setCookie: string): string {
  return pair(setCookie).slice('TG.OAUTH2='.length);
}

describe('CookieCodec', () => {
  test('issues a Set-Cookie that reads back as the cluster', async () => {
    const cookies = await codec(['s3cret']);
    const header = await cookies.issue('blue', false);
    expect(cookies.name).toBe('TG.OAUTH2');
    expect(header).toMatch(/^TG\.OAUTH2=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    expect(await cookies.issue('blue', true)).toMatch(/; SameSite=Lax; Secure$/);
    expect(await cookies.read(pair(header))).toEqual({
      cluster: 'blue',
      routingPaths: ['/oauth2', '/logout'],
    });
  });

  test('another replica with the same secret accepts the cookie', async () => {
    const header = await (await codec(['shared'])).issue('green', false);
    expect((await (await codec(['shared'])).read(pair(header)))?.cluster).toBe('green');
  });

  test('secret rotation: old cookies verify while the old secret is listed, and only then', async () => {
    const header = await (await codec(['old'])).issue('blue', false);
    const rotated = await codec(['new', 'old']);
    expect((await rotated.read(pair(header)))?.cluster).toBe('blue');
    const reissued = await rotated.issue('blue', false);
    expect((await (await codec(['new'])).read(pair(reissued)))?.cluster).toBe('blue');
    expect(await (await codec(['new'])).read(pair(header))).toBeUndefined();
    expect(await (await codec(['other'])).read(pair(reissued))).toBeUndefined();
  });

  test('a tampered payload or signature is ignored', async () => {
    const cookies = await codec(['s3cret']);
    const [head, body, signature] = tokenOf(await cookies.issue('blue', false)).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forgedBody = Buffer.from(JSON.stringify({ ...claims, cluster: 'evil' })).toString('base64url');
    expect(await cookies.read(`TG.OAUTH2=${head}.${forgedBody}.${signature}`)).toBeUndefined();
    const flipped = (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1);
    expect(await cookies.read(`TG.OAUTH2=${head}.${body}.${flipped}`)).toBeUndefined();
    expect(await cookies.read(`TG.OAUTH2=${head}.${body}.`)).toBeUndefined();
    expect(await cookies.read(`TG.OAUTH2=${head}.${body}.${signature}`)).toBeDefined();
  });

  test('an unsigned token or one for another audience is ignored', async () => {
    const cookies = await codec(['s3cret']);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ cluster: 'evil', paths: ['/'], exp: T0 / 1000 + 60 }),
    ).toString('base64url')}.`;
    expect(await cookies.read(`TG.OAUTH2=${none}`)).toBeUndefined();
    const foreign = await new SignJWT({ cluster: 'evil', paths: ['/'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(T0 / 1000 + 60)
      .sign(new TextEncoder().encode('s3cret'));
    expect(await cookies.read(`TG.OAUTH2=${foreign}`)).toBeUndefined();
  });

  test('an expired cookie is ignored', async () => {
    const clock = { now: T0 };
    const cookies = await codec(['s3cret'], clock);
    const header = pair(await cookies.issue('blue', false));
    clock.now = T0 + LIFETIME - 1000;
    expect((await cookies.read(header))?.cluster).toBe('blue');
    clock.now = T0 + LIFETIME + 1000;
    expect(await cookies.read(header)).toBeUndefined();
  });

  test('finds the cookie among others and survives garbage', async () => {
    const cookies = await codec(['s3cret']);
    const token = tokenOf(await cookies.issue('blue', false));
    const read = async (header: string | string[] | undefined) => (await cookies.read(header))?.cluster;
    expect(await read(`session=abc; TG.OAUTH2=${token}; theme=dark`)).toBe('blue');
    expect(await read(`session=abc;TG.OAUTH2=${token}`)).toBe('blue');
    expect(await read(`TG.OAUTH2="${token}"`)).toBe('blue');
    expect(await read(['session=abc', `TG.OAUTH2=${token}`])).toBe('blue');
    // A stale duplicate first, the valid one later.
    expect(await read(`TG.OAUTH2=garbage; TG.OAUTH2=${token}`)).toBe('blue');
    expect(await read(`XTG.OAUTH2=${token}`)).toBeUndefined();
    expect(await read(`session=TG.OAUTH2=${token}`)).toBeUndefined();
    for (const garbage of [
      undefined,
      [],
      '',
      ';;;',
      'TG.OAUTH2',
      'TG.OAUTH2=',
      'TG.OAUTH2=;',
      'TG.OAUTH2=a.b.c',
      'TG.OAUTH2=%%%',
      'TG.OAUTH2=eyJhbGciOiJIUzI1NiJ9.eyJ4Ijp7fX0.',
      `TG.OAUTH2=${token.slice(0, -3)}`,
      `tg.oauth2=${token}`,
    ]) {
      await expect(read(garbage)).resolves.toBeUndefined();
    }
  });

  test('a signed cookie without the expected claims is ignored', async () => {
    const cookies = await codec(['s3cret']);
    const key = new TextEncoder().encode('s3cret');
    for (const claims of [{ paths: ['/oauth2'] }, { cluster: '', paths: [] }, { cluster: 'blue', paths: [1] }]) {
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience('junction:oauth2-routing')
        .setExpirationTime(T0 / 1000 + 60)
        .sign(key);
      expect(await cookies.read(`TG.OAUTH2=${token}`)).toBeUndefined();
    }
  });

  test('deletion headers expire the cookie at once', async () => {
    const cookies = await codec(['s3cret']);
    expect(cookies.deletion(false)).toBe('TG.OAUTH2=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
    expect(cookies.deletion(true)).toBe('TG.OAUTH2=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
  });

  test('routes its routing and delete paths on segment boundaries; delete paths match exactly', async () => {
    const cookies = await codec(['s3cret']);
    const cookie = { cluster: 'blue', routingPaths: ['/oauth2', '/logout'] };
    expect(cookies.routes(cookie, '/oauth2')).toBe(true);
    expect(cookies.routes(cookie, '/oauth2/callback')).toBe(true);
    expect(cookies.routes(cookie, '/logout')).toBe(true);
    expect(cookies.routes(cookie, '/oauth2xyz')).toBe(false);
    expect(cookies.routes(cookie, '/ui/api/query')).toBe(false);
    expect(cookies.isDeletePath('/logout')).toBe(true);
    expect(cookies.isDeletePath('/logout/x')).toBe(false);
    expect(cookies.isDeletePath('/oauth2')).toBe(false);
    // A cookie is issued on the configured routing paths only (segment boundary), not on delete paths.
    expect(cookies.issuesOn('/oauth2/callback')).toBe(true);
    expect(cookies.issuesOn('/oauth2xyz')).toBe(false);
    expect(cookies.issuesOn('/logout')).toBe(false);
  });

  test('refuses to start without a secret or lifetime', async () => {
    await expect(codec([])).rejects.toThrow('secret');
    await expect(codec([''])).rejects.toThrow('secret');
    await expect(
      CookieCodec.create({ secrets: ['s'], lifetimeMs: 0, routingPaths: [], deletePaths: [] }),
    ).rejects.toThrow('lifetime');
  });
});
