import { Module } from '@nestjs/common';

/**
 * The model-registry service: keeps models, versions and artifacts with stages, aliases and lineage. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class ModelRegistryModule {}
