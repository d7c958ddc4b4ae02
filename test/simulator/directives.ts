/** The `[sim:…]` prompt directives: how a prompt asks the simulator for a failure or an odd answer. */
import type { SimDirectives } from './types';

/** One line per directive, for the CLI's help. */
export const DIRECTIVES: readonly string[] = [
  '[sim:fail]          task ends "failed" (content policy violation)',
  '[sim:text]          task succeeds with a text answer instead of an image',
  '[sim:single]        result is a single object instead of an array',
  '[sim:two]           two images',
  '[sim:data]          image given as a data:image/png;base64 URI',
  '[sim:bad-url]       image URL answers 404',
  '[sim:not-image]     image URL serves text/html (status 200)',
  '[sim:huge]          image URL serves an ~8 MiB PNG',
  '[sim:slow-image]    image URL trickles the PNG over ~3 s',
  '[sim:notfound=N]    first N queries answer 404 task not found',
  '[sim:status500=N]   next N queries answer 500',
  '[sim:duration=MS]   this task takes MS milliseconds',
];

/** Parses every `[sim:name]` / `[sim:name=N]` in a prompt (case-insensitive). */
export function parseDirectives(prompt: string): SimDirectives {
  const d: SimDirectives = {
    fail: false,
    text: false,
    single: false,
    two: false,
    data: false,
    badUrl: false,
    notImage: false,
    huge: false,
    slowImage: false,
    notFound: 0,
    status500: 0,
    unknown: [],
  };
  const re = /\[sim:([a-z0-9-]+)(?:=([^\]\s]*))?\]/gi;
  for (const m of prompt.matchAll(re)) {
    const name = m[1].toLowerCase();
    const raw = m[2];
    const num = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
    const flag = raw === undefined;
    switch (name) {
      case 'fail': if (flag) d.fail = true; else d.unknown.push(m[0]); break;
      case 'text': if (flag) d.text = true; else d.unknown.push(m[0]); break;
      case 'single': if (flag) d.single = true; else d.unknown.push(m[0]); break;
      case 'two': if (flag) d.two = true; else d.unknown.push(m[0]); break;
      case 'data': if (flag) d.data = true; else d.unknown.push(m[0]); break;
      case 'bad-url': if (flag) d.badUrl = true; else d.unknown.push(m[0]); break;
      case 'not-image': if (flag) d.notImage = true; else d.unknown.push(m[0]); break;
      case 'huge': if (flag) d.huge = true; else d.unknown.push(m[0]); break;
      case 'slow-image': if (flag) d.slowImage = true; else d.unknown.push(m[0]); break;
      case 'notfound': if (num !== undefined) d.notFound = num; else d.unknown.push(m[0]); break;
      case 'status500': if (num !== undefined) d.status500 = num; else d.unknown.push(m[0]); break;
      case 'duration': if (num !== undefined) d.durationMs = num; else d.unknown.push(m[0]); break;
      default: d.unknown.push(m[0]);
    }
  }
  return d;
}
