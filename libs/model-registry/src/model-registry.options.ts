import { type Bucket } from '@strata/objstore';

/** What the model-registry service works on. */
export interface ModelRegistryOptions {
  /** The bucket model artifacts live in (the platform's). */
  bucket: Bucket;
  /** Unreferenced blobs younger than this are kept: a push in flight may be about to name them. */
  gcGraceMs: number;
  /** Time between sweeps over every tenant with model artifacts. */
  sweepEveryMs: number;
  /** Whether the service closes the bucket when it stops (it opened it). */
  ownsBucket: boolean;
}

/** Injection token of the service's `ModelRegistryOptions`. */
export const MODEL_REGISTRY_OPTIONS = Symbol('MODEL_REGISTRY_OPTIONS');
