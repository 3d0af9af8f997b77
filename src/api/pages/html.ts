/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tagged template whose interpolations are escaped unless wrapped with `raw()`. */
export class RawHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}
export const raw = (html: string) => new RawHtml(html);

export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    const rendered = Array.isArray(value)
      ? value.map((v) => (v instanceof RawHtml ? v.html : escapeHtml(String(v)))).join('')
      : value instanceof RawHtml
        ? value.html
        : value === undefined || value === null || value === false
          ? ''
          : escapeHtml(String(value));
    out += rendered + (strings[i + 1] ?? '');
  });
  return new RawHtml(out);
}

const STYLES = raw(`body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:38rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1c1c1c}
h1{font-size:1.5rem}
h2{font-size:1.2rem;margin-top:2rem}
h3{font-size:1rem}
.notice{border-left:4px solid #888;padding:.5rem 1rem;background:#f6f6f6}
.notice.ok{border-color:#1b7f3b}.notice.error{border-color:#b00020}
a{color:#0b57d0}
a.button,button{display:inline-block;background:#0b57d0;color:#fff;padding:.6rem 1.2rem;border:0;border-radius:.3rem;font-size:1rem;text-decoration:none;cursor:pointer}
a:focus,a.button:focus,button:focus{outline:3px solid #ffbf47;outline-offset:2px}
fieldset{border:1px solid #ccc;padding:1rem;margin:1rem 0}
label{display:block;margin:.3rem 0}
small,footer{color:#555}
code{background:#f0f0f0;padding:0 .2rem;border-radius:.2rem}
footer{margin-top:3rem;border-top:1px solid #ddd;font-size:.9rem}`);

/**
 * The frame of every server-rendered page: plain, accessible HTML that works without JavaScript,
 * with the styles inline (the CSP allows no other source), and a link to the privacy policy.
 */
function frame(title: string, main: RawHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>
${STYLES}
</style>
</head>
<body>
<main>
${main}
</main>
<footer><p><a href="/privacy">Privacy policy</a></p></footer>
</body>
</html>`.html;
}

/** A short page with one notice: the connect flow's steps and outcomes, status pages. */
export function page(title: string, body: RawHtml, options: { status?: 'ok' | 'error' | 'info' } = {}): string {
  return frame(
    title,
    html`<h1>${title}</h1>
<div class="notice ${options.status ?? 'info'}" role="${options.status === 'error' ? 'alert' : 'status'}">
${body}
</div>`,
  );
}

/** A long text (the privacy policy): `body` brings its own headings, the first of them the `<h1>`. */
export function documentPage(title: string, body: RawHtml): string {
  return frame(title, html`<article>
${body}
</article>`);
}
