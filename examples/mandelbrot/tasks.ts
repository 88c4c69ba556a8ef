/**
 * The Mandelbrot tasks: the only code a demo worker may run (its allow-list).
 * Like TaskFlow's wbe_mandelbrot example, the image is cut into bands of rows; each
 * band is computed on a worker, and one task assembles the PNG.
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { Task } from '@tf/core';

export interface ImageSpec {
  width: number;
  height: number;
  maxIterations: number;
  /** The region of the complex plane: [re min, re max, im min, im max]. */
  view: [number, number, number, number];
}

export interface Band {
  y0: number;
  y1: number;
  /** RGB bytes of rows y0..y1, deflated, in base64. */
  rgb: string;
  worker: string;
  ms: number;
}

/** The classic Ultra Fractal gradient, cycled along the smooth escape count. */
const PALETTE: readonly [number, number, number][] = [
  [0, 7, 100],
  [32, 107, 203],
  [237, 255, 255],
  [255, 170, 0],
  [0, 2, 0],
];

function colour(iterations: number, maxIterations: number, zr: number, zi: number): [number, number, number] {
  if (iterations >= maxIterations) return [0, 0, 0];
  const smooth = iterations + 1 - Math.log2(Math.log(Math.sqrt(zr * zr + zi * zi)));
  const position = ((Math.sqrt(Math.max(0, smooth)) * 0.18) % 1) * PALETTE.length;
  const i = Math.floor(position);
  const f = position - i;
  const a = PALETTE[i % PALETTE.length]!;
  const b = PALETTE[(i + 1) % PALETTE.length]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** Computes one band of rows and reports its progress every few rows. */
export class RenderBand extends Task<{ image: ImageSpec; y0: number; y1: number }, Band> {
  static override taskName = 'mandelbrot.RenderBand';
  static override requires = ['image', 'y0', 'y1'];

  override execute({ image, y0, y1 }: { image: ImageSpec; y0: number; y1: number }): Band {
    const started = performance.now();
    const { width, height, maxIterations, view } = image;
    const [reMin, reMax, imMin, imMax] = view;
    const rgb = Buffer.alloc((y1 - y0) * width * 3);
    let offset = 0;
    for (let y = y0; y < y1; y++) {
      const ci = imMax - ((imMax - imMin) * y) / (height - 1);
      for (let x = 0; x < width; x++) {
        const cr = reMin + ((reMax - reMin) * x) / (width - 1);
        let zr = 0;
        let zi = 0;
        let i = 0;
        while (i < maxIterations && zr * zr + zi * zi <= 16) {
          const next = zr * zr - zi * zi + cr;
          zi = 2 * zr * zi + ci;
          zr = next;
          i++;
        }
        const [r, g, b] = colour(i, maxIterations, zr, zi);
        rgb[offset++] = r;
        rgb[offset++] = g;
        rgb[offset++] = b;
      }
      if ((y - y0) % 4 === 3) this.updateProgress((y - y0 + 1) / (y1 - y0), { worker: `${hostname()}:${process.pid}` });
    }
    // Deflated: the assembling request carries every band, and a whole image of raw pixels
    // (6 MB in base64 at the default size) is over a message's size limit.
    return { y0, y1, rgb: deflateSync(rgb).toString('base64'), worker: `${hostname()}:${process.pid}`, ms: performance.now() - started };
  }
}

/** Assembles the bands into a PNG file; returns its path. */
export class AssemblePng extends Task<Record<string, unknown>, string> {
  static override taskName = 'mandelbrot.AssemblePng';
  static override requires = ['image', 'output'];

  override execute(args: Record<string, unknown>): string {
    const image = args.image as ImageSpec;
    const output = args.output as string;
    const png = new PNG({ width: image.width, height: image.height });
    for (const [name, value] of Object.entries(args)) {
      if (!name.startsWith('band')) continue;
      const band = value as Band;
      const rgb = inflateSync(Buffer.from(band.rgb, 'base64'), { maxOutputLength: (band.y1 - band.y0) * image.width * 3 });
      for (let p = 0, q = band.y0 * image.width * 4; p < rgb.length; p += 3, q += 4) {
        png.data[q] = rgb[p]!;
        png.data[q + 1] = rgb[p + 1]!;
        png.data[q + 2] = rgb[p + 2]!;
        png.data[q + 3] = 255;
      }
    }
    writeFileSync(output, PNG.sync.write(png));
    return output;
  }
}
