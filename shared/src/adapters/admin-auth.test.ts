// The tokens file format, and the decisions that need no socket: mode None, open paths, no credentials.
import { AdminAuth } from '../contract/schemas/admin.js';
import { createAdminAuthenticator, parseTokens } from './admin-auth.js';

test('tokens: "name: token" or a bare token per line; comments and blank lines skipped', () => {
  const tokens = parseTokens('# rotated weekly\nci: abc:def\n\n  bare-token  \nempty:\n');
  expect(tokens.map((token) => token.name)).toEqual(['ci', 'token-2']);
  expect(tokens[0]?.digest).toHaveLength(32);
});

test('mode None opens every path; Required opens only openPaths', () => {
  expect(createAdminAuthenticator(AdminAuth.parse({ mode: 'None' })).isOpen('/api/v1/history')).toBe(true);
  const required = createAdminAuthenticator(AdminAuth.parse({}));
  expect(['/livez', '/readyz', '/metrics'].map((path) => required.isOpen(path))).toEqual([true, true, true]);
  expect(required.isOpen('/api/v1/clusters')).toBe(false);
});

test('Required with nothing configured refuses with the settings to add', async () => {
  const result = await createAdminAuthenticator(AdminAuth.parse({})).authenticate({
    headers: { authorization: 'Bearer anything' },
  } as never);
  expect(result).toMatchObject({ ok: false, reason: 'unconfigured' });
});
