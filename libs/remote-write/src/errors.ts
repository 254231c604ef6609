/** Machine-readable reasons a remote write request is refused. */
export type RemoteWriteErrorCode =
  | 'unsupported_media_type'
  | 'unsupported_content_encoding'
  | 'snappy_framed_format'
  | 'invalid_snappy'
  | 'request_too_large'
  | 'invalid_protobuf'
  | 'empty_label_name'
  | 'invalid_label_name'
  | 'invalid_utf8'
  | 'labels_not_sorted'
  | 'duplicate_label_name'
  | 'missing_metric_name'
  | 'invalid_metric_name'
  | 'label_name_too_long'
  | 'label_value_too_long'
  | 'too_many_labels'
  | 'too_many_series'
  | 'invalid_symbols_table'
  | 'symbol_ref_out_of_range'
  | 'odd_label_refs'
  | 'missing_timestamp'
  | 'native_histograms_unsupported'
  | 'invalid_exemplar'
  | 'invalid_ingest_message';

/** A refused remote write request; `code` is stable for clients and metrics, the message is for humans. */
export class RemoteWriteError extends Error {
  constructor(
    readonly code: RemoteWriteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteWriteError';
  }

  /** HTTP status a receiver should answer with; 4xx tells Prometheus not to retry. */
  get httpStatus(): 400 | 413 | 415 {
    return httpStatusOf(this.code);
  }
}

/** Maps an error code to the HTTP status the remote write spec expects. */
export function httpStatusOf(code: RemoteWriteErrorCode): 400 | 413 | 415 {
  switch (code) {
    case 'unsupported_media_type':
    case 'unsupported_content_encoding':
    case 'snappy_framed_format':
      return 415;
    case 'request_too_large':
      return 413;
    case 'invalid_snappy':
    case 'invalid_protobuf':
    case 'empty_label_name':
    case 'invalid_label_name':
    case 'invalid_utf8':
    case 'labels_not_sorted':
    case 'duplicate_label_name':
    case 'missing_metric_name':
    case 'invalid_metric_name':
    case 'label_name_too_long':
    case 'label_value_too_long':
    case 'too_many_labels':
    case 'too_many_series':
    case 'invalid_symbols_table':
    case 'symbol_ref_out_of_range':
    case 'odd_label_refs':
    case 'missing_timestamp':
    case 'native_histograms_unsupported':
    case 'invalid_exemplar':
    case 'invalid_ingest_message':
      return 400;
  }
}

/** Content negotiation failed (unknown media type, proto or encoding); always answered with 415. */
export class UnsupportedMediaTypeError extends RemoteWriteError {
  constructor(
    code: 'unsupported_media_type' | 'unsupported_content_encoding' | 'snappy_framed_format',
    message: string,
  ) {
    super(code, message);
    this.name = 'UnsupportedMediaTypeError';
  }
}
