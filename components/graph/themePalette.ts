/** The graph's colours, re-read from the CSS variables whenever the theme attribute flips. */
import { readPalette, type Palette } from './drawGraph';

export class ThemePalette {
  palette: Palette;
  changes = 0;
  private readonly observer: MutationObserver;

  constructor(el: Element) {
    this.palette = readPalette(el);
    this.observer = new MutationObserver(() => {
      this.palette = readPalette(el);
      this.changes++;
    });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  destroy(): void {
    this.observer.disconnect();
  }
}
