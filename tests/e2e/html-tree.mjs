// A small, forgiving HTML tree builder for our own AU pages (packages/*/*.html), so the
// static checks run under plain node with no parser dependency. It knows void elements,
// comments, raw-text elements (script/style) and closes unclosed elements on an end tag
// further up; that is all hand-written, well-formed pages need. Not a general HTML5 parser.

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const RAW = new Set(['script', 'style', 'textarea', 'title']);
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', times: '×', middot: '·', copy: '©' };

export function decode(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

class Node {
  constructor(tag, attrs, parent, line) {
    this.tag = tag;
    this.attrs = attrs;
    this.parent = parent;
    this.children = [];
    this.line = line;
  }
  attr(name) { return Object.prototype.hasOwnProperty.call(this.attrs, name) ? this.attrs[name] : null; }
  has(name) { return Object.prototype.hasOwnProperty.call(this.attrs, name); }
  /** Text content, whitespace collapsed. */
  text() {
    const out = [];
    const walk = (n) => n.children.forEach((c) => (typeof c === 'string' ? out.push(c) : c.tag !== 'script' && c.tag !== 'style' && walk(c)));
    walk(this);
    return out.join('').replace(/\s+/g, ' ').trim();
  }
  /** Every descendant element matching `pred`, in document order. */
  findAll(pred) {
    const out = [];
    const walk = (n) => n.children.forEach((c) => { if (typeof c !== 'string') { if (pred(c)) out.push(c); walk(c); } });
    walk(this);
    return out;
  }
  find(pred) { return this.findAll(pred)[0] || null; }
  closest(pred) {
    for (let n = this.parent; n; n = n.parent) if (n.tag && pred(n)) return n;
    return null;
  }
}

export function parseHtml(src) {
  const root = new Node('#root', {}, null, 1);
  let cur = root;
  let i = 0;
  const lineAt = (pos) => src.slice(0, pos).split('\n').length;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    if (lt < 0) { cur.children.push(decode(src.slice(i))); break; }
    if (lt > i) cur.children.push(decode(src.slice(i, lt)));
    if (src.startsWith('<!--', lt)) { const end = src.indexOf('-->', lt + 4); i = end < 0 ? src.length : end + 3; continue; }
    if (src[lt + 1] === '!' || src[lt + 1] === '?') { const end = src.indexOf('>', lt); i = end < 0 ? src.length : end + 1; continue; }
    const close = src[lt + 1] === '/';
    const m = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(src.slice(lt, lt + 64));
    if (!m) { cur.children.push('<'); i = lt + 1; continue; }
    const tag = m[1].toLowerCase();
    // Find the end of the tag, skipping quoted attribute values.
    let j = lt + m[0].length, q = null;
    for (; j < src.length; j++) {
      const ch = src[j];
      if (q) { if (ch === q) q = null; } else if (ch === '"' || ch === "'") q = ch; else if (ch === '>') break;
    }
    const inner = src.slice(lt + m[0].length, j);
    i = j + 1;
    if (close) {
      for (let n = cur; n && n !== root; n = n.parent) {
        if (n.tag === tag) { cur = n.parent; break; }
      }
      continue;
    }
    const attrs = {};
    const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
    let a;
    while ((a = re.exec(inner))) attrs[a[1].toLowerCase()] = decode(a[2] ?? a[3] ?? a[4] ?? '');
    const node = new Node(tag, attrs, cur, lineAt(lt));
    cur.children.push(node);
    if (VOID.has(tag) || /\/\s*$/.test(inner)) continue;
    if (RAW.has(tag)) {
      const end = src.toLowerCase().indexOf(`</${tag}`, i);
      const stop = end < 0 ? src.length : end;
      node.children.push(tag === 'script' || tag === 'style' ? src.slice(i, stop) : decode(src.slice(i, stop)));
      const gt = src.indexOf('>', stop);
      i = gt < 0 ? src.length : gt + 1;
      continue;
    }
    cur = node;
  }
  return root;
}
