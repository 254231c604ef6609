import { type ListedBlock } from '@strata/blocks';
import { RESOLUTION_1H, RESOLUTION_5M } from '@strata/tsdb';

/** How long a tenant keeps each resolution, in seconds; 0 keeps forever. */
export interface Retention {
  readonly rawSeconds: number;
  readonly fiveMinutesSeconds: number;
  readonly oneHourSeconds: number;
}

/**
 * Blocks wholly older than their resolution's retention (Thanos' `--retention.resolution-*`): a
 * block goes only once its newest sample is past the limit, so no sample inside it is lost early.
 */
export function blocksPastRetention(
  blocks: readonly ListedBlock[],
  retention: Retention,
  nowMs: number,
): ListedBlock[] {
  return blocks.filter((b) => {
    const resolution = b.meta.thanos?.downsample.resolution ?? 0;
    const seconds =
      resolution >= RESOLUTION_1H
        ? retention.oneHourSeconds
        : resolution >= RESOLUTION_5M
          ? retention.fiveMinutesSeconds
          : retention.rawSeconds;
    return seconds > 0 && b.meta.maxTime <= nowMs - seconds * 1000;
  });
}
