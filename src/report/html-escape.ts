// HTML escaping for the report page: every value from a capture, a config or a finding
// (host names, table names, detail text) is attacker-influenced and goes through here.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside element content and quoted attribute values. */
export function escapeHTML(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
