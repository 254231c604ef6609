import { Module } from '@nestjs/common';

/**
 * The logflow service: runs log pipelines from sources through transforms to sinks. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class LogflowModule {}
