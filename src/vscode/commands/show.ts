import type { CommandHandler } from './registry';

export const showGallery: CommandHandler = (c) => {
  c.gallery.show();
  return true;
};

export const showLog: CommandHandler = (c) => {
  c.log.show();
  return true;
};
