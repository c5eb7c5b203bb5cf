// The client blocklists (/blocked-clients): IPs refused when they connect and user ids refused at
// login, on every node. Each list a page at a time, with its own block form and Unblock buttons,
// so that an operator can stop an abusive client for a while and let it back in.
import { useEffect, useState } from 'preact/hooks';
import { query } from '../lib/api';
import {
  BlockId,
  BlockKind,
  CUSTOM_DURATION,
  DURATION_PRESETS,
  durationLabel,
  durationMillis,
  formatRemaining,
  parseIds,
} from '../lib/blocklist';
import { formatDate } from '../lib/format';
import { PageProps, useAction } from './page';

// The server sends ids as it keeps them: canonical IP text, user ids in decimal.
interface BlockedClient {
  id: string | number;
  blockEndTime: number;
}

interface BlockedPage {
  total: number;
  records: BlockedClient[];
}

const PAGE_SIZE = 50;

const NOUNS: Record<BlockKind, { one: string; many: string; title: string }> = {
  ips: { one: 'IP', many: 'IPs', title: 'IPs' },
  users: { one: 'user', many: 'users', title: 'Users' },
};

// Renders again every interval, so that each row's "time left" counts down; once a second is
// cheap for a page of rows.
function useTicks(intervalMillis: number) {
  const [, setTicks] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTicks((ticks) => ticks + 1), intervalMillis);
    return () => clearInterval(timer);
  }, [intervalMillis]);
}

export function BlocklistsPage(props: PageProps) {
  useTicks(1000);
  return (
    <>
      <BlocklistSection kind="ips" {...props} />
      <BlocklistSection kind="users" {...props} />
    </>
  );
}

interface SectionProps extends PageProps {
  kind: BlockKind;
}

function BlocklistSection({ api, onError, kind }: SectionProps) {
  const noun = NOUNS[kind];
  const [records, setRecords] = useState<BlockedClient[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [page, setPage] = useState(0);
  const [idsText, setIdsText] = useState('');
  const [duration, setDuration] = useState<string>('1h');
  const [minutesText, setMinutesText] = useState('');
  // A typing mistake, shown beside the form and tied to the field it is about.
  const [invalid, setInvalid] = useState<{ field: 'ids' | 'minutes'; text: string } | null>(null);
  const [message, setMessage] = useState('');
  const { error, run } = useAction(onError);

  // "user 424242", "IP 203.0.113.9", "3 users".
  const describe = (ids: BlockId[]) =>
    ids.length === 1 ? `${noun.one} ${ids[0]}` : `${ids.length} ${noun.many}`;

  const path = `/blocked-clients/${kind}`;
  const fieldId = (name: string) => `blocklist-${kind}-${name}`;

  // Loads the given page; after unblocking the last rows of the last page, the one before it.
  const getPage = (n: number) =>
    api.get<BlockedPage>(`${path}/page${query({ page: n, size: PAGE_SIZE })}`);
  const fetchPage = async (wanted: number) => {
    let answer = await getPage(wanted);
    const last = Math.max(0, Math.ceil(answer.total / PAGE_SIZE) - 1);
    if (wanted > last) {
      wanted = last;
      answer = await getPage(wanted);
    }
    setRecords(answer.records);
    setTotal(answer.total);
    setPage(wanted);
  };

  const load = (wanted: number) => run(() => fetchPage(wanted));

  useEffect(() => {
    void load(0);
  }, [api]);

  const block = (event: Event) => {
    event.preventDefault();
    setMessage('');
    const ids = parseIds(kind, idsText);
    if (!ids.ok) {
      setInvalid({ field: 'ids', text: ids.error });
      return;
    }
    const millis = durationMillis(duration, minutesText);
    if (!millis.ok) {
      setInvalid({ field: 'minutes', text: millis.error });
      return;
    }
    setInvalid(null);
    void run(async () => {
      await api.post(path, { ids: ids.value, blockDurationMillis: millis.value });
      setIdsText('');
      setMessage(`Blocked ${describe(ids.value)} for ${durationLabel(millis.value)}.`);
      await fetchPage(page);
    });
  };

  const unblock = (id: BlockId) => {
    setMessage('');
    void run(async () => {
      await api.delete(`${path}${query({ ids: [id] })}`);
      setMessage(`Unblocked ${describe([id])}.`);
      await fetchPage(page);
    });
  };

  // Read at every render, not kept from the last tick: rows just loaded would count from a time
  // up to a second old (a 10-minute block reading "10 min 1 s left"). It is the browser's clock
  // against the server's end times: a skewed clock skews the countdown, not the dates.
  const now = Date.now();
  const pages = total ? Math.ceil(total / PAGE_SIZE) : 1;
  const titleId = fieldId('title');
  const hintId = fieldId('hint');
  const invalidId = fieldId('invalid');
  const describedBy = (field: 'ids' | 'minutes') =>
    invalid?.field === field ? `${invalidId} ${hintId}` : hintId;
  return (
    <section aria-labelledby={titleId} data-testid={`blocklist-${kind}`}>
      <h2 id={titleId}>
        {noun.title}{' '}
        {total !== null && <small data-testid={`blocked-${kind}-total`}>({total} blocked)</small>}
      </h2>
      <form class="inline" onSubmit={block} noValidate>
        <label for={fieldId('ids')}>{kind === 'ips' ? 'IPs to block' : 'User ids to block'}</label>
        <input
          id={fieldId('ids')}
          autocomplete="off"
          spellcheck={false}
          placeholder={kind === 'ips' ? '203.0.113.9, 2001:db8::1' : '424242, 7'}
          aria-invalid={invalid?.field === 'ids' ? 'true' : undefined}
          aria-describedby={describedBy('ids')}
          value={idsText}
          onInput={(e) => {
            setIdsText((e.target as HTMLInputElement).value);
            if (invalid?.field === 'ids') setInvalid(null);
          }}
        />
        <label for={fieldId('duration')}>for</label>
        <select
          id={fieldId('duration')}
          value={duration}
          onChange={(e) => {
            setDuration((e.target as HTMLSelectElement).value);
            if (invalid?.field === 'minutes') setInvalid(null);
          }}
        >
          {DURATION_PRESETS.map((preset) => (
            <option value={preset.key}>{preset.label}</option>
          ))}
          <option value={CUSTOM_DURATION}>Minutes…</option>
        </select>
        {duration === CUSTOM_DURATION && (
          <>
            <label for={fieldId('minutes')}>Minutes</label>
            <input
              id={fieldId('minutes')}
              class="short"
              inputMode="numeric"
              autocomplete="off"
              aria-invalid={invalid?.field === 'minutes' ? 'true' : undefined}
              aria-describedby={describedBy('minutes')}
              value={minutesText}
              onInput={(e) => {
                setMinutesText((e.target as HTMLInputElement).value);
                if (invalid?.field === 'minutes') setInvalid(null);
              }}
            />
          </>
        )}
        <button type="submit" class="danger">
          Block {noun.many}
        </button>
      </form>
      <p class="note" id={hintId}>
        Separate several with commas or spaces. A block never shortens a longer one already in
        place.
      </p>
      {invalid && (
        <p class="error" role="alert" id={invalidId}>
          {invalid.text}
        </p>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      {message && <p class="note" role="status">{message}</p>}
      <div class="actions">
        {/* Named for their list: both sections' buttons are on one page. */}
        <button
          type="button"
          class="quiet"
          aria-label={`Refresh ${noun.many}`}
          onClick={() => load(page)}
        >
          Refresh
        </button>
        {pages > 1 && (
          <>
            <button
              type="button"
              class="quiet"
              disabled={page === 0}
              aria-label={`Previous page of ${noun.many}`}
              onClick={() => load(page - 1)}
            >
              Previous
            </button>
            <span class="status">
              Page {page + 1} of {pages}
            </span>
            <button
              type="button"
              class="quiet"
              disabled={page >= pages - 1}
              aria-label={`Next page of ${noun.many}`}
              onClick={() => load(page + 1)}
            >
              Next
            </button>
          </>
        )}
      </div>
      {total === 0 ? (
        <p data-testid={`no-blocked-${kind}`}>No {noun.one} is blocked.</p>
      ) : (
        records.length > 0 && (
          <div class="table-scroll">
            <table class="blocklist" data-testid={`blocked-${kind}`}>
              <thead>
                <tr>
                  <th scope="col">{kind === 'ips' ? 'IP' : 'User'}</th>
                  <th scope="col">Blocked until</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {records.map((record) => (
                  <tr data-id={String(record.id)}>
                    <td class="id">
                      <code>{record.id}</code>
                    </td>
                    <td>
                      <BlockEnd millis={record.blockEndTime} />
                      <div class="note" data-testid="time-left">
                        {formatRemaining(record.blockEndTime, now)}
                      </div>
                    </td>
                    <td>
                      {/* The id in the name tells the buttons apart for screen readers and
                          tests; the visible word keeps the row within a phone's width. */}
                      <button
                        type="button"
                        aria-label={`Unblock ${record.id}`}
                        onClick={() => unblock(record.id)}
                      >
                        Unblock
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      )}
    </section>
  );
}

// "2026-12-07 20:03:12 UTC" breaking only between the date and the time, never inside the date.
function BlockEnd({ millis }: { millis: number }) {
  const [date, ...time] = formatDate(millis).split(' ');
  return (
    <div>
      <span class="nowrap">{date}</span> <span class="nowrap">{time.join(' ')}</span>
    </div>
  );
}
