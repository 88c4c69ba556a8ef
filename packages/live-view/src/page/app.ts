/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/**
 * The live view's script (bundled with dagre at build time, served as /app.js). Lays the graph
 * out once, draws it once, then applies batches of changes from /events: per changed atom, a
 * class and a bar width on its element, at most once per animation frame.
 */
import type { AtomView } from '../atom-view';
import type { FlowGraph } from '../graph-model';
import { layoutGraph } from '../layout';
import type { ViewUpdate } from '../source';
import { graphSvg } from '../svg';
import { el, failureElement, whereAndHowLong } from './format';
import { type Area, type PanZoom, panZoom } from './pan-zoom';

interface Drawn {
  readonly element: SVGGElement;
  readonly bar: SVGRectElement | null;
  readonly kind: string;
  readonly width: number;
  readonly x: number;
  readonly y: number;
}

const LIST_LIMIT = 100;
const FAILED_STATES = new Set(['FAILURE', 'REVERT_FAILURE']);
const FINAL_FLOW_STATES = new Set(['SUCCESS', 'FAILURE', 'REVERTED', 'SUSPENDED']);

const $ = (id: string) => document.getElementById(id)!;
const views = new Map<string, AtomView>();
const drawn = new Map<string, Drawn>();
const dirty = new Set<string>();
/** Atoms whose element is behind their state because they were out of view (large graphs). */
const stale = new Set<string>();
/** How far out of view (graph units) an element is still kept up to date. */
const VIEW_MARGIN = 200;
let viewport: PanZoom | undefined;
let culling = false;
/** Out-of-view elements of a large graph are hidden (`display: none`): style and paint skip them. */
const hidden = new Set<string>();
let viewMoved = false;
const running = new Set<string>();
const failed = new Set<string>();
const counts = new Map<string, number>();
let clockOffset = 0;
let flowState = '';
let selected: string | undefined;
let frame = 0;
let failuresChanged = true;

const serverNow = () => Date.now() + clockOffset;

function draw(graph: FlowGraph): void {
  $('flow-name').textContent = graph.name;
  document.title = `tf · ${graph.name}`;
  const placed = layoutGraph(graph);
  const container = $('graph');
  container.innerHTML = graphSvg(graph, placed);
  const svg = container.querySelector('svg')!;
  if (graph.nodes.length > 400) {
    svg.setAttribute('shape-rendering', 'optimizeSpeed');
    svg.setAttribute('text-rendering', 'optimizeSpeed');
  }
  const byId = new Map<number, SVGGElement>();
  for (const g of svg.querySelectorAll<SVGGElement>('g.n')) byId.set(Number(g.dataset.id), g);
  graph.nodes.forEach((node, i) => {
    const element = byId.get(node.id);
    if (!element) return;
    const at = placed.nodes[i]!;
    element.dataset.atom = node.name;
    drawn.set(node.name, { element, bar: element.querySelector('rect.bar'), kind: node.kind, width: at.width, x: at.x, y: at.y });
    counts.set('PENDING', (counts.get('PENDING') ?? 0) + 1);
  });
  // A large graph shows a part of itself: only the elements in view follow each change (a
  // class change restyles its element; thousands per batch would cost the browser more than
  // the engine), the others catch up when panned or zoomed into view.
  culling = graph.nodes.length > 400;
  const pz = panZoom(container, svg, placed.width, placed.height, () => {
    if (!culling) return;
    viewMoved = true;
    schedule();
  });
  viewport = pz;
  pz.fit();
  $('fit').addEventListener('click', () => pz.fit());
  svg.addEventListener('click', (event) => {
    const target = (event.target as Element).closest<SVGGElement>('g.n');
    if (target?.dataset.atom !== undefined) select(target.dataset.atom);
  });
}

function select(name: string): void {
  const previous = selected;
  selected = name;
  if (previous !== undefined) dirty.add(previous);
  dirty.add(name);
  schedule();
}

function apply(update: ViewUpdate): void {
  clockOffset = update.now - Date.now();
  flowState = update.flow.state;
  for (const [name, view] of Object.entries(update.atoms)) {
    const before = views.get(name)?.state ?? (drawn.has(name) ? 'PENDING' : undefined);
    if (before !== undefined) counts.set(before, (counts.get(before) ?? 1) - 1);
    counts.set(view.state, (counts.get(view.state) ?? 0) + 1);
    views.set(name, view);
    dirty.add(name);
  }
  schedule();
}

function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

/** In view (culling large graphs), read once per frame: a layout read between writes would force a restyle each time. */
function inView(area: Area | undefined, node: Drawn): boolean {
  return area === undefined || (node.x >= area.left && node.x <= area.right && node.y >= area.top && node.y <= area.bottom);
}

function paintAtom(name: string, area: Area | undefined): void {
  const view = views.get(name);
  const state = view?.state ?? 'PENDING';
  if (state === 'RUNNING' || state === 'REVERTING') running.add(name);
  else running.delete(name);
  const isFailed = FAILED_STATES.has(state) || (state !== 'PENDING' && view?.failure !== undefined && state !== 'SUCCESS');
  if (isFailed || failed.has(name)) failuresChanged = true;
  if (isFailed) failed.add(name);
  else failed.delete(name);
  const node = drawn.get(name);
  if (!node) return;
  if (name !== selected && !inView(area, node)) {
    stale.add(name);
    return;
  }
  stale.delete(name);
  // A failed atom keeps a red outline while it reverts (its state moves on, its failure stays).
  node.element.setAttribute('class', `n ${node.kind} s-${state}${isFailed ? ' failed' : ''}${name === selected ? ' sel' : ''}`);
  const progress = state === 'RUNNING' ? Math.min(1, Math.max(0, view?.progress ?? 0)) : 0;
  node.bar?.setAttribute('width', String(Math.round((node.width - 2) * progress)));
}

/** After a pan or zoom: hides what left the view, shows what entered it (and brings it up to date). */
function followView(area: Area): void {
  viewMoved = false;
  for (const [name, node] of drawn) {
    const visible = name === selected || inView(area, node);
    if (visible === !hidden.has(name)) continue;
    if (visible) {
      hidden.delete(name);
      node.element.style.removeProperty('display');
      if (stale.has(name)) dirty.add(name);
    } else {
      hidden.add(name);
      node.element.style.display = 'none';
    }
  }
}

function render(): void {
  frame = 0;
  const area = culling ? viewport?.area(VIEW_MARGIN) : undefined;
  if (area && viewMoved) followView(area);
  for (const name of dirty) paintAtom(name, area);
  dirty.clear();
  renderPanels();
}

function renderPanels(): void {
  const now = serverNow();
  $('flow-state').textContent = flowState;
  const summary = [...counts].filter(([, n]) => n > 0).map(([state, n]) => `${state.toLowerCase()} ${n}`);
  $('counts').textContent = summary.join(' · ');
  $('running-count').textContent = String(running.size);
  const list = $('running');
  list.replaceChildren();
  let shown = 0;
  for (const name of running) {
    if (shown++ >= LIST_LIMIT) break;
    const view = views.get(name)!;
    const item = el('li');
    item.dataset.atom = name;
    item.append(el('div', name), el('div', whereAndHowLong(view, now), 'muted'));
    const meter = el('div', undefined, 'meter');
    const fill = el('div');
    fill.style.width = `${Math.round((view.progress ?? 0) * 100)}%`;
    meter.append(fill);
    item.append(meter);
    list.append(item);
  }
  if (failuresChanged) {
    failuresChanged = false;
    $('failed-count').textContent = String(failed.size);
    const failures = $('failures');
    failures.replaceChildren();
    let count = 0;
    for (const name of failed) {
      if (count++ >= LIST_LIMIT) break;
      const view = views.get(name)!;
      const item = el('li');
      item.dataset.atom = name;
      item.append(el('div', `${name} · ${view.state.toLowerCase()}`), el('div', whereAndHowLong(view, now), 'muted'));
      if (view.failure) item.append(failureElement(view.failure));
      failures.append(item);
    }
  }
  renderSelected(now);
}

function renderSelected(now: number): void {
  if (selected === undefined) return;
  const view = views.get(selected) ?? { state: 'PENDING' };
  const box = $('selected');
  box.className = '';
  box.replaceChildren(el('div', selected), el('div', view.state), el('div', whereAndHowLong(view, now), 'muted'));
  if (view.progress !== undefined && view.state === 'RUNNING') box.append(el('div', `progress ${Math.round(view.progress * 100)}%`));
  if (view.failure) box.append(failureElement(view.failure));
}

function connect(): void {
  const source = new EventSource('events');
  const conn = $('conn');
  const onMessage = (event: MessageEvent<string>) => {
    const update = JSON.parse(event.data) as ViewUpdate;
    apply(update);
    conn.textContent = update.final ? 'stored flow' : FINAL_FLOW_STATES.has(update.flow.state) ? 'finished' : 'live';
    if (update.final) source.close();
  };
  source.addEventListener('snapshot', onMessage);
  source.addEventListener('update', onMessage);
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED)
      conn.textContent = FINAL_FLOW_STATES.has(flowState) ? 'finished (server gone)' : 'reconnecting…';
  };
}

async function main(): Promise<void> {
  const response = await fetch('graph.json');
  if (!response.ok) throw new Error(`graph.json: ${response.status}`);
  draw((await response.json()) as FlowGraph);
  connect();
  // Running durations move on between updates.
  setInterval(() => {
    if (running.size > 0 || selected !== undefined) renderPanels();
  }, 1_000);
}

main().catch((error: unknown) => {
  $('conn').textContent = `error: ${error instanceof Error ? error.message : String(error)}`;
});
