import { Module } from '@nestjs/common';

/**
 * The notification service: routes alerts and events to receivers with grouping, silences and retries. Until that behaviour lands, the module contributes nothing of
 * its own: the process it runs in joins the bus and answers health and info for it.
 */
@Module({})
export class NotificationModule {}
