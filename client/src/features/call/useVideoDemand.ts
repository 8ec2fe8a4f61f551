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
    const current = (): VideoDemand => {
      const { width, height } = el.getBoundingClientRect();
      const visible = onScreen && document.visibilityState === 'visible' && height > 0;
      return { spatialLayer: layerForTile(width, height, window.devicePixelRatio), visible };
    };
    const send = () => {
      timer = undefined;
      const demand = current();
      if (sameDemand(sent, demand)) return;
      sent = demand;
      callback.current?.(demand);
    };
    const schedule = () => {
      if (timer === undefined) timer = setTimeout(send, debounceMs);
    };
    const intersection = new IntersectionObserver((entries) => {
      onScreen = entries.some((e) => e.isIntersecting);
      schedule();
    });
    const resize = new ResizeObserver(schedule);
    intersection.observe(el);
    resize.observe(el);
    document.addEventListener('visibilitychange', schedule);
    send();
    return () => {
      if (timer !== undefined) clearTimeout(timer);
      intersection.disconnect();
      resize.disconnect();
      document.removeEventListener('visibilitychange', schedule);
    };
  }, [ref, enabled, debounceMs]);
}
