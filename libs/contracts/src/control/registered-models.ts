import { z } from 'zod';
import { BlobDigest } from '../models/model-artifacts';
import { TenantId } from './ids';
import { ModelPermission, ModelPermissionGrantee } from './model-permissions';

/** A registered model's name (MLflow allows free text; Strata keeps it path- and URL-safe). */
export const RegisteredModelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1-128 of A-Z a-z 0-9 . _ -');

/** An alias (`champion`): a name that points at one version and moves atomically. */
export const ModelAliasName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,63}$/,
    'must be 1-64 of A-Z a-z 0-9 _ -, starting with a letter',
  );

const TagKey = z.string().min(1).max(250);
const TagValue = z.string().max(5000);
/** Tags of a model or version: key → value, as MLflow's. */
export const ModelTags = z.record(TagKey, TagValue).refine((t) => Object.keys(t).length <= 100, {
  message: 'at most 100 tags',
});
export type ModelTags = z.infer<typeof ModelTags>;

/** Where a version's files are in the artifact store (`strata models push repo/name@version`). */
export const ModelArtifactRef = z
  .object({
    repo: z.string().min(1).max(128),
    name: z.string().min(1).max(128),
    version: z.string().min(1).max(128),
  })
  .strict();
export type ModelArtifactRef = z.infer<typeof ModelArtifactRef>;

/** A workload serving a version (labels as Kubernetes names it), for ready-made queries. */
export const ServingWorkload = z
  .object({ namespace: z.string().min(1).max(253), deployment: z.string().min(1).max(253) })
  .strict();
export type ServingWorkload = z.infer<typeof ServingWorkload>;

/** Ready-made queries for a workload serving a version (Kubernetes pod naming of a Deployment). */
export interface ServingQueries {
  namespace: string;
  deployment: string;
  promql: { cpu: string; memory: string; restarts: string };
  /** A LogQL stream selector of the workload's pods. */
  logs: string;
}

/** What a new model version says about itself; the number is assigned by the registry. */
export const ModelVersionSpec = z
  .object({
    /** Where the files are: an artifact reference or any URI (MLflow's `source`). */
    source: z.string().min(1).max(2000),
    artifact: ModelArtifactRef.optional(),
    /** Digest of the artifact manifest the version was registered from. */
    manifestDigest: BlobDigest.optional(),
    runId: z.string().max(256).optional(),
    runLink: z.string().max(2000).optional(),
    description: z.string().max(5000).default(''),
    tags: ModelTags.default({}),
    serving: z.array(ServingWorkload).max(50).default([]),
  })
  .strict();
export type ModelVersionSpec = z.infer<typeof ModelVersionSpec>;

/** Commands of the registered model aggregate (one stream per tenant and model name). */
export const RegisteredModelCommand = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('CreateRegisteredModel'),
      tenantId: TenantId,
      name: RegisteredModelName,
      description: z.string().max(5000).default(''),
      tags: ModelTags.default({}),
    })
    .strict(),
  z
    .object({
      type: z.literal('UpdateRegisteredModel'),
      tenantId: TenantId,
      name: RegisteredModelName,
      description: z.string().max(5000),
      expectedVersion: z.number().int().nonnegative().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('SetRegisteredModelTag'),
      tenantId: TenantId,
      name: RegisteredModelName,
      key: TagKey,
      value: TagValue,
    })
    .strict(),
  z
    .object({
      type: z.literal('DeleteRegisteredModel'),
      tenantId: TenantId,
      name: RegisteredModelName,
    })
    .strict(),
  z
    .object({
      type: z.literal('CreateModelVersion'),
      tenantId: TenantId,
      name: RegisteredModelName,
      spec: ModelVersionSpec,
    })
    .strict(),
  z
    .object({
      type: z.literal('SetModelVersionTag'),
      tenantId: TenantId,
      name: RegisteredModelName,
      version: z.number().int().positive(),
      key: TagKey,
      value: TagValue,
    })
    .strict(),
  z
    .object({
      type: z.literal('SetModelAlias'),
      tenantId: TenantId,
      name: RegisteredModelName,
      alias: ModelAliasName,
      version: z.number().int().positive(),
    })
    .strict(),
  z
    .object({
      type: z.literal('DeleteModelAlias'),
      tenantId: TenantId,
      name: RegisteredModelName,
      alias: ModelAliasName,
    })
    .strict(),
  z
    .object({
      type: z.literal('SetRegisteredModelPermission'),
      tenantId: TenantId,
      name: RegisteredModelName,
      keyId: ModelPermissionGrantee,
      permission: ModelPermission,
    })
    .strict(),
  z
    .object({
      type: z.literal('DeleteRegisteredModelPermission'),
      tenantId: TenantId,
      name: RegisteredModelName,
      keyId: ModelPermissionGrantee,
    })
    .strict(),
]);
export type RegisteredModelCommand = z.infer<typeof RegisteredModelCommand>;

/** Events of the registered model aggregate; past tense, never renamed. */
export type RegisteredModelEvent =
  | {
      type: 'RegisteredModelCreated';
      data: { tenantId: string; name: string; description: string; tags: ModelTags };
    }
  | {
      type: 'RegisteredModelUpdated';
      data: { tenantId: string; name: string; description: string };
    }
  | {
      type: 'RegisteredModelTagSet';
      data: { tenantId: string; name: string; key: string; value: string };
    }
  | { type: 'RegisteredModelDeleted'; data: { tenantId: string; name: string } }
  | {
      type: 'ModelVersionCreated';
      data: { tenantId: string; name: string; version: number; spec: ModelVersionSpec };
    }
  | {
      type: 'ModelVersionTagSet';
      data: { tenantId: string; name: string; version: number; key: string; value: string };
    }
  | {
      type: 'ModelAliasSet';
      data: {
        tenantId: string;
        name: string;
        alias: string;
        version: number;
        /** The version the alias pointed at before, or null: the move is one event. */
        previousVersion: number | null;
      };
    }
  | {
      type: 'ModelAliasDeleted';
      data: { tenantId: string; name: string; alias: string; version: number };
    }
  | {
      type: 'RegisteredModelPermissionSet';
      data: { tenantId: string; name: string; keyId: string; permission: ModelPermission };
    }
  | {
      type: 'RegisteredModelPermissionDeleted';
      data: { tenantId: string; name: string; keyId: string };
    };

/** One version of a registered model as the registry shows it. */
export interface ModelVersionView extends ModelVersionSpec {
  version: number;
  /** MLflow's statuses; registration is synchronous, so a version is READY once created. */
  status: 'READY';
  aliases: string[];
  createdAt: string;
  updatedAt: string;
}

/** A registered model with its versions and aliases. */
export interface RegisteredModelView {
  tenantId: string;
  name: string;
  description: string;
  tags: ModelTags;
  /** Alias → version number. */
  aliases: Record<string, number>;
  latestVersion: number | null;
  versions: ModelVersionView[];
  /** Key id → MLflow permission granted on this model; absent in rows written before grants. */
  permissions?: Record<string, ModelPermission>;
  /** Version of the model's stream, for If-Match. */
  streamVersion: number;
  createdAt: string;
  updatedAt: string;
}
