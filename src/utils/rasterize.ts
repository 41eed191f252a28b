/**
 * SVG to PNG for the plots (plotModel, plotHistory), with @resvg/resvg-js: a Rust SVG renderer whose
 * prebuilt binaries come as npm packages (no download or compiler at install time). It is loaded
 * only when a PNG is asked for.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname } from "node:path";

export interface RasterizeOptions {
  /** Width of the PNG in pixels; the height keeps the aspect ratio. Default: the SVG's own size. */
  width?: number;
  /** Who asked, for error messages ("plotModel"). */
  caller?: string;
}

type ResvgModule = typeof import("@resvg/resvg-js");
let resvgModule: Promise<ResvgModule> | null = null;
let fontsChecked = false;

async function loadResvg(caller: string): Promise<ResvgModule> {
  resvgModule ??= import("@resvg/resvg-js");
  try {
    return await resvgModule;
  } catch (e) {
    resvgModule = null;
    throw new Error(
      `${caller}: writing PNG needs the npm package @resvg/resvg-js, which could not be loaded (${(e as Error).message}). Install it (npm install @resvg/resvg-js) or write .svg instead.`,
    );
  }
}

/** Renders a probe text once: without any system font resvg silently draws no text at all. */
function checkFonts(mod: ResvgModule, caller: string): void {
  if (fontsChecked) return;
  const probe =
    '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="60" height="20" fill="white"/>' +
    '<text x="2" y="16" font-size="16" font-family="sans-serif">Ag</text></svg>';
  const img = new mod.Resvg(probe, { font: { loadSystemFonts: true } }).render();
  const px = img.pixels;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 128) ink++;
  if (ink === 0) {
    throw new Error(
      `${caller}: no system font was found to draw the PNG's text. Install one (e.g. apt-get install fonts-dejavu-core) or write .svg instead.`,
    );
  }
  fontsChecked = true;
}

/** The PNG bytes of an SVG document. */
export async function svgToPng(svg: string, options: RasterizeOptions = {}): Promise<Uint8Array> {
  const caller = options.caller ?? "svgToPng";
  const mod = await loadResvg(caller);
  checkFonts(mod, caller);
  const fitTo =
    options.width !== undefined ? { mode: "width" as const, value: Math.max(1, Math.round(options.width)) } : undefined;
  const img = new mod.Resvg(svg, { fitTo, font: { loadSystemFonts: true }, background: "white" }).render();
  return new Uint8Array(img.asPng());
}

/** The file's extension without the dot, lower case ("png" when it has none, as Keras assumes). */
export function plotFormat(toFile: string): string {
  const ext = extname(toFile).toLowerCase();
  return ext === "" ? "png" : ext.slice(1);
}

/** Writes text or bytes, creating the folder if needed; errors name the caller and the path. */
export function writeOutput(toFile: string, data: string | Uint8Array, caller: string): void {
  try {
    mkdirSync(dirname(toFile), { recursive: true });
    writeFileSync(toFile, data);
  } catch (e) {
    throw new Error(`${caller}: could not write '${toFile}': ${(e as Error).message}`);
  }
}
