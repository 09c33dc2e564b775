/**
 * A throw-away Dovecot IMAP server for integration tests. Each call starts a fully
 * self-contained instance (own config, base_dir, state, maildirs, log file, random port on
 * 127.0.0.1), so several test files can run side by side without sharing any state and
 * without touching a system-wide Dovecot. `stop()` leaves no process behind.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { oauth2Mechanisms, oauth2Passdb, renderOAuth2Config, type DovecotOAuth2Options } from './dovecot-oauth2.js';

export type { DovecotOAuth2Options } from './dovecot-oauth2.js';

const execFileP = promisify(execFile);

const DOVECOT_BIN = '/usr/sbin/dovecot';
const INSTALL_LOCK = path.join(tmpdir(), 'casemail-dovecot-install.lock');
const PASSWORD = 'secret';
const DEFAULT_USERS = ['support', 'support2', 'support3'] as const;
const START_ATTEMPTS = 4;

export interface DovecotUser {
  user: string;
  password: string;
}

export interface Dovecot {
  host: string;
  port: number;
  users: DovecotUser[];
  /** Directory holding config, maildirs and `dovecot.log`. */
  dir: string;
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port, keeping all mail. */
  restart(): Promise<void>;
  /** Appends a message (creating the folder if needed) and returns its UID. */
  append(user: string, folder: string, raw: Buffer | string): Promise<number>;
  /** Deletes and recreates a folder with the same messages, giving it a new UIDVALIDITY. */
  recreateMailbox(user: string, folder: string): Promise<void>;
  /** Raw sources of the messages in a folder, in UID order (empty if the folder is missing). */
  list(user: string, folder: string): Promise<Array<{ uid: number; raw: Buffer; flags: string[] }>>;
  /** Opens an authenticated client; the caller logs out. */
  connect(user: string): Promise<ImapFlow>;
}

export interface StartDovecotOptions {
  users?: string[];
  /**
   * Also accept OAuth2 access tokens (XOAUTH2 and OAUTHBEARER), checked against this
   * introspection endpoint (RFC 7662); passwords keep working for PLAIN and LOGIN.
   */
  oauth2?: DovecotOAuth2Options;
}

/**
 * Installs the Debian package once per machine. `flock` makes concurrent test files wait for
 * each other (the kernel drops the lock if a holder dies); the dpkg lock timeout covers other
 * installers running at the same time.
 */
async function ensureInstalled(): Promise<void> {
  if (existsSync(DOVECOT_BIN)) return;
  const script =
    `test -x ${DOVECOT_BIN} || (apt-get -o DPkg::Lock::Timeout=600 update && ` +
    `DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y dovecot-imapd)`;
  await execFileP('flock', [INSTALL_LOCK, 'sh', '-c', script], { maxBuffer: 64 * 1024 * 1024 });
  if (!existsSync(DOVECOT_BIN)) throw new Error('dovecot-imapd installation did not provide ' + DOVECOT_BIN);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface InstanceFiles {
  dir: string;
  conf: string;
  log: string;
  instanceName: string;
  greeting: string;
  oauth2?: DovecotOAuth2Options;
}

function renderConfig(files: InstanceFiles, port: number): string {
  const { dir } = files;
  return `# Generated for one test run; nothing here is shared with other instances.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${files.log}
instance_name = ${files.instanceName}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${files.oauth2 ? ` ${oauth2Mechanisms(files.oauth2)}` : ''}
# Tests log in with wrong passwords on purpose; no need to slow them down.
auth_failure_delay = 0
login_greeting = ${files.greeting}
default_internal_user = dovecot
default_login_user = dovenull
# The mail user is the unprivileged 'dovecot' account, whose uid is below the default limit.
first_valid_uid = 1
mail_uid = dovecot
mail_gid = dovecot
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
${files.oauth2 ? oauth2Passdb(dir, files.oauth2) : ''}userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/home/%u
}
# Every test client logs in from 127.0.0.1: one deliberate wrong password must not make
# Dovecot's per-IP auth penalty delay every later login by seconds.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

async function prepareFiles(users: string[], oauth2?: DovecotOAuth2Options): Promise<InstanceFiles> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cm-dv-'));
  // Mail processes run as the 'dovecot' user and must reach their home below this dir.
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, 'run'));
  await mkdir(path.join(dir, 'state'));
  const home = path.join(dir, 'home');
  await mkdir(home);
  const { stdout } = await execFileP('id', ['-u', 'dovecot']);
  const { stdout: gid } = await execFileP('id', ['-g', 'dovecot']);
  await chown(home, Number(stdout.trim()), Number(gid.trim()));
  await writeFile(path.join(dir, 'passwd'), users.map((u) => `${u}:{PLAIN}${PASSWORD}::::::\n`).join(''));
  if (oauth2) await writeFile(path.join(dir, 'dovecot-oauth2.conf.ext'), renderOAuth2Config(oauth2));
  const tag = randomBytes(5).toString('hex');
  return {
    dir,
    conf: path.join(dir, 'dovecot.conf'),
    log: path.join(dir, 'dovecot.log'),
    instanceName: `cmtest-${tag}`,
    greeting: `casemail-test-${tag}`,
    ...(oauth2 ? { oauth2 } : {}),
  };
}

/** Resolves once our own instance greets (a greeting token proves the port is ours). */
async function waitForGreeting(port: number, greeting: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('dovecot exited during start-up');
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let buffered = '';
      const done = (value: boolean): void => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(2_000, () => done(false));
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        if (buffered.includes(greeting)) done(true);
      });
      socket.on('error', () => done(false));
      socket.on('close', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not greet on port ${port}`);
}

/** Pids of every process of one instance, found by its unique process title. */
async function instancePids(instanceName: string, confPath: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmdline.includes(`dovecot-${instanceName}/`) || cmdline.includes(confPath)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * SIGTERM first, so Dovecot shuts down cleanly; its master can take several seconds when an
 * IMAP session is still open, so after a short grace period every process of the instance is
 * killed outright (maildir is crash-safe, and tests want fast restarts).
 */
async function killInstance(child: ChildProcess, files: InstanceFiles): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const graceUntil = Date.now() + 1_000;
  const giveUpAt = Date.now() + 10_000;
  for (;;) {
    const pids = await instancePids(files.instanceName, files.conf);
    const masterAlive = child.exitCode === null && child.signalCode === null;
    if (pids.length === 0 && !masterAlive) return;
    if (Date.now() > giveUpAt) throw new Error(`dovecot processes survived: ${pids.join(', ')}`);
    if (Date.now() > graceUntil) {
      if (masterAlive) child.kill('SIGKILL');
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spawnDovecot(files: InstanceFiles): ChildProcess {
  const child = spawn(DOVECOT_BIN, ['-c', files.conf, '-F'], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  return child;
}

async function startOn(files: InstanceFiles, port: number): Promise<ChildProcess> {
  await writeFile(files.conf, renderConfig(files, port));
  const child = spawnDovecot(files);
  try {
    await waitForGreeting(port, files.greeting, child);
    return child;
  } catch (err) {
    await killInstance(child, files);
    const log = await readFile(files.log, 'utf8').catch(() => '');
    throw new Error(`${(err as Error).message}\n${log.split('\n').slice(-10).join('\n')}`);
  }
}

export async function startDovecot(options: StartDovecotOptions = {}): Promise<Dovecot> {
  await ensureInstalled();
  const userNames = options.users ?? [...DEFAULT_USERS];
  const files = await prepareFiles(userNames, options.oauth2);
  let port = 0;
  let child: ChildProcess | undefined;
  let lastError: unknown;
  // Another test may grab the free port between our probe and Dovecot's bind: try again.
  for (let attempt = 0; attempt < START_ATTEMPTS && !child; attempt++) {
    port = await freePort();
    try {
      child = await startOn(files, port);
    } catch (err) {
      lastError = err;
    }
  }
  if (!child) {
    await rm(files.dir, { recursive: true, force: true });
    throw lastError instanceof Error ? lastError : new Error('dovecot did not start');
  }
  let current: ChildProcess | null = child;
  const onExit = (): void => {
    current?.kill('SIGKILL');
  };
  process.once('exit', onExit);

  const connect = async (user: string): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: PASSWORD },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    return client;
  };

  return {
    host: '127.0.0.1',
    port,
    users: userNames.map((user) => ({ user, password: PASSWORD })),
    dir: files.dir,
    connect,
    async stop() {
      process.removeListener('exit', onExit);
      if (current) await killInstance(current, files);
      current = null;
      await rm(files.dir, { recursive: true, force: true });
    },
    async restart() {
      if (current) await killInstance(current, files);
      current = null;
      current = await startOn(files, port);
    },
    append: (user, folder, raw) => withClient(connect, user, (c) => appendTo(c, folder, raw)),
    list: (user, folder) => withClient(connect, user, (c) => listFolder(c, folder)),
    recreateMailbox: (user, folder) => recreate(connect, files.conf, user, folder),
  };
}

async function withClient<T>(
  connect: (user: string) => Promise<ImapFlow>,
  user: string,
  work: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = await connect(user);
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function ensureFolder(client: ImapFlow, folder: string): Promise<void> {
  const exists = (await client.list()).some((box) => box.path === folder);
  if (!exists) await client.mailboxCreate(folder);
}

async function appendTo(client: ImapFlow, folder: string, raw: Buffer | string): Promise<number> {
  await ensureFolder(client, folder);
  const result = await client.append(folder, typeof raw === 'string' ? Buffer.from(raw) : raw);
  if (!result || result.uid === undefined) throw new Error('APPEND returned no UID');
  return result.uid;
}

async function listFolder(
  client: ImapFlow,
  folder: string,
): Promise<Array<{ uid: number; raw: Buffer; flags: string[] }>> {
  if (!(await client.list()).some((box) => box.path === folder)) return [];
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const mailbox = client.mailbox;
    if (!mailbox || mailbox.exists === 0) return [];
    const messages = await client.fetchAll('1:*', { uid: true, source: true, flags: true });
    return messages
      .map((m) => ({ uid: m.uid, raw: m.source ?? Buffer.alloc(0), flags: [...(m.flags ?? [])] }))
      .sort((a, b) => a.uid - b.uid);
  } finally {
    lock.release();
  }
}

/**
 * INBOX can be neither deleted nor renamed in Dovecot, so its messages are expunged and its
 * UIDVALIDITY is bumped with doveadm; other folders are really deleted and created again.
 * Dovecot drops every session that has the folder selected when its UIDVALIDITY changes
 * ("IMAP session state is inconsistent"), so the messages go back in through a new session.
 */
async function recreate(
  connect: (user: string) => Promise<ImapFlow>,
  conf: string,
  user: string,
  folder: string,
): Promise<void> {
  const before = await withClient(connect, user, async (client) => {
    const status = await client.status(folder, { uidValidity: true });
    const messages = await listFolder(client, folder);
    if (folder.toUpperCase() !== 'INBOX') {
      await client.mailboxDelete(folder);
      await client.mailboxCreate(folder);
    } else if (messages.length > 0) {
      await client.mailboxOpen(folder);
      await client.messageDelete('1:*');
      await client.mailboxClose();
    }
    return { uidValidity: status ? (status.uidValidity ?? 0n) : 0n, messages };
  });
  if (folder.toUpperCase() === 'INBOX') {
    const next = String(before.uidValidity + 1n);
    await execFileP('doveadm', ['-c', conf, 'mailbox', 'update', '-u', user, '--uid-validity', next, folder]);
  }
  await withClient(connect, user, async (client) => {
    for (const message of before.messages) await client.append(folder, message.raw);
    const after = await client.status(folder, { uidValidity: true });
    if (!after || after.uidValidity === before.uidValidity) throw new Error(`UIDVALIDITY of ${folder} did not change`);
  });
}
