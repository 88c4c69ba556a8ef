/// <reference lib="dom" />

export interface Area {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface PanZoom {
  fit(): void;
  focus(x: number, y: number): void;
  /** The part of the graph in view (graph units), widened by `margin` on each side. */
  area(margin: number): Area;
}

/** Wheel zoom and drag pan over an SVG by its viewBox: no re-render of the graph. */
export function panZoom(
  container: HTMLElement,
  svg: SVGSVGElement,
  width: number,
  height: number,
  onChange: () => void = () => undefined,
): PanZoom {
  let box = { x: 0, y: 0, w: width, h: height };
  const apply = () => {
    svg.setAttribute('viewBox', `${box.x} ${box.y} ${box.w} ${box.h}`);
    onChange();
  };
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMin meet');
  const fit = () => {
    // Starts readable: a large graph shows its top left at about its own size (zoom out with
    // the wheel), not thousands of specks; the browser then paints only what is in view.
    const aspect = container.clientWidth / Math.max(1, container.clientHeight);
    const w = Math.min(width, Math.max(container.clientWidth * 1.5, 600));
    box = { x: 0, y: 0, w, h: w / aspect };
    apply();
  };
  container.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      const rect = container.getBoundingClientRect();
      const fx = (event.clientX - rect.left) / rect.width;
      const fy = (event.clientY - rect.top) / rect.height;
      const scale = Math.exp(event.deltaY * 0.0015);
      const w = Math.min(Math.max(box.w * scale, 50), Math.max(width, height) * 4);
      const h = (w / box.w) * box.h;
      box = { x: box.x + (box.w - w) * fx, y: box.y + (box.h - h) * fy, w, h };
      apply();
    },
    { passive: false },
  );
  let drag: { x: number; y: number } | undefined;
  container.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX, y: event.clientY };
  });
  window.addEventListener('pointerup', () => {
    drag = undefined;
  });
  window.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const rect = container.getBoundingClientRect();
    box.x -= ((event.clientX - drag.x) / rect.width) * box.w;
    box.y -= ((event.clientY - drag.y) / rect.height) * box.h;
    drag = { x: event.clientX, y: event.clientY };
    apply();
  });
  return {
    fit,
    area(margin) {
      // The viewBox is fitted into the container keeping its aspect (meet): the shown area is at
      // least the box, wider or taller by the container's other proportion.
      const aspect = container.clientWidth / Math.max(1, container.clientHeight);
      const w = Math.max(box.w, box.h * aspect);
      const h = Math.max(box.h, box.w / aspect);
      const left = box.x - (w - box.w) / 2;
      return { left: left - margin, top: box.y - margin, right: left + w + margin, bottom: box.y + h + margin };
    },
    focus(x, y) {
      box = { ...box, x: x - box.w / 2, y: y - box.h / 2 };
      apply();
    },
  };
}
