import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiV2Host } from '../../runs/api/api-v2-suite.ts';
import {
  type EmulatorOptions,
  type RunningEmulators,
  startEmulators,
} from '../../../src/local/emulators/index.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'airless.js');

/**
 * `airless standalone` as a child process: real HTTP on a free port, a temp DAG folder and state
 * directory. The emulators run in the test process (AIRLESS_EMULATORS=off for the child), so they
 * outlive a killed standalone and their /_admin/stats count every submission across restarts.
 */
export interface StandaloneProcess {
  url: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>;
  child: ChildProcess;
}

export interface StandaloneDirs {
  dags: string;
  state: string;
}

export async function makeDirs(): Promise<StandaloneDirs & { remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'airless-standalone-'));
  const dirs = { dags: join(root, 'dags'), state: join(root, 'state') };
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dirs.dags);
  return { ...dirs, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Environment that points the child's handlers at emulators running elsewhere. */
export function emulatorEnv(emu: RunningEmulators): Record<string, string> {
  return {
    AIRLESS_EMULATORS: 'off',
    AIRLESS_ARM_ENDPOINT: emu.armUrl,
    AIRLESS_AUTHORITY_HOST: emu.authorityHost,
    AIRLESS_KEYVAULT_URL: emu.keyVaultUrl,
    AIRLESS_CA_PEM: emu.caPem,
  };
}

export async function spawnStandalone(
  dirs: StandaloneDirs,
  env: Record<string, string>,
  args: string[] = [],
): Promise<StandaloneProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'standalone', '--dags', dirs.dags, '--state', dirs.state, '--port', '0', ...args],
    {
      env: { ...process.env, AIRLESS_CLI_FROM_SOURCE: '1', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`standalone did not start:\n${out}`)), 60_000);
    const look = () => {
      const m = /API on (http:\/\/127\.0\.0\.1:\d+)\/api\/v2\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`standalone exited (${code}) before it started:\n${out}`));
    });
  });
  return { url, output: () => out, exited, child };
}

/** Sends a signal and waits for the process to be gone. */
export async function stop(
  p: StandaloneProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | string> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}

export async function api(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

/** Writes a DAG file and waits for the standalone to print its registration outcome. */
export async function upload(
  p: StandaloneProcess,
  dags: string,
  fileName: string,
  text: string,
): Promise<void> {
  const marker = `dags/${fileName}: `;
  const count = () => p.output().split(marker).length - 1;
  const before = count();
  await writeFile(join(dags, fileName), text);
  const end = Date.now() + 30_000;
  while (count() === before) {
    if (Date.now() > end) throw new Error(`no registration of ${fileName}:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The harness of the shared API v2 suite (test/runs/api/api-v2-suite.ts): `airless standalone` in a
 * child process, its base URL, and close. Runs execute with the real task handler against emulators
 * held by the test process.
 */
export async function startStandaloneHost(
  emulatorOptions: EmulatorOptions = {},
): Promise<ApiV2Host & { baseUrl: string }> {
  const emu = await startEmulators({
    timeScale: 1,
    defaultJobRunSeconds: 1,
    jobs: [{ jobName: 'stream-*', runSeconds: null }],
    ...emulatorOptions,
  });
  // The suite's DAG runs jar ids `load.jar` and `report.jar`: jars a user uploaded once to the JobManager.
  const jobManager = emu.state.flink.get('flink')!;
  for (const jar of ['load.jar', 'report.jar']) jobManager.jars.set(jar, { id: jar, name: jar, uploaded: 0 });
  const dirs = await makeDirs();
  let p: StandaloneProcess;
  try {
    p = await spawnStandalone(dirs, emulatorEnv(emu));
  } catch (error) {
    await emu.close();
    await dirs.remove();
    throw error;
  }
  return {
    baseUrl: p.url,
    flinkUrl: emu.flinkUrl,
    request: (method, path, body) => api(p.url, method, path, body),
    upload: (fileName, text) => upload(p, dirs.dags, fileName, text),
    async fault(spec) {
      await fetch(`${emu.url}/_admin/faults`, { method: 'POST', body: JSON.stringify(spec) });
    },
    async submittedJobs() {
      const stats = (await (await fetch(`${emu.url}/_admin/stats`)).json()) as {
        submissions: Record<string, number>;
      };
      return Object.entries(stats.submissions).flatMap(([name, n]) => Array<string>(n).fill(name));
    },
    async close() {
      await stop(p);
      await emu.close();
      await dirs.remove();
    },
  };
}
