import { toDot, toMermaid } from '@tf/core';
import { toSvg } from '@tf/live-view';
import { loadFlowModule } from './flow-module';

export const RENDER_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** `tf render`: the flow of a module as Mermaid, Graphviz DOT, or SVG (laid out with dagre, no native dependency). */
export async function render(file: string, options: { export?: string; format: RenderFormat }): Promise<string> {
  const flow = await loadFlowModule(file, options.export);
  switch (options.format) {
    case 'mermaid':
      return toMermaid(flow);
    case 'dot':
      return toDot(flow);
    case 'svg':
      return toSvg(flow);
  }
}
