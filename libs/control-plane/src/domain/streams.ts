/** Stream ids of the control-plane aggregates: `<aggregate>-<id>`, the aggregate naming the subject. */
export const StreamIds = {
  tenant: (tenantId: string) => `tenant-${tenantId}`,
  quota: (tenantId: string) => `quota-${tenantId}`,
  apiKey: (keyId: string) => `apikey-${keyId}`,
} as const;
