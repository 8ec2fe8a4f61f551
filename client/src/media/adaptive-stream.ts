/*
 * Adaptive stream (as in LiveKit's client): each remote video asks the SFU for what its tile
 * can show. A tile a few hundred pixels high needs the middle simulcast layer, a thumbnail
 * the smallest, and a tile that is off screen or in a hidden tab needs nothing at all.
 */
import { CAMERA_LAYERS, cameraLayerHeight } from '@samkons/shared';

/** What a tile needs of one remote video. */
export interface VideoDemand {
  /** 0: smallest simulcast layer (a quarter of the camera's size), 2: full size. */
  spatialLayer: 0 | 1 | 2;
  visible: boolean;
}

/** Nominal frame heights of the camera's layers (180, 360 and 720), smallest first. */
const LAYER_HEIGHTS = CAMERA_LAYERS.map(cameraLayerHeight);

/**
 * The smallest layer whose frames cover the tile at the screen's density (capped at 2: a
 * phone's 3x screen does not need 3x the pixels of a small tile).
 */
export function layerForTile(width: number, height: number, devicePixelRatio = 1): 0 | 1 | 2 {
  const density = Math.min(2, Math.max(1, devicePixelRatio));
  // A 16:9 frame letterboxed in the tile: whichever side binds.
  const needed = Math.max(height, (width * 9) / 16) * density;
  for (const [layer, frameHeight] of LAYER_HEIGHTS.entries()) {
    // A layer a little smaller than the tile still looks fine (scaled up by at most 1/0.8).
    if (frameHeight >= needed * 0.8) return layer as 0 | 1 | 2;
  }
  return 2;
}

export function sameDemand(a: VideoDemand | undefined, b: VideoDemand): boolean {
  return a?.spatialLayer === b.spatialLayer && a.visible === b.visible;
}
