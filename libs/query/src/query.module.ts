import { Module } from '@nestjs/common';

/**
 * The query service: evaluates PromQL by fanning out to ingesters and stores. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class QueryModule {}
