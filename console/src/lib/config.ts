// The effective configuration as the Config page lists it.

// Keys ("admin.port") grouped by their first segment, sections and keys sorted; only keys that
// contain `filter` (case-insensitive) when one is given.
export function groupBySection(
  entries: Record<string, string>,
  filter = '',
): [string, [string, string][]][] {
  const needle = filter.trim().toLowerCase();
  const sections = new Map<string, [string, string][]>();
  for (const key of Object.keys(entries).sort()) {
    if (needle && !key.toLowerCase().includes(needle)) continue;
    const dot = key.indexOf('.');
    const section = dot > 0 ? key.slice(0, dot) : key;
    if (!sections.has(section)) sections.set(section, []);
    sections.get(section)!.push([key, entries[key]]);
  }
  return [...sections.entries()].sort(([a], [b]) => a.localeCompare(b));
}
