/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CreateApiClient($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    key\n    apiClient {\n      id\n      name\n      trusted\n      role\n      kind\n      keyPrefix\n      expiresAt\n    }\n  }\n}\n\nquery ApiClients($first: Int, $after: String) {\n  apiClients(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        trusted\n        role\n        enabled\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation RotateApiClientKey($input: RotateApiClientKeyInput!) {\n  rotateApiClientKey(input: $input) {\n    key\n    apiClient {\n      id\n      rotatedAt\n    }\n  }\n}\n\nmutation RevokeApiClient($input: RevokeApiClientInput!) {\n  revokeApiClient(input: $input) {\n    id\n    enabled\n    revokedAt\n  }\n}\n\nmutation SetUserRole($input: SetUserRoleInput!) {\n  setUserRole(input: $input) {\n    id\n    role\n  }\n}\n\nmutation CreateUserToken($input: CreateUserTokenInput!) {\n  createUserToken(input: $input) {\n    token\n    expiresAt\n    user {\n      id\n      username\n      authMethod\n    }\n  }\n}": typeof types.CreateApiClientDocument,
    "query PublicSettings {\n  publicSettings {\n    projectName\n    version\n    maxQueryDepth\n    maxQueryComplexity\n    userTokenTtlSeconds\n  }\n}\n\nquery Viewer {\n  viewer {\n    via\n    role\n    apiClient {\n      id\n      name\n      trusted\n      kind\n    }\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n      apiClientId\n    }\n  }\n}\n\nquery ViewerAs($user: UserRefInput!) {\n  viewer(user: $user) {\n    via\n    role\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n    }\n  }\n}\n\nsubscription Heartbeat($intervalMs: Int) {\n  heartbeat(intervalMs: $intervalMs) {\n    seq\n    at\n    ready\n    uptimeSeconds\n  }\n}": typeof types.PublicSettingsDocument,
};
const documents: Documents = {
    "mutation CreateApiClient($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    key\n    apiClient {\n      id\n      name\n      trusted\n      role\n      kind\n      keyPrefix\n      expiresAt\n    }\n  }\n}\n\nquery ApiClients($first: Int, $after: String) {\n  apiClients(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        trusted\n        role\n        enabled\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation RotateApiClientKey($input: RotateApiClientKeyInput!) {\n  rotateApiClientKey(input: $input) {\n    key\n    apiClient {\n      id\n      rotatedAt\n    }\n  }\n}\n\nmutation RevokeApiClient($input: RevokeApiClientInput!) {\n  revokeApiClient(input: $input) {\n    id\n    enabled\n    revokedAt\n  }\n}\n\nmutation SetUserRole($input: SetUserRoleInput!) {\n  setUserRole(input: $input) {\n    id\n    role\n  }\n}\n\nmutation CreateUserToken($input: CreateUserTokenInput!) {\n  createUserToken(input: $input) {\n    token\n    expiresAt\n    user {\n      id\n      username\n      authMethod\n    }\n  }\n}": types.CreateApiClientDocument,
    "query PublicSettings {\n  publicSettings {\n    projectName\n    version\n    maxQueryDepth\n    maxQueryComplexity\n    userTokenTtlSeconds\n  }\n}\n\nquery Viewer {\n  viewer {\n    via\n    role\n    apiClient {\n      id\n      name\n      trusted\n      kind\n    }\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n      apiClientId\n    }\n  }\n}\n\nquery ViewerAs($user: UserRefInput!) {\n  viewer(user: $user) {\n    via\n    role\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n    }\n  }\n}\n\nsubscription Heartbeat($intervalMs: Int) {\n  heartbeat(intervalMs: $intervalMs) {\n    seq\n    at\n    ready\n    uptimeSeconds\n  }\n}": types.PublicSettingsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateApiClient($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    key\n    apiClient {\n      id\n      name\n      trusted\n      role\n      kind\n      keyPrefix\n      expiresAt\n    }\n  }\n}\n\nquery ApiClients($first: Int, $after: String) {\n  apiClients(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        trusted\n        role\n        enabled\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation RotateApiClientKey($input: RotateApiClientKeyInput!) {\n  rotateApiClientKey(input: $input) {\n    key\n    apiClient {\n      id\n      rotatedAt\n    }\n  }\n}\n\nmutation RevokeApiClient($input: RevokeApiClientInput!) {\n  revokeApiClient(input: $input) {\n    id\n    enabled\n    revokedAt\n  }\n}\n\nmutation SetUserRole($input: SetUserRoleInput!) {\n  setUserRole(input: $input) {\n    id\n    role\n  }\n}\n\nmutation CreateUserToken($input: CreateUserTokenInput!) {\n  createUserToken(input: $input) {\n    token\n    expiresAt\n    user {\n      id\n      username\n      authMethod\n    }\n  }\n}"): (typeof documents)["mutation CreateApiClient($input: CreateApiClientInput!) {\n  createApiClient(input: $input) {\n    key\n    apiClient {\n      id\n      name\n      trusted\n      role\n      kind\n      keyPrefix\n      expiresAt\n    }\n  }\n}\n\nquery ApiClients($first: Int, $after: String) {\n  apiClients(first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        id\n        name\n        trusted\n        role\n        enabled\n        revokedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nmutation RotateApiClientKey($input: RotateApiClientKeyInput!) {\n  rotateApiClientKey(input: $input) {\n    key\n    apiClient {\n      id\n      rotatedAt\n    }\n  }\n}\n\nmutation RevokeApiClient($input: RevokeApiClientInput!) {\n  revokeApiClient(input: $input) {\n    id\n    enabled\n    revokedAt\n  }\n}\n\nmutation SetUserRole($input: SetUserRoleInput!) {\n  setUserRole(input: $input) {\n    id\n    role\n  }\n}\n\nmutation CreateUserToken($input: CreateUserTokenInput!) {\n  createUserToken(input: $input) {\n    token\n    expiresAt\n    user {\n      id\n      username\n      authMethod\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query PublicSettings {\n  publicSettings {\n    projectName\n    version\n    maxQueryDepth\n    maxQueryComplexity\n    userTokenTtlSeconds\n  }\n}\n\nquery Viewer {\n  viewer {\n    via\n    role\n    apiClient {\n      id\n      name\n      trusted\n      kind\n    }\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n      apiClientId\n    }\n  }\n}\n\nquery ViewerAs($user: UserRefInput!) {\n  viewer(user: $user) {\n    via\n    role\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n    }\n  }\n}\n\nsubscription Heartbeat($intervalMs: Int) {\n  heartbeat(intervalMs: $intervalMs) {\n    seq\n    at\n    ready\n    uptimeSeconds\n  }\n}"): (typeof documents)["query PublicSettings {\n  publicSettings {\n    projectName\n    version\n    maxQueryDepth\n    maxQueryComplexity\n    userTokenTtlSeconds\n  }\n}\n\nquery Viewer {\n  viewer {\n    via\n    role\n    apiClient {\n      id\n      name\n      trusted\n      kind\n    }\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n      apiClientId\n    }\n  }\n}\n\nquery ViewerAs($user: UserRefInput!) {\n  viewer(user: $user) {\n    via\n    role\n    user {\n      id\n      authMethod\n      username\n      displayName\n      role\n    }\n  }\n}\n\nsubscription Heartbeat($intervalMs: Int) {\n  heartbeat(intervalMs: $intervalMs) {\n    seq\n    at\n    ready\n    uptimeSeconds\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;