// 802.1Q / 802.1ad / pre-standard 0x9100 VLAN tag stacks, shared by Ethernet and the Linux
// cooked link types. Only tag walking lives here; no network-layer parsing.

import { ABSENT, DecodeStatus, EtherType, Frame, MAX_VLAN_TAGS } from './frame.js';
import { u16 } from './bytes.js';

const TAG_LENGTH = 4;

/**
 * Walks the VLAN tags starting at buf[p], where frame.etherType holds the ether type that
 * precedes them. Records up to MAX_VLAN_TAGS IDs, outermost first (deeper tags are skipped
 * but still walked, so the payload is found), sets frame.vlan and the final
 * frame.etherType, and returns the offset after the last tag, or -TRUNCATED_LINK when a tag
 * is cut short (the IDs read so far stay set, etherType becomes ABSENT).
 */
export function decodeVLANTags(f: Frame, buf: Buffer, p: number, end: number): number {
  let type = f.etherType;
  let status = 0;
  while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
    if (end - p < TAG_LENGTH) {
      status = DecodeStatus.TRUNCATED_LINK;
      type = ABSENT;
      break;
    }
    if (f.vlanCount < MAX_VLAN_TAGS) {
      f.vlanIds[f.vlanCount] = u16(buf, p) & 0x0fff;
      f.vlanCount++;
    }
    type = u16(buf, p + 2);
    p += TAG_LENGTH;
  }
  if (f.vlanCount > 0) f.vlan = f.vlanIds[0]!;
  // A length field after the tags means an 802.3/LLC payload: no ether type.
  f.etherType = type < 0x0600 ? ABSENT : type;
  return status === 0 ? p : -status;
}
