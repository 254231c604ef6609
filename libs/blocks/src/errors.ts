import { StrataError } from '@strata/contracts';

/** Why a block was refused, the `reason` of its `validation_failed` error. */
export type BlockRefusal =
  | 'missing_meta'
  | 'bad_meta'
  | 'missing_file'
  | 'corrupt_block'
  | 'unsorted_series'
  | 'out_of_order_chunks'
  | 'chunk_out_of_bounds'
  | 'unsupported_chunk_encoding'
  | 'tombstones'
  | 'tenant_mismatch'
  | 'block_overlap';

/** A block refused before anything of it was uploaded: `validation_failed` (HTTP 400) with a reason. */
export class InvalidBlockError extends StrataError {
  constructor(
    readonly refusal: BlockRefusal,
    message: string,
  ) {
    super('validation_failed', message, undefined, { reason: refusal });
  }
}
