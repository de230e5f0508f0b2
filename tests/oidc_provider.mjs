// A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm), started by tests/conftest.py.
//
// Anyone may sign in at its login form with any password: the login they type is their email address (so the tests
// choose who signs in). Everything else is the provider's own behaviour: PKCE required, RS256 ID tokens from its own
// key published as JWKS, the nonce echoed, RP-initiated logout ending its session.
//
// Environment: OIDC_PROVIDER_MODULE (path of oidc-provider's lib/index.js), PORT, CLIENT_ID, CLIENT_SECRET,
// REDIRECT_URIS and POST_LOGOUT_REDIRECT_URIS (comma separated).
import { generateKeyPairSync } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'tests-signing-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(','),
      post_logout_redirect_uris: process.env.POST_LOGOUT_REDIRECT_URIS.split(','),
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  jwks: { keys: [signingKey] },
  // Confidential clients too must use PKCE here, as the tracker always does.
  pkce: { required: () => true },
  // Claims in the ID token itself (the tracker reads them there, not from userinfo).
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: sub, email_verified: true, name: `Test ${sub.split('@')[0]}` };
      },
    };
  },
  // The tracker is a first-party client: no consent screen, as with an Entra app an administrator consented to.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['tests-only-cookie-key'] },
});

provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
