// The shell: the login form until the credentials work, then a navigation bar and one page per
// hash route (#/overview, #/users, ...), so that reloads and links need no server routing.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Api, ApiError } from './lib/api';
import { BlocklistsPage } from './pages/blocklists';
import { ConfigPage } from './pages/config';
import { GroupsPage } from './pages/groups';
import { LoginPage } from './pages/login';
import { NodesPage } from './pages/nodes';
import { OverviewPage } from './pages/overview';
import { UsersPage } from './pages/users';

const PAGES = [
  { route: 'overview', title: 'Overview', Page: OverviewPage },
  { route: 'nodes', title: 'Nodes', Page: NodesPage },
  { route: 'users', title: 'Users', Page: UsersPage },
  { route: 'groups', title: 'Groups', Page: GroupsPage },
  { route: 'blocklists', title: 'Blocklists', Page: BlocklistsPage },
  { route: 'config', title: 'Config', Page: ConfigPage },
];

function currentRoute(): string {
  const route = location.hash.replace(/^#\/?/, '');
  return PAGES.some((page) => page.route === route) ? route : 'overview';
}

export function App() {
  const [api, setApi] = useState<Api | null>(null);
  const [route, setRoute] = useState(currentRoute());

  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // After a page change, keyboard and screen-reader users start at the new page, not in the bar.
  const main = useRef<HTMLElement>(null);
  const shownRoute = useRef(route);
  useEffect(() => {
    if (shownRoute.current !== route) main.current?.focus();
    shownRoute.current = route;
  }, [route]);

  // Every page reports a 401 here: the password changed or the account went; ask again.
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) setApi(null);
  };

  if (!api) {
    return <LoginPage onLogin={setApi} />;
  }
  const page = PAGES.find((p) => p.route === route)!;
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>
        Skip to the page
      </a>
      <header class="bar">
        <span class="brand">Parley</span>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a href={`#/${p.route}`} aria-current={p.route === route ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
        <span class="account" data-testid="account">
          {api.loginName}
        </span>
        <button type="button" class="quiet" onClick={() => setApi(null)}>
          Log out
        </button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <h1>{page.title}</h1>
        <page.Page api={api} onError={onError} />
      </main>
    </div>
  );
}
