import { describe, expect, it } from 'vitest';
import { packRgba, PixelBuffer } from './rasterDiscs';

const lit = (b: PixelBuffer) => b.pixels.reduce((n, p) => n + (p ? 1 : 0), 0);

describe('PixelBuffer', () => {
  it('packs RGBA in ImageData byte order (little-endian)', () => {
    const c = packRgba(0x11, 0x22, 0x33, 1);
    const bytes = new Uint8Array(new Uint32Array([c]).buffer);
    expect([...bytes]).toEqual([0x11, 0x22, 0x33, 0xff]);
  });

  it('a disc covers about πr² pixels, centred where asked', () => {
    const b = new PixelBuffer();
    b.resize(100, 100);
    b.disc(50, 50, 10, 0xffffffff);
    expect(Math.abs(lit(b) - Math.PI * 100)).toBeLessThan(20);
    expect(b.pixels[50 * 100 + 50]).toBe(0xffffffff);
    expect(b.pixels[50 * 100 + 62]).toBe(0); // outside the radius
    expect(b.pixels[38 * 100 + 50]).toBe(0);
  });

  it('a node smaller than a pixel is still one pixel', () => {
    const b = new PixelBuffer();
    b.resize(10, 10);
    b.disc(3.2, 4.7, 0.2, 7);
    expect(lit(b)).toBe(1);
    expect(b.pixels[4 * 10 + 3]).toBe(7);
  });

  it('clips at the edges and ignores discs wholly outside', () => {
    const b = new PixelBuffer();
    b.resize(20, 20);
    b.disc(0, 0, 5, 1);
    b.disc(-50, 10, 5, 1);
    b.disc(10, 500, 5, 1);
    b.square(19, 19, 3, 2);
    expect(lit(b)).toBeGreaterThan(10);
    expect(lit(b)).toBeLessThan(40);
    expect(b.pixels.length).toBe(400);
  });

  it('clear() empties it and resize() to the same size keeps the buffer', () => {
    const b = new PixelBuffer();
    b.resize(10, 10);
    const pixels = b.pixels;
    b.square(5, 5, 2, 9);
    b.resize(10, 10);
    expect(b.pixels).toBe(pixels);
    b.clear();
    expect(lit(b)).toBe(0);
  });

  it('written() is the box of every pixel drawn since the last clear, and clear() zeroes all of them', () => {
    const b = new PixelBuffer();
    b.resize(100, 60);
    expect(b.written()).toBeNull();
    b.disc(20, 10, 3, 5);
    b.disc(70, 40, 30, 6); // wide rows (filled with fill()) and clipped at the bottom
    b.square(90, 5, 2, 7);
    b.disc(50, 30, 0.3, 8); // a single pixel
    // Exactly the tight box of the lit pixels: nothing drawn outside it, no slack inside.
    let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
    b.pixels.forEach((p, i) => {
      if (!p) return;
      [x0, y0, x1, y1] = [Math.min(x0, i % 100), Math.min(y0, Math.floor(i / 100)), Math.max(x1, i % 100), Math.max(y1, Math.floor(i / 100))];
    });
    expect(b.written()).toEqual({ x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 });
    expect(y1).toBe(59); // clipped at the bottom edge
    b.clear();
    expect(lit(b)).toBe(0);
    expect(b.written()).toBeNull();
    b.disc(5, 5, 1, 9);
    expect(b.written()).toEqual({ x: 4, y: 4, w: 2, h: 2 });
  });
});
