/**
 * Every relative link and image in README.md and docs/*.md points to a file that exists, and every `#anchor`
 * into a Markdown file names one of its headings (as GitHub makes heading anchors).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The Markdown files checked: the README and every guide. */
function docFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(ROOT, 'docs', f));
  return [path.join(ROOT, 'README.md'), ...docs];
}

/** Text outside fenced code blocks and HTML comments, line by line (code there is not a link or a heading). */
function proseLines(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || marker.startsWith(fence))) {
      fence = fence ? undefined : marker;
      continue;
    }
    if (!fence) out.push(line);
  }
  return out;
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces as hyphens (github-slugger). */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every heading anchor of a Markdown text, duplicates numbered as GitHub does (`-1`, `-2`). */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Link and image targets outside code: `[text](target)`, `![alt](target "title")`. */
function linksOf(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    const withoutCode = line.replace(/(`+)[^`]*?\1/g, '');
    for (const m of withoutCode.matchAll(/!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      targets.push(m[1]!);
  }
  return targets;
}

/** What is wrong with the relative links of `file`: a missing file, or an anchor no heading makes. */
function linkProblems(file: string, read: (f: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const problems: string[] = [];
  for (const target of linksOf(read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, https:, mailto:
    const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(rawPath));
    const where = `${path.relative(ROOT, file)}: (${target})`;
    if (rawPath !== '' && !existsSync(resolved)) {
      problems.push(`${where}: no file ${path.relative(ROOT, resolved)}`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(decodeURIComponent(anchor)))
      problems.push(`${where}: no heading makes #${anchor} in ${path.relative(ROOT, resolved)}`);
  }
  return problems;
}

describe('links in README.md and docs/*.md', () => {
  test.each(docFiles().map((f) => [path.relative(ROOT, f), f]))(
    '%s: every relative link and anchor resolves',
    (_name, file) => {
      expect(linkProblems(file)).toEqual([]);
    },
  );

  test('the README links the guides and shows a picture that exists', () => {
    const links = linksOf(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(links).toContain('docs/README.md');
    expect(links.some((l) => l.endsWith('.png'))).toBe(true);
  });
});

describe('the checker', () => {
  test('anchors follow GitHub: punctuation dropped, spaces as hyphens, duplicates numbered', () => {
    expect(slug('Sync policy: `--sync` (or `SLUICE_SYNC`)')).toBe('sync-policy---sync-or-sluice_sync');
    expect(slug('Version 2: groups, ports, funnels and labels')).toBe('version-2-groups-ports-funnels-and-labels');
    expect(slug('The durable repository against memory, 2026-12-01')).toBe(
      'the-durable-repository-against-memory-2026-12-01',
    );
    expect([...anchorsOf('# A\n## Usage\n```\n# not a heading\n```\n## Usage\n')]).toEqual(['a', 'usage', 'usage-1']);
  });

  test('finds links outside code only', () => {
    const md = 'See [a](a.md#x) and ![p](p.png "t").\n`[no](code.md)`\n```\n[no](fence.md)\n```\n<http://x>';
    expect(linksOf(md)).toEqual(['a.md#x', 'p.png']);
  });

  test('reports a missing file and a missing anchor', () => {
    const files: Record<string, string> = {
      [path.join(ROOT, 'docs', 'fake.md')]:
        '# Fake\n[gone](gone.md) [bad](durability.md#no-such-heading) [ok](#fake)\n',
    };
    const read = (f: string) => files[f] ?? readFileSync(f, 'utf8');
    expect(linkProblems(path.join(ROOT, 'docs', 'fake.md'), read)).toEqual([
      'docs/fake.md: (gone.md): no file docs/gone.md',
      'docs/fake.md: (durability.md#no-such-heading): no heading makes #no-such-heading in docs/durability.md',
    ]);
  });
});
