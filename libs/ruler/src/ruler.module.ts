import { Module } from '@nestjs/common';

/**
 * The ruler service: evaluates recording and alerting rules per tenant. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class RulerModule {}
