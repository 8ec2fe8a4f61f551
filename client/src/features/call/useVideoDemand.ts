import { useEffect, useRef, type RefObject } from 'react';
import { layerForTile, sameDemand, type VideoDemand } from '../../media/adaptive-stream';

/**
 * Tells `onDemand` what a remote video's tile needs (adaptive stream): the layer for its size
 * on this screen, and whether it is seen at all (on screen, in a visible tab). Changes are
 * debounced so scrolling or resizing the window sends one request, not dozens; the first
 * demand goes at once so the first frames already come in the right size.
 */
export function useVideoDemand(
  ref: RefObject<HTMLElement | null>,
  onDemand: ((demand: VideoDemand) => void) | undefined,
  debounceMs = 300,
): void {
  const callback = useRef(onDemand);
  callback.current = onDemand;
  const enabled = onDemand !== undefined;
  useEffect(() => {
    const el = ref.current;
    if (!el || !enabled) return;
    let onScreen = true;
    let sent: VideoDemand | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The tile's size as the observers report it: reading it from the element here
    // (getBoundingClientRect) would force a layout in the middle of the call view's render.
    let size: { width: number; height: number } | undefined;
    const send = () => {
      timer = undefined;
      // Not measured yet: the first observer report sends.
      if (!size) return;
      const { width, height } = size;
      const visible = onScreen && document.visibilityState === 'visible' && height > 0;
      const demand = {
        spatialLayer: layerForTile(width, height, window.devicePixelRatio),
        visible,
      };
      if (sameDemand(sent, demand)) return;
      sent = demand;
      callback.current?.(demand);
    };
    const schedule = () => {
      if (timer === undefined) timer = setTimeout(send, debounceMs);
    };
    const intersection = new IntersectionObserver((entries) => {
      onScreen = entries.some((e) => e.isIntersecting);
      // A tile of no size gets no first resize report; this one always comes.
      const last = entries[entries.length - 1];
      if (!size && last) {
        size = { width: last.boundingClientRect.width, height: last.boundingClientRect.height };
        send();
      } else schedule();
    });
    const resize = new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      if (!entry) return;
      const box = entry.borderBoxSize?.[0];
      const first = size === undefined;
      size = box
        ? { width: box.inlineSize, height: box.blockSize }
        : { width: entry.contentRect.width, height: entry.contentRect.height };
      // The first measurement goes at once (after layout, before the frame is painted).
      if (first) send();
      else schedule();
    });
    intersection.observe(el);
    resize.observe(el);
    document.addEventListener('visibilitychange', schedule);
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      intersection.disconnect();
      resize.disconnect();
      document.removeEventListener('visibilitychange', schedule);
    };
  }, [ref, enabled, debounceMs]);
}
