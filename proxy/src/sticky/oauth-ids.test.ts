// OAuth2 ids found in Trino's WWW-Authenticate challenges, so token polls reach the issuing cluster.
import { oauthIdFromPath, oauthIdsFromChallenge } from './oauth-ids.js';

const HASH = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const TOKEN = '5d4d8e0e-3c39-4a7e-b3a5-0a1f2c3d4e5f';
const CHALLENGE = `Bearer x_redirect_server="http://gw:8080/oauth2/token/initiate/${HASH}", x_token_server="http://gw:8080/oauth2/token/${TOKEN}"`;

describe('oauthIdsFromChallenge', () => {
  test("reads both keys from Trino's challenge", () => {
    expect(oauthIdsFromChallenge(CHALLENGE)).toEqual([`initiate/${HASH}`, TOKEN]);
  });

  test('finds them among several challenges and several header values', () => {
    expect(oauthIdsFromChallenge(`Basic realm="Trino", ${CHALLENGE}`)).toEqual([`initiate/${HASH}`, TOKEN]);
    expect(
      oauthIdsFromChallenge([
        'Basic realm="Trino"',
        `Bearer X_Token_Server = "https://gw.example.com/prefix/oauth2/token/${TOKEN}?x=1"`,
        `Bearer x_redirect_server="https://gw.example.com/oauth2/token/initiate/${HASH}"`,
      ]),
    ).toEqual([TOKEN, `initiate/${HASH}`]);
  });

  test('reports each key once', () => {
    expect(oauthIdsFromChallenge([CHALLENGE, CHALLENGE])).toEqual([`initiate/${HASH}`, TOKEN]);
  });

  test.each([
    [undefined],
    [''],
    [[]],
    ['Basic realm="Trino"'],
    ['Bearer realm="http://gw/oauth2/token/abc"'],
    ['Bearer x_token_server="http://gw/oauth2/token/"'],
    ['Bearer x_token_server="http://gw/oauth2/token/initiate"'],
    ['Bearer x_redirect_server="http://gw/oauth2/token/initiate/"'],
    ['Bearer x_token_server="http://gw/oauth2/token/abc/def"'],
    ['Bearer x_token_server="http://gw/oauth2/token/.."'],
    ['Bearer x_token_server="http://gw/oauth2/token/a b"'],
    ['Bearer x_token_server="http://gw/oauth2/callback"'],
  ])('%j → no keys', (header) => {
    expect(oauthIdsFromChallenge(header)).toEqual([]);
  });
});

describe('oauthIdFromPath', () => {
  test('gives the same keys as the challenge for the polled paths', () => {
    const [initiate, token] = oauthIdsFromChallenge(CHALLENGE);
    expect(oauthIdFromPath(`/oauth2/token/initiate/${HASH}`)).toBe(initiate);
    expect(oauthIdFromPath(`/oauth2/token/${TOKEN}`)).toBe(token);
  });

  test.each([
    '/oauth2/token',
    '/oauth2/token/',
    '/oauth2/token/initiate',
    '/oauth2/token/initiate/',
    `/oauth2/token/${TOKEN}/x`,
    `/oauth2/token/initiate/${HASH}/x`,
    '/oauth2/token/a%2Fb',
    '/oauth2/callback',
    `/prefix/oauth2/token/${TOKEN}`,
    `/ui/oauth2/token/${TOKEN}`,
  ])('%s → none', (path) => {
    expect(oauthIdFromPath(path)).toBeUndefined();
  });
});
