import { type InjectedLabel, type RemoteWriteErrorCode } from '@strata/remote-write';
import { type PrepareWriteInput, type PreparedWrite } from './prepare-write';

/** A write sent to a codec thread. */
export interface CodecRequest {
  readonly id: number;
  readonly input: PrepareWriteInput;
  /** The tenant label and external labels every series gets. */
  readonly injected: readonly InjectedLabel[];
}

/** A codec thread's answer: the prepared write, a refusal of bad input, or an internal failure. */
export type CodecReply =
  | { readonly id: number; readonly prepared: PreparedWrite }
  | { readonly id: number; readonly refused: { code: RemoteWriteErrorCode; message: string } }
  | { readonly id: number; readonly failed: string };
