/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (see function-bundling.ts).
 * Lambda puts the function role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first link of the SDK's default chain; the other links
 * (SSO, shared INI files, credential processes, web identity, instance metadata) never answer there.
 * Exports the package's names with its semantics for the environment link.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { memoize } from '@smithy/core/config';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** True when the credentials carry an expiry (the SDK re-reads them before it). */
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined;

/** True within five minutes of the credentials' expiry, as in the SDK's default chain. */
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;

/** The SDK clients' default credential provider: the environment's credentials, memoized. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider =>
  memoize(fromEnv(init), credentialsTreatedAsExpired, credentialsWillNeedRefresh);
