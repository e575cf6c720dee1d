/**
 * The content width of an element, for SVG plots drawn at their real pixel size.
 *
 * A plot draws at once with the last width seen for its `key` (or a guess), then follows a
 * ResizeObserver. Each update is applied in its own task (setTimeout), so two plots resizing
 * together never redraw in one long main-thread task, and nothing forces a synchronous layout.
 */
const lastWidths = new Map<string, number>();

export class ElementWidth {
  current = $state(0);
  readonly #key: string;

  constructor(key: string, guessPx: number) {
    this.#key = key;
    this.current = lastWidths.get(key) ?? guessPx;
  }

  /** Use as `{@attach width.observe}` on the element to measure. */
  observe = (element: HTMLElement): (() => void) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new ResizeObserver((entries) => {
      const px = Math.round(entries[entries.length - 1].contentRect.width);
      if (px <= 0) return;
      lastWidths.set(this.#key, px);
      clearTimeout(timer);
      if (px !== this.current) timer = setTimeout(() => (this.current = px), 0);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  };
}
