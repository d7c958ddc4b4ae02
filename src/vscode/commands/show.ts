import type { CommandHandler } from './registry';

export const showGallery: CommandHandler = (c, args) => {
  // A history item id (the hover of a generated image link) is brought into view.
  c.gallery.show(typeof args[0] === 'string' ? args[0] : undefined);
  return true;
};

export const showLog: CommandHandler = (c) => {
  c.log.show();
  return true;
};
