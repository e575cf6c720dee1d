export const SUMMARY = 'build, check, import and report on the growth database (work in progress)';
export async function run(_argv: string[]): Promise<number> {
  return 2;
}
