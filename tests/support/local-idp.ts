/**
 * A real OpenID provider (oidc-provider) on 127.0.0.1, standing in for HelseID and
 * ID-porten. Its "login page" signs in whoever `next` names at once, with that acr, and
 * puts `pid` (the national identity number, as ID-porten does) in the ID token.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export const ACR_SUBSTANTIAL = 'idporten-loa-substantial';
export const ACR_HIGH = 'idporten-loa-high';

export interface IdpUser {
  sub: string;
  acr: string;
  /** ID-porten's personidentifikator claim. */
  pid?: string;
}

export interface LocalIdp {
  issuer: string;
  /** Who logs in at the next interaction. */
  next: IdpUser;
  close(): Promise<void>;
}

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export async function startLocalIdp(clients: IdpClient[]): Promise<LocalIdp> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: LocalIdp = {
    issuer,
    next: { sub: 'unknown', acr: ACR_HIGH },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  const pids = new Map<string, string | undefined>();
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // Like ID-porten and HelseID, always state the level of the login in `acr`.
      default_acr_values: [ACR_SUBSTANTIAL, ACR_HIGH],
    })),
    cookies: { keys: ['test-cookie-key'] },
    acrValues: ['idporten-loa-low', ACR_SUBSTANTIAL, ACR_HIGH],
    claims: { openid: ['sub'], profile: ['pid'] },
    // ID-porten puts pid in the ID token itself.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => {
        const pid = pids.get(id);
        return pid ? { sub: id, pid } : { sub: id };
      },
    }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is the app's business here: grant the requested scopes at once.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      const user = idp.next;
      pids.set(user.sub, user.pid);
      void provider
        .interactionFinished(
          req,
          res,
          { login: { accountId: user.sub, acr: user.acr } },
          { mergeWithLastSubmission: false },
        )
        .catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      return;
    }
    void callback(req, res);
  });
  return idp;
}

/**
 * Follows the provider's redirects like a browser (cookies kept) until it sends the
 * browser back to `returnTo`; returns that URL with the provider's query.
 */
export async function followLogin(start: string, returnTo: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`no redirect from ${url.href}: ${res.status} ${await res.text()}`);
    const next = new URL(loc, url);
    if (next.href.startsWith(returnTo)) return next;
    url = next;
  }
  throw new Error('too many redirects');
}
