// One group by id: its facts, members and blocklist; block and unblock users.
import { useState } from 'preact/hooks';
import { LookupForm } from '../components/lookup_form';
import { query } from '../lib/api';
import { formatDate } from '../lib/format';
import { PageProps, useAction } from './page';

interface Group {
  id: number;
  name: string;
  ownerId: number | null;
  typeId: number;
  creationDate: number;
  deletionDate: number | null;
  isActive: boolean;
}

interface Member {
  key: { groupId: number; userId: number };
  name: string;
  role: string;
  joinDate: number;
}

interface Blocked {
  key: { groupId: number; userId: number };
  blockDate: number;
  requesterId: number;
}

export function GroupsPage({ api, onError }: PageProps) {
  const [idText, setIdText] = useState('');
  const [group, setGroup] = useState<Group | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [blocked, setBlocked] = useState<Blocked[]>([]);
  const [blockText, setBlockText] = useState('');
  const { error, setError, run } = useAction(onError);
  const [message, setMessage] = useState('');

  const load = (id: number) =>
    run(async () => {
      const [groups, memberList, blockList] = await Promise.all([
        api.get<Group[]>(`/groups${query({ ids: id })}`),
        api.get<Member[]>(`/groups/members${query({ groupIds: id })}`),
        api.get<Blocked[]>(`/groups/blocked-users${query({ groupIds: id })}`),
      ]);
      setGroup(groups[0] ?? null);
      setMembers(memberList);
      setBlocked(blockList);
      if (!groups[0]) setMessage(`No group ${id}.`);
    });

  const lookUp = (event: Event) => {
    event.preventDefault();
    setMessage('');
    const id = Number(idText.trim());
    if (!Number.isSafeInteger(id) || id <= 0) {
      setError('A group id is a positive whole number.');
      return;
    }
    void load(id);
  };

  const block = (event: Event) => {
    event.preventDefault();
    const userId = Number(blockText.trim());
    if (!Number.isSafeInteger(userId) || userId <= 0 || !group) return;
    void run(async () => {
      // The admin acts for the group's owner, as upstream's console does.
      await api.post('/groups/blocked-users', {
        groupId: group.id,
        userId,
        requesterId: group.ownerId ?? userId,
      });
      setBlockText('');
      setMessage(`Blocked user ${userId}.`);
      await load(group.id);
    });
  };

  const unblock = (userId: number) =>
    run(async () => {
      const keys = `?keys%5B0%5D.groupId=${group!.id}&keys%5B0%5D.userId=${userId}`;
      await api.delete(`/groups/blocked-users${keys}`);
      setMessage(`Unblocked user ${userId}.`);
      await load(group!.id);
    });

  return (
    <section aria-label="Groups">
      <LookupForm
        id="group-id"
        label="Group id"
        value={idText}
        onInput={setIdText}
        onSubmit={lookUp}
        error={error}
        message={message}
      />
      {group && (
        <>
          <h2>
            {group.name || '(no name)'} <small>#{group.id}</small>
          </h2>
          <dl class="facts">
            <dt>Owner</dt>
            <dd>{group.ownerId ?? '–'}</dd>
            <dt>Type</dt>
            <dd>{group.typeId}</dd>
            <dt>Created</dt>
            <dd>{formatDate(group.creationDate)}</dd>
            <dt>Status</dt>
            <dd>{group.deletionDate ? 'deleted' : group.isActive ? 'active' : 'inactive'}</dd>
          </dl>
          <h3>Members ({members.length})</h3>
          <div class="table-scroll">
            <table data-testid="members">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr>
                    <td>{m.key.userId}</td>
                    <td>{m.name || '–'}</td>
                    <td>{m.role}</td>
                    <td>{formatDate(m.joinDate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>Blocked users ({blocked.length})</h3>
          <form class="inline" onSubmit={block}>
            <label for="block-user">User id to block</label>
            <input
              id="block-user"
              inputMode="numeric"
              value={blockText}
              onInput={(e) => setBlockText((e.target as HTMLInputElement).value)}
            />
            <button type="submit" class="danger">Block</button>
          </form>
          <ul class="plain">
            {blocked.map((b) => (
              <li>
                User {b.key.userId}, blocked {formatDate(b.blockDate)} by {b.requesterId}{' '}
                <button type="button" onClick={() => unblock(b.key.userId)}>
                  Unblock {b.key.userId}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
