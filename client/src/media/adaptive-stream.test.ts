import { describe, expect, it } from 'vitest';
import { layerForTile, sameDemand } from './adaptive-stream';

describe('adaptive stream', () => {
  it('picks the smallest layer that covers the tile', () => {
    expect(layerForTile(160, 90)).toBe(0);
    expect(layerForTile(320, 180)).toBe(0);
    expect(layerForTile(480, 270)).toBe(1);
    expect(layerForTile(640, 360)).toBe(1);
    expect(layerForTile(1280, 720)).toBe(2);
    // A 2x screen needs twice the pixels; a 3x screen no more than 2x.
    expect(layerForTile(320, 180, 2)).toBe(1);
    expect(layerForTile(320, 180, 3)).toBe(1);
    // A tall narrow tile is bound by its height.
    expect(layerForTile(200, 600)).toBe(2);
  });

  it('compares demands', () => {
    expect(sameDemand(undefined, { spatialLayer: 0, visible: true })).toBe(false);
    expect(sameDemand({ spatialLayer: 1, visible: true }, { spatialLayer: 1, visible: true })).toBe(
      true,
    );
    expect(
      sameDemand({ spatialLayer: 1, visible: true }, { spatialLayer: 1, visible: false }),
    ).toBe(false);
  });
});
