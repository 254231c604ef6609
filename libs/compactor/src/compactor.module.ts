import { Module } from '@nestjs/common';

/**
 * The compactor service: compacts, downsamples and applies retention to blocks in the bucket. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class CompactorModule {}
