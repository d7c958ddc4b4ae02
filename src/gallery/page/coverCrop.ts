/** Geometry of a drawn thumbnail (thumbCanvas.ts). Pure (no DOM). */

/** The part of a `width`×`height` picture that covers a box of `boxWidth`×`boxHeight`, centred (object-fit: cover). */
export function coverCrop(width: number, height: number, boxWidth: number, boxHeight: number): { x: number; y: number; w: number; h: number } {
  const scale = Math.max(boxWidth / width, boxHeight / height);
  const w = Math.min(width, boxWidth / scale);
  const h = Math.min(height, boxHeight / scale);
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}
