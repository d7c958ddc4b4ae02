import { DEFAULT_BASE_URL } from './api/types';

/** The extension's settings, read and sanitised (pure: the VS Code layer passes a getter). */
export interface NanoConfig {
  apiBaseUrl: string;
  model: string;
  aspectRatio: string;
  imageSize: string;
  outputFolder: string;
  fileNamePattern: string;
  autoSave: boolean;
  callbackUrl: string;
  requestTimeoutSeconds: number;
  maxWaitMinutes: number;
  historyLimit: number;
}

export const DEFAULT_CONFIG: NanoConfig = {
  apiBaseUrl: DEFAULT_BASE_URL,
  model: 'google/gempix2',
  aspectRatio: 'auto',
  imageSize: 'auto',
  outputFolder: 'images/generated',
  fileNamePattern: '{date}-{slug}-{id}',
  autoSave: false,
  callbackUrl: '',
  requestTimeoutSeconds: 60,
  maxWaitMinutes: 10,
  historyLimit: 200,
};

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : fallback;
}

function num(v: unknown, fallback: number, min: number, max: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}

/** Reads every setting through `get` (e.g. `key => cfg.get(key)`), falling back to defaults. */
export function readConfig(get: (key: keyof NanoConfig) => unknown): NanoConfig {
  return {
    apiBaseUrl: str(get('apiBaseUrl'), DEFAULT_CONFIG.apiBaseUrl).replace(/\/+$/, ''),
    model: str(get('model'), DEFAULT_CONFIG.model),
    aspectRatio: str(get('aspectRatio'), DEFAULT_CONFIG.aspectRatio),
    imageSize: str(get('imageSize'), DEFAULT_CONFIG.imageSize),
    outputFolder: str(get('outputFolder'), DEFAULT_CONFIG.outputFolder),
    fileNamePattern: str(get('fileNamePattern'), DEFAULT_CONFIG.fileNamePattern),
    autoSave: get('autoSave') === true,
    callbackUrl: typeof get('callbackUrl') === 'string' ? (get('callbackUrl') as string).trim() : '',
    requestTimeoutSeconds: num(get('requestTimeoutSeconds'), DEFAULT_CONFIG.requestTimeoutSeconds, 5, 600),
    maxWaitMinutes: num(get('maxWaitMinutes'), DEFAULT_CONFIG.maxWaitMinutes, 1, 120),
    historyLimit: Math.round(num(get('historyLimit'), DEFAULT_CONFIG.historyLimit, 1, 5000)),
  };
}
