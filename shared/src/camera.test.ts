import { describe, expect, it } from 'vitest';
import { CAMERA_CAPTURE, CAMERA_LAYERS, cameraLayerHeight } from './camera.js';

describe('camera layers', () => {
  // The SFU fits the largest layer under a ceiling by walking down from the top
  // (server/src/sfu/downlink-policy.ts, `layerForCeiling`): smallest first, in size and cap.
  it('are ordered smallest first, in frame size and in bitrate', () => {
    const heights = CAMERA_LAYERS.map(cameraLayerHeight);
    expect(heights).toEqual([180, 360, 720]);
    for (let i = 1; i < CAMERA_LAYERS.length; i++) {
      expect(CAMERA_LAYERS[i]!.maxBitrate).toBeGreaterThan(CAMERA_LAYERS[i - 1]!.maxBitrate);
    }
    expect(new Set(CAMERA_LAYERS.map((l) => l.rid)).size).toBe(CAMERA_LAYERS.length);
  });

  it('top out at the size asked of the camera', () => {
    expect(cameraLayerHeight(CAMERA_LAYERS[2])).toBe(CAMERA_CAPTURE.height);
  });
});
