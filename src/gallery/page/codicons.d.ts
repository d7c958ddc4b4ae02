/** The codicons the page uses, built by scripts/lib/codicons.mjs: name → viewBox and the paths' attributes. */
declare module 'codicons:used' {
  const icons: Readonly<Record<string, { viewBox: string; paths: Record<string, string>[] }>>;
  export default icons;
}
