import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { requestRoute, ValidatePayload } from '@strata/bus';
import {
  QueueGroups,
  type RulerStatusReply,
  RulerStatusRequest,
  SubjectPatterns,
  Subjects,
} from '@strata/contracts';
import { RulerService } from './ruler.service';

/** The ruler's status API: one replica gathers every replica's groups of a tenant; each replica answers for its own. */
@Controller()
export class RulerController {
  constructor(private readonly ruler: RulerService) {}

  @MessagePattern(Subjects.rulerStatus, requestRoute({ queueGroup: QueueGroups.of('ruler') }))
  status(
    @Payload(new ValidatePayload(RulerStatusRequest, 'ruler status request'))
    request: RulerStatusRequest,
  ): Promise<RulerStatusReply> {
    return this.ruler.status(request.tenantId);
  }

  @MessagePattern(
    SubjectPatterns.rulerReplicaStatus,
    requestRoute({ queueGroup: null, manual: true }),
  )
  replicaStatus(
    @Payload(new ValidatePayload(RulerStatusRequest, 'ruler status request'))
    request: RulerStatusRequest,
  ): RulerStatusReply {
    return this.ruler.localStatus(request.tenantId);
  }
}
