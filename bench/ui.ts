import { readdirSync, readFileSync } from 'node:fs';
import { cpuUsage, pid } from 'node:process';
import { formatTable } from '../src/cli/table.ts';
import { planOf } from '../test/ui/backend-double.ts';
import { wideYaml } from '../test/ui/fixtures.ts';
import { startUiSession } from '../test/ui/session.ts';

/**
 * The web UI's grid in headless Chromium: a DAG of T tasks with R finished runs, each time in a new
 * page, timed from navigation start to the grid's cells in the DOM and then painted (the app's
 * performance marks). The page's main-thread busy time (CDP Performance.TaskDuration), the CPU
 * time of Chromium's processes (and Playwright's driver, from /proc) and of the server (this
 * process) are shown too: CPU times hold on a loaded machine, where wall times do not. The UI
 * test host serves it over loopback, with the real router on a TEST DOUBLE of the API port
 * (in-memory records). Median of RUNS loads after one warm-up. The aim: 50 runs by 100 tasks
 * painted within 1 s.
 */
const RUNS = 5;
const SIZES: Array<[runs: number, tasks: number]> = [
  [10, 20],
  [50, 100],
];

/** CPU ms (user + system) of this process's descendants (Chromium and Playwright's driver), from /proc. */
function childrenCpuMs(): number {
  const stats = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        // Fields after the command's closing parenthesis: state ppid ... utime(12) stime(13).
        const f = readFileSync(`/proc/${d}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return [{ pid: Number(d), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) }];
      } catch {
        return [];
      }
    });
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const mine = new Set<number>();
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    mine.add(p);
    stack.push(...(children.get(p) ?? []));
  }
  return stats.filter((s) => mine.has(s.pid)).reduce((ms, s) => ms + s.ticks * 10, 0);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(): Promise<void> {
  const session = await startUiSession((backend) => {
    for (const [runs, tasks] of SIZES) {
      const dagId = `grid_${runs}x${tasks}`;
      backend.addDag(planOf(wideYaml(dagId, tasks), `${dagId}.yaml`));
      backend.seedFinishedRuns(dagId, runs);
    }
  });
  const rows: string[][] = [];
  try {
    for (const [runs, tasks] of SIZES) {
      const dagId = `grid_${runs}x${tasks}`;
      const samples = {
        rendered: [] as number[],
        painted: [] as number[],
        busy: [] as number[],
        server: [] as number[],
        browserCpu: [] as number[],
      };
      let requests = 0;
      for (let i = 0; i <= RUNS; i++) {
        const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Performance.enable');
        let count = 0;
        page.on('request', () => void count++);
        const cpu0 = cpuUsage();
        const browserCpu0 = childrenCpuMs();
        await page.goto(`${session.host.url}/ui/#/dags/${dagId}`);
        await page.waitForFunction(
          () => performance.getEntriesByName('airless:grid-painted').length > 0,
          null,
          {
            timeout: 30_000,
          },
        );
        const cpu = cpuUsage(cpu0);
        const browserCpu = childrenCpuMs() - browserCpu0;
        const marks = await page.evaluate(() => ({
          rendered: performance.getEntriesByName('airless:grid-rendered')[0]!.startTime,
          painted: performance.getEntriesByName('airless:grid-painted')[0]!.startTime,
        }));
        const { metrics } = await cdp.send('Performance.getMetrics');
        const cells = await page.locator('.grid .cell').count();
        await page.close();
        if (cells !== runs * tasks) throw new Error(`grid shows ${cells} cells, not ${runs * tasks}`);
        if (i === 0) continue;
        samples.rendered.push(marks.rendered);
        samples.painted.push(marks.painted);
        samples.busy.push((metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN) * 1000);
        samples.server.push((cpu.user + cpu.system) / 1000);
        samples.browserCpu.push(browserCpu);
        requests = count;
      }
      const painted = median(samples.painted);
      rows.push([
        `${runs} x ${tasks}`,
        String(runs * tasks),
        String(requests),
        median(samples.rendered).toFixed(0),
        painted.toFixed(0),
        median(samples.busy).toFixed(0),
        median(samples.browserCpu).toFixed(0),
        median(samples.server).toFixed(0),
        painted <= 1000 ? 'yes' : 'NO',
      ]);
    }
  } finally {
    await session.close();
  }
  console.log(
    formatTable(
      [
        'runs x tasks',
        'cells',
        'requests',
        'ms to DOM',
        'ms to paint',
        'browser main thread ms',
        'browser CPU ms',
        'server CPU ms',
        'within 1 s',
      ],
      rows,
    ),
  );
  console.log(`median of ${RUNS} page loads; wall times depend on the machine's load (see uptime)`);
}
