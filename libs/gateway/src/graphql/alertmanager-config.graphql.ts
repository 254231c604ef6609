/** The GraphQL part of tenants' Alertmanager configurations, added to the admin schema. */
export const ALERTMANAGER_CONFIG_SCHEMA = /* GraphQL */ `
  "A tenant's Alertmanager configuration as the control plane keeps it; credentials read back as <secret>."
  type AlertmanagerConfig {
    tenantId: ID!
    alertmanagerConfig: String!
    templateFiles: JSON!
    "Strata's extensions (notification-manager's objects, extra channels) as YAML, if any."
    notificationManager: String
    version: Int!
    updatedAt: String!
  }

  extend type Query {
    alertmanagerConfig(tenantId: ID!): AlertmanagerConfig!
  }

  extend type Mutation {
    "Creates or replaces the configuration, checked as amtool check-config checks it."
    configureAlertmanager(
      tenantId: ID!
      alertmanagerConfig: String!
      templateFiles: JSON
      notificationManager: String
      expectedVersion: Int
    ): AlertmanagerConfig!
    deleteAlertmanagerConfig(tenantId: ID!, expectedVersion: Int): Boolean!
  }
`;
