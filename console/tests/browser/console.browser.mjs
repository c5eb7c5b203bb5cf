// The console in a real browser (Debian's chromium, headless, driven by playwright-core): log in,
// watch the message rate rise while parley-bench sends, look a user up, kick their session and
// see the device go offline, visit every page, block and unblock a user and an IP, log out.
// Screenshots of each step go to ARTIFACT_DIR. Starts its own parley on free loopback ports and
// stops everything it started.
//
//   PARLEY_BINARY=build/parley PARLEY_BENCH_BINARY=build/parley-bench CONSOLE_DIR=build/console \
//   ARTIFACT_DIR=build/console-artifacts node console/tests/browser/console.browser.mjs
//
// No timing asserts: every wait is for a condition, with a bound that only catches a hang
// (CONSOLE_TEST_BOUND_MS, 60 s by default).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const PARLEY = env('PARLEY_BINARY');
const BENCH = env('PARLEY_BENCH_BINARY');
const CONSOLE_DIR = env('CONSOLE_DIR');
const ARTIFACTS = env('ARTIFACT_DIR');
const CHROMIUM = env('CHROMIUM', '/usr/bin/chromium');
const PASSWORD = 'browser-test-admin-password';
const KICKED_USER = 7; // a demo user; the message senders are other users
// Blocked and unblocked on the Blocklists page: a user id no demo user has, and a documentation
// address (RFC 5737), so that blocking them shuts out no client of the test.
const BLOCKED_USER = 424242;
const BLOCKED_IP = '203.0.113.9';
const BOUND_MS = Number(process.env.CONSOLE_TEST_BOUND_MS ?? 60_000);

if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
  console.error(`not ok - no built console in ${CONSOLE_DIR}: run scripts/build.sh parley`);
  process.exit(1);
}

const children = [];
const temp = mkdtempSync(join(tmpdir(), 'parley-console-browser-'));
mkdirSync(ARTIFACTS, { recursive: true });

function start(command, args, extraEnv = {}) {
  // parley refuses PARLEY_* variables it does not know, such as this test's own settings.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PARLEY_')));
  const child = spawn(command, args, {
    env: { ...inherited, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  // Drained, so that a chatty child never blocks; the tail is kept for failure messages.
  child.errorTail = '';
  child.stderr.on('data', (data) => {
    child.errorTail = (child.errorTail + data).slice(-2000);
  });
  return child;
}

// Starts parley on free ports and resolves with them from its "parley ready" line.
function startParley() {
  const parley = start(
    PARLEY,
    [
      '--ws-port=0', '--tcp-port=0', '--admin-port=0', '--bind=127.0.0.1',
      `--data-dir=${join(temp, 'data')}`, `--console-dir=${CONSOLE_DIR}`,
      '--demo-data', '--demo-user-count=200',
      '--argon2-ops-limit=1', '--argon2-mem-limit-kib=64', '--io-threads=2',
      // The bench's senders (10 messages/s each, from source IPs 127.1.0.x) go far over the
      // per-IP and per-user throttles (upstream's 1 request/s): most messages would be refused,
      // the later bench clients holding user 7's session refused their login (1101), and
      // automatic blocking would block senders and IPs. The Blocklists page is tested with the
      // blocks it makes itself.
      '--throttle=false',
    ],
    // Through the environment, not argv, where any local user could read it.
    { PARLEY_ADMIN_PASSWORD: PASSWORD },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('parley did not become ready')), BOUND_MS);
    parley.on('exit', (code) =>
      reject(new Error(`parley exited with ${code}: ${parley.errorTail}`)));
    createInterface({ input: parley.stdout }).on('line', (line) => {
      const ready = /^parley ready ws=(\d+) tcp=(\d+) admin=(\d+)/.exec(line);
      if (ready) {
        clearTimeout(timer);
        resolve({ ws: Number(ready[1]), admin: Number(ready[3]) });
      }
    });
  });
}

function bench(wsPort, scenario) {
  const child = start(BENCH, ['--port', String(wsPort), ...scenario]);
  child.stdout.on('data', () => {});
  return child;
}

async function waitFor(what, check) {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function adminGet(port, path) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { Authorization: `Bearer ${PASSWORD}` },
  });
  return response.json();
}

// Waits for a Blocklists section to show its list; fails at once with the page's error instead
// (such as 1400/1401 when the node runs with blocklist.enabled off).
async function blocklistLoaded(section, kind) {
  const total = section.getByTestId(`blocked-${kind}-total`);
  const error = section.locator('.error');
  await total.or(error).first().waitFor();
  if (await error.isVisible()) {
    throw new Error(`the ${kind} blocklist did not load: ${await error.first().textContent()}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok - ${message}`);
}

let browser;
let failed = false;
try {
  const ports = await startParley();
  console.log(`parley ready: ws ${ports.ws}, admin ${ports.admin}`);
  // A persistent context is how playwright takes a user-data-dir: a fresh one in our temp dir.
  const context = await chromium.launchPersistentContext(join(temp, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  browser = context;
  const page = await context.newPage();
  page.setDefaultTimeout(BOUND_MS);
  const offOrigin = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`http://127.0.0.1:${ports.admin}/`) && !request.url().startsWith('data:')) {
      offOrigin.push(request.url());
    }
  });
  const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  // /console redirects to /console/, which is the login form.
  await page.goto(`http://127.0.0.1:${ports.admin}/console`);
  check(page.url().endsWith('/console/'), '/console redirects to /console/');
  check(await page.getByLabel('Account').inputValue() === 'admin', 'the account is "admin" at first');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong account or password.').waitFor();
  check(true, 'a wrong password is refused');
  await shot('01-login');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter'); // by keyboard, as anyone without a mouse would
  await page.locator('[data-testid="stream-state"][data-state="live"]').waitFor();
  check(true, 'logged in; the metrics stream is live');

  // Messages from a bounded bench run make the message-rate chart rise.
  const messages = page.locator('[data-testid="chart-messages"]');
  const peak = async () => Number((await messages.getAttribute('data-peak')) || 0);
  const peakBefore = await peak();
  bench(ports.ws, ['private', 'sessions=20', 'first_user_id=100', 'rate=200', 'duration=20s',
    'max_messages=4000', 'drain=1s', 'workers=1']);
  await waitFor('the message rate to rise', async () => (await peak()) > peakBefore);
  check((await peak()) > 0, `the message-rate chart rose (peak ${await peak()}/s)`);
  await shot('02-overview-messages');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot('03-overview-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  // The same charts for the cluster: this node's figures summed with the others' (none here).
  await page.getByRole('button', { name: 'Cluster' }).click();
  await messages.locator('figcaption').filter({ hasText: '(cluster)' }).waitFor();
  await waitFor('the cluster message rate to show', async () => (await peak()) > 0);
  check(true, `the cluster's message-rate chart shows the messages (peak ${await peak()}/s)`);
  await shot('03b-overview-cluster');
  await page.getByRole('button', { name: 'This node' }).click();

  // A user with a live session: look them up, kick it, see the device go offline.
  const holder = bench(ports.ws, ['idle', 'sessions=1', `first_user_id=${KICKED_USER}`,
    'duration=120s', 'heartbeat=0', 'drain=0s', 'workers=1']);
  await waitFor(`user ${KICKED_USER} to be online`, async () => {
    const answer = await adminGet(ports.admin, `/users/online-statuses?ids=${KICKED_USER}`);
    return answer.data?.[0]?.userStatus !== 'OFFLINE';
  });
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('User id or name').fill(String(KICKED_USER));
  await page.getByRole('button', { name: 'Look up' }).click();
  const device = page.locator('[data-testid="devices"] tbody tr').first();
  await device.waitFor();
  const deviceType = await device.getAttribute('data-device');
  check(Boolean(deviceType), `user ${KICKED_USER} is online on ${deviceType}`);
  await shot('04-user-online');
  await page.getByRole('button', { name: `Kick ${deviceType}` }).click();
  await waitFor('the device to go offline', async () => {
    if (await page.locator('[data-testid="no-devices"]').isVisible()) return true;
    await page.getByRole('button', { name: 'Refresh' }).click();
    return false;
  });
  check(true, 'after the kick the user has no device online');
  const answer = await adminGet(ports.admin, `/users/online-statuses?ids=${KICKED_USER}`);
  check(answer.data[0].userStatus === 'OFFLINE', 'the admin API agrees the user is offline');
  await shot('05-user-kicked');
  holder.kill('SIGTERM');

  for (const [route, name] of [['nodes', '06-nodes'], ['groups', '07-groups'], ['config', '08-config']]) {
    await page.getByRole('link', { name: route[0].toUpperCase() + route.slice(1) }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: new RegExp(route, 'i') }).waitFor();
    await page.waitForLoadState('networkidle');
    if (route === 'nodes') {
      // This node's row carries its own figures: memory in bytes and its machine's load.
      const row = page.locator('[data-testid="nodes"] tbody tr').first();
      const cells = await row.locator('td').allTextContents();
      check(cells.some((cell) => /iB$/.test(cell)), `the node's memory is shown (${cells.join(' | ')})`);
      check(cells.some((cell) => /^\d+\.\d\d$/.test(cell)), "the node's load is shown");
    }
    await shot(name);
  }

  // Blocklists: a typo is caught on the page; a user and an IP blocked through it are listed
  // there and by the admin API, and gone from both once unblocked.
  await page.getByRole('link', { name: 'Blocklists' }).click();
  await page.getByRole('heading', { level: 1, name: 'Blocklists' }).waitFor();
  const users = page.getByTestId('blocklist-users');
  const ips = page.getByTestId('blocklist-ips');
  await blocklistLoaded(users, 'users');
  await blocklistLoaded(ips, 'ips');
  await users.getByLabel('User ids to block').fill(`${BLOCKED_USER}, abc`);
  await users.getByRole('button', { name: 'Block users' }).click();
  await users.getByText('"abc" is not a user id').waitFor();
  check(true, 'the page refuses a user id that is no number, naming it');
  await users.getByLabel('User ids to block').fill(String(BLOCKED_USER));
  await users.getByLabel('for', { exact: true }).selectOption({ label: '1 hour' });
  await users.getByRole('button', { name: 'Block users' }).click();
  const userRow = users.locator(`[data-testid="blocked-users"] tr[data-id="${BLOCKED_USER}"]`);
  await userRow.waitFor();
  await users.getByText(`Blocked user ${BLOCKED_USER} for 1 hour.`).waitFor();
  const timeLeft = await userRow.getByTestId('time-left').textContent();
  check(true, `user ${BLOCKED_USER} is listed as blocked (${timeLeft})`);
  const userPath = `/blocked-clients/users?ids=${BLOCKED_USER}`;
  const blockedUser = (await adminGet(ports.admin, userPath)).data;
  // Bounds loose enough for any run time and clock step: an hour, not 10 minutes or a day.
  const userEnd = blockedUser?.[0]?.blockEndTime - Date.now();
  check(blockedUser?.length === 1 && String(blockedUser[0].id) === String(BLOCKED_USER) &&
    userEnd > 30 * 60_000 && userEnd <= 61 * 60_000,
    `the admin API has user ${BLOCKED_USER} blocked for about an hour`);
  await ips.getByLabel('IPs to block').fill(BLOCKED_IP);
  await ips.getByLabel('for', { exact: true }).selectOption({ label: '10 minutes' });
  await ips.getByRole('button', { name: 'Block IPs' }).click();
  const ipRow = ips.locator(`[data-testid="blocked-ips"] tr[data-id="${BLOCKED_IP}"]`);
  await ipRow.waitFor();
  const blockedIp = (await adminGet(ports.admin, `/blocked-clients/ips?ids=${BLOCKED_IP}`)).data;
  check(blockedIp?.length === 1 && blockedIp[0].id === BLOCKED_IP,
    `IP ${BLOCKED_IP} is listed as blocked, and by the admin API`);
  await shot('07b-blocklists');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot('07c-blocklists-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  await users.getByRole('button', { name: `Unblock ${BLOCKED_USER}`, exact: true }).click();
  await userRow.waitFor({ state: 'detached' });
  const unblockedUser = await adminGet(ports.admin, userPath);
  check(unblockedUser.data?.length === 0, `user ${BLOCKED_USER} is unblocked, on the page and API`);
  await ips.getByRole('button', { name: `Unblock ${BLOCKED_IP}`, exact: true }).click();
  await ipRow.waitFor({ state: 'detached' });
  const unblockedIp = await adminGet(ports.admin, `/blocked-clients/ips?ids=${BLOCKED_IP}`);
  check(unblockedIp.data?.length === 0, `IP ${BLOCKED_IP} is unblocked, on the page and API`);

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Password').waitFor();
  check(true, 'logged out');
  await shot('09-logged-out');

  // A read-only account made through the admin API logs in, watches, and may not kick.
  const created = await fetch(`http://127.0.0.1:${ports.admin}/admins`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${PASSWORD}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ loginName: 'viewer', password: 'viewer-password', role: 'READ_ONLY' }),
  });
  check(created.status === 200, 'a read-only account was created through /admins');
  await page.getByLabel('Account').fill('viewer');
  await page.getByLabel('Password').fill('viewer-password');
  await page.keyboard.press('Enter');
  // Signing in again keeps the page shown before the log-out (Blocklists here), as after a 401;
  // the stream lives on Overview.
  await page.getByTestId('account').waitFor();
  await page.getByRole('link', { name: 'Overview' }).click();
  await page.locator('[data-testid="stream-state"][data-state="live"]').waitFor();
  check(await page.getByTestId('account').textContent() === 'viewer', 'logged in as viewer');
  const viewerHolder = bench(ports.ws, ['idle', 'sessions=1', `first_user_id=${KICKED_USER}`,
    'duration=120s', 'heartbeat=0', 'drain=0s', 'workers=1']);
  await page.getByRole('link', { name: 'Users' }).click();
  await waitFor(`user ${KICKED_USER} to be online again`, async () => {
    await page.getByLabel('User id or name').fill(String(KICKED_USER));
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.waitForLoadState('networkidle');
    return page.locator('[data-testid="devices"] tbody tr').first().isVisible();
  });
  const viewerDevice = await page.locator('[data-testid="devices"] tbody tr').first()
    .getAttribute('data-device');
  await page.getByRole('button', { name: `Kick ${viewerDevice}` }).click();
  await page.getByText('may not PUT /users/online-infos/statuses').waitFor();
  check(true, 'the read-only account is refused the kick, with the reason shown');
  await shot('10-read-only-refused');
  viewerHolder.kill('SIGTERM');
  await page.getByRole('link', { name: 'Blocklists' }).click();
  const viewerUsers = page.getByTestId('blocklist-users');
  await blocklistLoaded(viewerUsers, 'users');
  await viewerUsers.getByLabel('User ids to block').fill(String(BLOCKED_USER));
  await viewerUsers.getByRole('button', { name: 'Block users' }).click();
  await viewerUsers.getByText('may not POST /blocked-clients/users').waitFor();
  check(true, 'the read-only account sees the blocklists and is refused a block, with the reason');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Password').waitFor();
  check(offOrigin.length === 0, `nothing loaded from another origin ${offOrigin.join(' ')}`);
} catch (error) {
  failed = true;
  console.error(`not ok - ${error.stack ?? error}`);
} finally {
  await browser?.close().catch(() => {});
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  await Promise.all(children.map((child) =>
    child.exitCode === null ? new Promise((resolve) => child.on('exit', resolve)) : null));
  rmSync(temp, { recursive: true, force: true });
}
console.log(failed ? 'console browser test FAILED' : `console browser test passed; screenshots in ${ARTIFACTS}`);
process.exit(failed ? 1 : 0);
