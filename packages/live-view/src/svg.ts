import type { FlowGraph } from './graph-model';
import { type GraphLayout, shortLabel } from './layout';

/** As many characters as fit a box of `width` px. */
function labelFor(name: string, width: number): string {
  return shortLabel(name, Math.max(4, Math.floor((width - 16) / 7)));
}

/** Text for an SVG text node or attribute value. */
export function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Colours by atom state; the page and a stand-alone SVG share them. */
export const SVG_STYLE = `
.n .box{fill:#f4f5f7;stroke:#8a94a6;stroke-width:1}
.n text{font:12px system-ui,sans-serif;fill:#1d2330;text-anchor:middle;pointer-events:none}
.n .bar{fill:#2f6fdf}
.n.retry .box{stroke-dasharray:4 2}
.j{fill:#8a94a6}
.e{fill:none;stroke:#b5bccb;stroke-width:1.2}
.e.retry{stroke-dasharray:2 3}
.e.link{stroke:#6b7489}
.s-RUNNING .box{fill:#dbe8ff;stroke:#2f6fdf;stroke-width:2}
.s-SUCCESS .box{fill:#d9f2df;stroke:#2e9d4f}
.s-FAILURE .box{fill:#fbdcdc;stroke:#d33a3a;stroke-width:2}
.s-REVERTING .box{fill:#ffe9cc;stroke:#e08a00;stroke-width:2}
.s-REVERTED .box{fill:#ece3f7;stroke:#7d56b3}
.s-REVERT_FAILURE .box{fill:#f3c4c4;stroke:#8f1d1d;stroke-width:2}
.s-RETRYING .box{fill:#fff6c7;stroke:#c9a300}
.s-IGNORE .box{fill:#fafafa;stroke:#d0d4dc}
.s-IGNORE text{fill:#9aa1ae}
.n.failed .box{stroke:#d33a3a;stroke-width:2.5}
`;

function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join('');
}

/**
 * The SVG markup of a laid-out graph: one `<g class="n task s-PENDING" data-id>` per atom (a
 * box, a progress bar, its name), a dot per join, a path per edge. `standalone` adds the XML
 * namespace and the colours, for a file.
 */
export function graphSvg(graph: FlowGraph, placed: GraphLayout, standalone = false): string {
  const out: string[] = [];
  const { width, height } = placed;
  out.push(
    `<svg${standalone ? ' xmlns="http://www.w3.org/2000/svg"' : ''} class="flow" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
  );
  if (standalone) out.push(`<title>${xmlText(graph.name)}</title><style>${SVG_STYLE}</style>`);
  out.push('<g class="edges">');
  graph.edges.forEach((edge, i) => {
    const points = placed.edges[i]?.points ?? [];
    if (points.length > 0) out.push(`<path class="e ${edge.kind}" d="${pathOf(points)}"/>`);
  });
  out.push('</g><g class="nodes">');
  graph.nodes.forEach((node, i) => {
    const at = placed.nodes[i]!;
    if (at.width === 0) return; // not drawn (the compact layout's joins)
    if (node.kind === 'join') {
      out.push(`<circle class="j" cx="${at.x}" cy="${at.y}" r="${at.width / 2}"><title>${xmlText(node.name)}</title></circle>`);
      return;
    }
    const left = (at.x - at.width / 2).toFixed(1);
    const top = (at.y - at.height / 2).toFixed(1);
    out.push(
      `<g class="n ${node.kind} s-PENDING" data-id="${node.id}" transform="translate(${left},${top})">` +
        `<rect class="box" width="${at.width}" height="${at.height}" rx="5"/>` +
        `<rect class="bar" x="1" y="${at.height - 5}" height="4" width="0"/>` +
        `<text x="${at.width / 2}" y="${at.height / 2 + 4}">${xmlText(labelFor(node.name, at.width))}</text>` +
        `<title>${xmlText(node.name)}</title></g>`,
    );
  });
  out.push('</g></svg>');
  return out.join('');
}
