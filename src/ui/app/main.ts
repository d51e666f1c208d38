import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { DagsPage } from './pages/dags.ts';
import { DagPage } from './pages/dag.ts';
import { parseRoute } from './routes.ts';

function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return html`
    <header class="top">
      <a class="brand" href="#/">airless</a>
      <nav><a href="#/">DAGs</a></nav>
    </header>
    <main>
      ${route.dag ? html`<${DagPage} dag=${route.dag} tab=${route.tab} run=${route.run} task=${route.task} />` : html`<${DagsPage} />`}
    </main>
  `;
}

const root = document.getElementById('app');
if (root) render(html`<${App} />`, root);
