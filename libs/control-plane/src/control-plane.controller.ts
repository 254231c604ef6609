import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute } from '@strata/bus';
import { type CommandAccepted, QueueGroups, Subjects } from '@strata/contracts';
import { ControlPlaneService } from './control-plane.service';

const route = requestRoute({ queueGroup: QueueGroups.of('control-plane') });

/**
 * Commands and queries of the control plane, one instance of the `control-plane` queue group per
 * request. The service validates each request itself, for it has in-process callers too.
 */
@Controller()
export class ControlPlaneController {
  constructor(private readonly service: ControlPlaneService) {}

  @MessagePattern(Subjects.controlCommand, route)
  execute(@Payload() payload: unknown): Promise<CommandAccepted> {
    return this.service.execute(payload);
  }

  @MessagePattern(Subjects.controlQuery, route)
  query(@Payload() payload: unknown): Promise<unknown> {
    return this.service.query(payload);
  }
}
