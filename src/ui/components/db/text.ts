/** Hints come as sentence fragments ("update MediaForge to open it"); shown on their own, they start with a capital. */
export function sentence(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}
