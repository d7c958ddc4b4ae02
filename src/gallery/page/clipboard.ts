/** "Copy image", done in the page with the async Clipboard API. */

function canvasToPng(source: CanvasImageSource, width: number, height: number): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(new Error('no 2d context'));
  ctx.drawImage(source, 0, 0);
  return new Promise((resolve, reject) => {
    // toBlob throws on a tainted canvas; the Promise constructor turns that into a rejection.
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('toBlob failed'))), 'image/png');
  });
}

async function loadedImage(src: string, shown?: HTMLImageElement): Promise<HTMLImageElement> {
  if (shown && shown.complete && shown.naturalWidth > 0) return shown;
  const img = new Image();
  img.src = src;
  await img.decode();
  return img;
}

/**
 * The image as a PNG blob: the original bytes when they are PNG, otherwise re-encoded through a
 * canvas. If fetching is not allowed (the page's CSP may have no connect-src), the image already
 * shown on the page is drawn instead.
 */
export async function imageAsPng(src: string, shown?: HTMLImageElement): Promise<Blob> {
  let blob: Blob | undefined;
  try {
    const response = await fetch(src);
    if (response.ok) blob = await response.blob();
  } catch {
    blob = undefined;
  }
  if (blob && blob.type === 'image/png') return blob;
  if (blob && blob.type.startsWith('image/')) {
    try {
      const bitmap = await createImageBitmap(blob);
      try {
        return await canvasToPng(bitmap, bitmap.width, bitmap.height);
      } finally {
        bitmap.close();
      }
    } catch {
      // fall through to the shown image
    }
  }
  const img = await loadedImage(src, shown);
  return canvasToPng(img, img.naturalWidth, img.naturalHeight);
}

/** Writes the image to the clipboard as PNG; rejects when the platform refuses. */
export async function copyImageToClipboard(src: string, shown?: HTMLImageElement): Promise<void> {
  if (typeof ClipboardItem === 'undefined' || !navigator.clipboard?.write) throw new Error('clipboard unavailable');
  // The blob is passed as a promise so the write starts inside the click's user activation.
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': imageAsPng(src, shown) })]);
}
