/** The model registry's part of the GraphQL schema, added to the admin schema. */
export const REGISTRY_SCHEMA = /* GraphQL */ `
  "A workload serving a model version, with ready-made queries over its metrics and logs."
  type ServingWorkload {
    namespace: String!
    deployment: String!
    promql: JSON!
    logs: String!
  }

  "One version of a registered model: its files (source, artifact), the run it came from, tags and aliases."
  type ModelVersion {
    version: Int!
    status: String!
    source: String!
    artifact: JSON
    manifestDigest: String
    runId: String
    runLink: String
    description: String!
    tags: JSON!
    aliases: [String!]!
    serving: [ServingWorkload!]!
    createdAt: String!
    updatedAt: String!
  }

  "A registered model of a tenant."
  type RegisteredModel {
    tenantId: ID!
    name: String!
    description: String!
    tags: JSON!
    "Alias → version number."
    aliases: JSON!
    latestVersion: Int
    versions: [ModelVersion!]!
    version(version: Int, alias: String): ModelVersion
    createdAt: String!
    updatedAt: String!
  }

  type RegisteredModelPage {
    items: [RegisteredModel!]!
    nextCursor: String
  }

  "A key's MLflow permission on a registered model (READ, EDIT, MANAGE or NO_PERMISSIONS)."
  type ModelPermissionGrant {
    keyId: ID!
    permission: String!
  }

  "A subscription of MLflow registry events (registered_model.created, model_version.created, …); the secret is always masked."
  type RegistryWebhook {
    tenantId: ID!
    name: String!
    url: String!
    events: [String!]!
    secret: String
    description: String!
    updatedAt: String!
  }

  "How one delivery (or test) of a registry webhook ended."
  type RegistryWebhookDelivery {
    deliveryId: ID!
    event: String!
    "delivered, failed (retries ran out) or refused (a final answer or a refused address)."
    status: String!
    attempts: Int!
    responseStatus: Int
    error: String
    at: String!
    test: Boolean!
  }

  "MLflow's WebhookTestResult: how the receiver answered a test delivery."
  type RegistryWebhookTestResult {
    success: Boolean!
    response_status: Int
    response_body: String
    error_message: String
  }

  extend type Query {
    "Registry webhook subscriptions of a tenant, in name order."
    registryWebhooks(tenantId: ID!): [RegistryWebhook!]!
    "A registry webhook's last 50 deliveries, newest first."
    registryWebhookDeliveries(tenantId: ID!, name: String!): [RegistryWebhookDelivery!]!
    "Registered models of a tenant: by name substring and by tag (key, or key and value)."
    registeredModels(
      tenantId: ID!
      nameContains: String
      tagKey: String
      tagValue: String
      first: Int
      after: String
    ): RegisteredModelPage!
    registeredModel(tenantId: ID!, name: String!): RegisteredModel!
    "Keys' grants on a model (needs MANAGE on it); keys without one hold their scopes' default."
    modelPermissions(tenantId: ID!, name: String!): [ModelPermissionGrant!]!
  }

  extend type Mutation {
    "Points an alias at a version; the move is one audited event."
    setModelAlias(tenantId: ID!, name: String!, alias: String!, version: Int!): RegisteredModel!
    "Creates or replaces a registry webhook: { url, events, secret, description }; a masked secret keeps the stored one."
    setRegistryWebhook(tenantId: ID!, name: String!, webhook: JSON!): RegistryWebhook!
    deleteRegistryWebhook(tenantId: ID!, name: String!): Boolean!
    "Sends a signed sample of the event (the webhook's first by default) now; MLflow's webhook test."
    testRegistryWebhook(tenantId: ID!, name: String!, event: String): RegistryWebhookTestResult!
    "Grants a key a permission on a model (needs MANAGE); answers the model's grants."
    setModelPermission(
      tenantId: ID!
      name: String!
      keyId: ID!
      permission: String!
    ): [ModelPermissionGrant!]!
    "Removes a key's grant; it falls back to its scopes' default."
    deleteModelPermission(tenantId: ID!, name: String!, keyId: ID!): [ModelPermissionGrant!]!
  }
`;
