/**
 * CRC-32 (IEEE) of a byte range, used to tell a torn or corrupted frame from a good one. Node ≥ 20.15 has a
 * native `zlib.crc32`; older Node 20 releases fall back to a table-driven loop with identical results.
 */
import zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

function tableCrc32(): Crc32 {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let crc = 0xffffffff;
    for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

// Cast: @types/node for Node 20 has no zlib.crc32 (Node 20.15+/22.2+ do); probed, with the table above as fallback.
const native = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;

export const crc32: Crc32 = native ? (data) => native(data) >>> 0 : tableCrc32();
