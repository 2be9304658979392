export type { AwsCredentials, CredentialProvider, RefreshingProviderOptions } from './credentials.ts';
export { createRefreshingProvider, staticProvider } from './credentials.ts';
export type { CredentialSource, DefaultCredentialProviderOptions } from './default-provider.ts';
export { createDefaultCredentialProvider, resolveCredentialChain } from './default-provider.ts';
export type { ReadTextFile } from './http-credentials.ts';
export { ECS_CONTAINER_CREDENTIALS_BASE_URL } from './http-credentials.ts';
export type { SigV4SignerOptions } from './sigv4.ts';
export { createSigV4Signer } from './sigv4.ts';
export { decodeQuery, encodeCanonicalQuery, encodeRfc3986 } from './uri-encoding.ts';
