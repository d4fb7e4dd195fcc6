// Reads back a classic pcap as tcpdump -w writes it (the oracle's output in differential
// tests): the captured bytes of each record, in order.

export function pcapRecords(data: Buffer): Buffer[] {
  if (data.length < 24) return [];
  const le = data.readUInt32LE(0) === 0xa1b2c3d4 || data.readUInt32LE(0) === 0xa1b23c4d;
  const out: Buffer[] = [];
  for (let p = 24; p + 16 <= data.length; ) {
    const caplen = le ? data.readUInt32LE(p + 8) : data.readUInt32BE(p + 8);
    out.push(data.subarray(p + 16, p + 16 + caplen));
    p += 16 + caplen;
  }
  return out;
}
