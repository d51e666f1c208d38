import { formatTable } from '../src/cli/table.ts';
import { planOf } from '../test/ui/backend-double.ts';
import { wideYaml } from '../test/ui/fixtures.ts';
import { startUiSession } from '../test/ui/session.ts';

/**
 * The web UI's grid in headless Chromium: a DAG of T tasks with R finished runs, the page loaded
 * afresh each time, timed from navigation start to the grid's cells in the DOM and then painted
 * (the app's performance marks). Served by the UI test host over loopback with the real router on a
 * TEST DOUBLE of the API port (in-memory records). Median of RUNS loads after one warm-up. The aim:
 * 50 runs by 100 tasks painted within 1 s.
 */
const RUNS = 5;
const SIZES: Array<[runs: number, tasks: number]> = [
  [10, 20],
  [50, 100],
];

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
    const { page } = session;
    for (const [runs, tasks] of SIZES) {
      const dagId = `grid_${runs}x${tasks}`;
      const rendered: number[] = [];
      const painted: number[] = [];
      let requests = 0;
      for (let i = 0; i <= RUNS; i++) {
        let count = 0;
        const onRequest = (): void => void count++;
        page.on('request', onRequest);
        await page.goto('about:blank');
        await page.goto(`${session.host.url}/ui/#/dags/${dagId}`);
        await page.waitForFunction(
          () => performance.getEntriesByName('airless:grid-painted').length > 0,
          null,
          {
            timeout: 30_000,
          },
        );
        const marks = await page.evaluate(() => ({
          rendered: performance.getEntriesByName('airless:grid-rendered')[0]!.startTime,
          painted: performance.getEntriesByName('airless:grid-painted')[0]!.startTime,
        }));
        const cells = await page.locator('table.grid td.cell').count();
        page.off('request', onRequest);
        if (cells !== runs * tasks) throw new Error(`grid shows ${cells} cells, not ${runs * tasks}`);
        if (i === 0) continue;
        rendered.push(marks.rendered);
        painted.push(marks.painted);
        requests = count;
      }
      rows.push([
        `${runs} x ${tasks}`,
        String(runs * tasks),
        String(requests),
        median(rendered).toFixed(0),
        median(painted).toFixed(0),
        median(painted) <= 1000 ? 'yes' : 'NO',
      ]);
    }
  } finally {
    await session.close();
  }
  console.log(
    formatTable(
      ['runs x tasks', 'cells', 'requests', 'median ms to DOM', 'median ms to paint', 'within 1 s'],
      rows,
    ),
  );
}
