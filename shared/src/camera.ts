/*
 * The camera as the client sends it: the size it asks the device for, and the simulcast
 * layers it encodes from that. One table, because four parties read it: the client's
 * encodings, its adaptive stream (which layer a tile needs), the SFU's downlink policy (it
 * reads each layer's cap back from the producer to fit layers under a ceiling) and the tests
 * that assert no layer above what a link carries is sent.
 */

/** What the client asks the camera for (as `ideal`: a device may give less). */
export const CAMERA_CAPTURE = { width: 1280, height: 720 } as const;

export interface CameraLayer {
  /** The encoding's RTP stream id. */
  rid: string;
  /** The layer's size as a divisor of the captured size. */
  scaleResolutionDownBy: number;
  /** The encoder's cap for this layer (bit/s). */
  maxBitrate: number;
}

/** The camera's simulcast layers, smallest first: receivers on poor links get the lowest. */
export const CAMERA_LAYERS: readonly [CameraLayer, CameraLayer, CameraLayer] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/**
 * A layer's frame height from a camera that gives what was asked for (180, 360 and 720). A
 * receiver does not know the sender's camera, so for it these are nominal.
 */
export function cameraLayerHeight(layer: CameraLayer): number {
  return CAMERA_CAPTURE.height / layer.scaleResolutionDownBy;
}
