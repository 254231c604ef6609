import { z } from 'zod';
import { ApiKeyId } from './ids';

/**
 * MLflow's registered-model permissions, weakest first: NO_PERMISSIONS hides the model, READ reads
 * it, EDIT also changes versions, tags, aliases and the description, MANAGE also deletes it and
 * grants permissions on it.
 */
export const MODEL_PERMISSIONS = ['NO_PERMISSIONS', 'READ', 'EDIT', 'MANAGE'] as const;
/** One MLflow registered-model permission. */
export const ModelPermission = z.enum(MODEL_PERMISSIONS);
export type ModelPermission = z.infer<typeof ModelPermission>;

/** Whether holding `have` allows what `needed` allows. */
export function permissionAllows(have: ModelPermission, needed: ModelPermission): boolean {
  return MODEL_PERMISSIONS.indexOf(have) >= MODEL_PERMISSIONS.indexOf(needed);
}

/** Who a grant is for: an API key of the model's tenant, by id (MLflow's `username`). */
export const ModelPermissionGrantee = ApiKeyId;

/** A tenant's models that carry grants, with the artifact repositories their versions name. */
export interface ModelPermissionsEntry {
  /** The registered model. */
  name: string;
  /** Key id → granted permission. */
  permissions: Record<string, ModelPermission>;
  /** `repo/name` of every artifact reference among the model's versions. */
  artifacts: string[];
}
