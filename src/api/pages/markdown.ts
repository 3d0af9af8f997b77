import { escapeHtml, html, raw, type RawHtml } from './html.js';

/**
 * The small Markdown subset our own documents use (docs/privacy-policy.md), rendered to HTML that
 * needs no script or style from elsewhere: `#`–`###` headings, paragraphs, `- ` lists (continuation
 * lines indented by two spaces), and inline `code`, **bold** and [links](https://…). Anything else
 * is text, escaped. Not a general Markdown renderer, and never fed untrusted input; a dependency for
 * one file we write ourselves would be more code to trust than this.
 */
export interface RenderedDocument {
  /** The text of the first `#` heading. */
  title: string;
  body: RawHtml;
}

const SAFE_HREF = /^(https:\/\/|http:\/\/|\/(?!\/)|#|mailto:)/;
const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

export function renderInline(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    out += escapeHtml(text.slice(last, m.index));
    const [whole, code, bold, label, href] = m;
    if (code !== undefined) out += `<code>${escapeHtml(code)}</code>`;
    else if (bold !== undefined) out += `<strong>${renderInline(bold)}</strong>`;
    else if (label !== undefined && href !== undefined && SAFE_HREF.test(href)) out += `<a href="${escapeHtml(href)}">${renderInline(label)}</a>`;
    else out += escapeHtml(whole);
    last = m.index + whole.length;
  }
  return out + escapeHtml(text.slice(last));
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

type Block = { kind: 'heading'; level: number; text: string } | { kind: 'list'; items: string[] } | { kind: 'paragraph'; text: string };

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  let current: Block | undefined;
  const close = () => {
    if (current) out.push(current);
    current = undefined;
  };
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = /^(#{1,3}) +(.+?) *#*$/.exec(line);
    const item = /^[-*] +(.*)$/.exec(line);
    if (line.trim() === '') close();
    else if (heading) {
      close();
      out.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
    } else if (item) {
      if (current?.kind !== 'list') {
        close();
        current = { kind: 'list', items: [] };
      }
      current.items.push(item[1]!);
    } else if (current?.kind === 'list' && /^ {2,}\S/.test(line)) {
      current.items[current.items.length - 1] += ` ${line.trim()}`;
    } else if (current?.kind === 'paragraph') {
      current.text += ` ${line.trim()}`;
    } else {
      close();
      current = { kind: 'paragraph', text: line.trim() };
    }
  }
  close();
  return out;
}

export function renderMarkdown(markdown: string): RenderedDocument {
  let title: string | undefined;
  const parts = blocks(markdown).map((b) => {
    if (b.kind === 'heading') {
      if (b.level === 1) title ??= b.text;
      return `<h${b.level} id="${slug(b.text)}">${renderInline(b.text)}</h${b.level}>`;
    }
    if (b.kind === 'list') return `<ul>\n${b.items.map((i) => `<li>${renderInline(i)}</li>`).join('\n')}\n</ul>`;
    return `<p>${renderInline(b.text)}</p>`;
  });
  if (title === undefined) throw new Error('the document has no "# " title');
  return { title, body: html`${raw(parts.join('\n'))}` };
}
