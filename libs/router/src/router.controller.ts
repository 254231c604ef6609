import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BusMeta, requestRoute, ValidatePayload } from '@strata/bus';
import {
  QueueGroups,
  RouterWriteMeta,
  RouterWriteRequest,
  type RouterWriteResponse,
  Subjects,
} from '@strata/contracts';
import { RouterService } from './router.service';

const queueGroup = QueueGroups.of('router');

/** Remote writes from the gateway: each reaches one router instance of the `router` queue group. */
@Controller()
export class RouterController {
  constructor(private readonly router: RouterService) {}

  /** The raw HTTP body as bytes, what the gateway sends. */
  @MessagePattern(Subjects.routerWriteBinary, requestRoute({ queueGroup, codec: 'binary' }))
  writeBody(
    @Payload() body: Uint8Array,
    @BusMeta(new ValidatePayload(RouterWriteMeta, 'router write metadata')) meta: RouterWriteMeta,
  ): Promise<RouterWriteResponse> {
    return this.router.writeBody(meta, body);
  }

  /** The body base64-encoded in JSON, for clients without the binary codec. */
  @MessagePattern(Subjects.routerWrite, requestRoute({ queueGroup }))
  write(
    @Payload(new ValidatePayload(RouterWriteRequest, 'router write request'))
    request: RouterWriteRequest,
  ): Promise<RouterWriteResponse> {
    return this.router.write(request);
  }
}
