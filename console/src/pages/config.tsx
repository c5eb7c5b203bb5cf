// The node's effective configuration (GET /config), secrets masked by the server, by section.
import { useEffect, useState } from 'preact/hooks';
import { groupBySection } from '../lib/config';
import { errorText, PageProps } from './page';

export function ConfigPage({ api, onError }: PageProps) {
  const [entries, setEntries] = useState<Record<string, string> | null>(null);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState('');

  useEffect(() => {
    api
      .get<Record<string, string>>('/config')
      .then(setEntries)
      .catch((e) => {
        onError(e);
        setError(errorText(e));
      });
  }, [api]);

  const sections = entries ? groupBySection(entries, filter) : [];
  return (
    <section aria-label="Configuration">
      <form class="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="config-filter">Filter keys</label>
        <input
          id="config-filter"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
        />
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {sections.map(([section, rows]) => (
        <>
          <h2>{section}</h2>
          <div class="table-scroll">
            <table class="config" data-testid={`config-${section}`}>
              <tbody>
                {rows.map(([key, value]) => (
                  <tr>
                    <th scope="row">{key}</th>
                    <td>
                      <code>{value === '' ? '(empty)' : value}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ))}
    </section>
  );
}
