// Integer reads for the capture-file parsers, in either byte order. Buffer.readUInt32LE
// validates its offset on every call, which showed up per record in profiles; callers here
// have already checked that the bytes are in the buffer.

export function u32(b: Buffer, i: number, le: boolean): number {
  return le
    ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
    : ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

export function u16(b: Buffer, i: number, le: boolean): number {
  return le ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!;
}
