/// <reference lib="dom" />
import type { AtomView, FailureView } from '../atom-view';

/** `1.2 s`, `340 ms`, `3 min 4 s`. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** An element with text (never HTML: names and errors come from the flow and its workers). */
export function el(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** A failure and its causes, nested. */
export function failureElement(failure: FailureView): HTMLElement {
  const box = el('div');
  box.append(el('div', `${failure.types[0] ?? 'Error'}: ${failure.message}`, 'err'));
  for (const cause of failure.causes) {
    const nested = failureElement(cause);
    nested.className = 'cause';
    nested.prepend(el('div', 'caused by', 'muted'));
    box.append(nested);
  }
  return box;
}

/** Where and for how long: `worker w-1 (topic t) · 1.2 s · attempt 2`. */
export function whereAndHowLong(view: AtomView, now: number): string {
  const parts: string[] = [];
  if (view.worker !== undefined) parts.push(`worker ${view.worker}${view.topic ? ` (topic ${view.topic})` : ''}`);
  else if (view.request === 'PENDING') parts.push(`queued on topic ${view.topic ?? '?'}`);
  else if (view.request === 'WAITING') parts.push('waiting for a worker');
  if (view.startedAt !== undefined) parts.push(duration((view.finishedAt ?? now) - view.startedAt));
  if (view.attempt !== undefined && view.attempt > 1) parts.push(`attempt ${view.attempt}`);
  return parts.join(' · ');
}
