/**
 * QR codes of SMART Health Cards, drawn in the browser. Loaded with `import()` only, so the
 * QR library stays out of the citizen portal's first download.
 */
import { toDataURL, toString as toSvgString, type QRCodeSegment } from 'qrcode';

/**
 * The spec's encoding: `shc:/` as a byte segment, then the digits as a numeric segment
 * (about 40% smaller than all bytes, so the code stays scannable), error correction L.
 */
export function segmentsOf(shc: string): QRCodeSegment[] {
  const digits = shc.slice('shc:/'.length);
  return [
    { data: new TextEncoder().encode('shc:/'), mode: 'byte' },
    { data: digits, mode: 'numeric' },
  ];
}

export function qrSvg(shc: string): Promise<string> {
  return toSvgString(segmentsOf(shc), { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
}

export function qrPng(shc: string): Promise<string> {
  return toDataURL(segmentsOf(shc), { type: 'image/png', errorCorrectionLevel: 'L', margin: 2, width: 600 });
}
