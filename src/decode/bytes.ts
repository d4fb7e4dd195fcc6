// Big-endian reads for the decoders. Every caller has already checked that the bytes lie
// inside the captured data, so these do no bounds checks of their own (Buffer.readUInt16BE
// would throw, which decoders must never do). They are tiny so V8 inlines them.

/** Unsigned 16-bit big-endian value at buf[i], buf[i+1]. */
export function u16(buf: Buffer, i: number): number {
  return (buf[i]! << 8) | buf[i + 1]!;
}

/** Unsigned 32-bit big-endian value at buf[i .. i+4). */
export function u32(buf: Buffer, i: number): number {
  return ((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) >>> 0;
}

/** 48-bit MAC address at buf[i .. i+6) as an integer (exact in a double). */
export function mac48(buf: Buffer, i: number): number {
  return ((buf[i]! << 8) | buf[i + 1]!) * 0x1_0000_0000 + u32(buf, i + 2);
}
