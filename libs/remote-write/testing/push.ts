import { type WriteBatch } from '../src/types';
import { encodeWriteRequestV1 } from './encode';

/** Headers of a remote-write 1.0 request (protobuf, snappy), as Prometheus sends it. */
export const REMOTE_WRITE_V1_HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
} as const;

/** Remote-writes `batch` to `url` (e.g. a Prometheus' `/api/v1/write`), throwing on any answer but 2xx. */
export async function remoteWrite(url: string, batch: WriteBatch): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: REMOTE_WRITE_V1_HEADERS,
    body: encodeWriteRequestV1(batch),
  });
  if (!res.ok) throw new Error(`remote write to ${url}: ${res.status} ${await res.text()}`);
}
