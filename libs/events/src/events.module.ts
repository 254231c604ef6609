import { Module } from '@nestjs/common';

/**
 * The events service: matches Kubernetes events and audit events against rules and archives them. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class EventsModule {}
