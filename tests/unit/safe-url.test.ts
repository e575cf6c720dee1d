/** Links from database text (issue 11, hostile content): only http(s) URLs become links. */
import { describe, expect, it } from 'vitest';
import { safeHttpUrl } from '../../src/ui/safe-url';

describe('safeHttpUrl', () => {
  it('keeps http and https URLs', () => {
    expect(safeHttpUrl('https://mediadive.dsmz.de/medium/1')).toBe('https://mediadive.dsmz.de/medium/1');
    expect(safeHttpUrl(' http://www.dsmz.de/microorganisms/medium/pdf/DSMZ_Medium1.pdf ')).toBe('http://www.dsmz.de/microorganisms/medium/pdf/DSMZ_Medium1.pdf');
  });

  it('drops script, data and other schemes, relative and broken URLs, and nothing', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:window.x=1', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '/medium/1', 'not a url', '', null, undefined]) {
      expect(safeHttpUrl(bad)).toBeNull();
    }
  });
});
