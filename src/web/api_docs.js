// Keyboard access for RapiDoc (9.3.4, as poem-openapi bundles it). Its navigation,
// the "expand all" arrows and the schema brackets are <div>s and <span>s with click
// handlers: no tab stop, no role, nothing for Enter or Space; and a security tooltip
// shows on hover only. This gives each control a tab stop, a role and a name, makes
// Enter (and Space, for buttons) click it, moves focus to an operation once it is
// opened, keeps aria-expanded and aria-current in step, and shows a tooltip while the
// link in it has focus; and it names the form fields RapiDoc leaves without a label.
// RapiDoc renders into nested open shadow roots and redraws as
// it goes, so every root is watched and re-read after each change.
(() => {
  'use strict';
  // [selector, role, name (when the text is not one)]
  const CONTROLS = [
    ['.nav-bar-path, .nav-bar-info, .nav-bar-h1, .nav-bar-h2, .nav-bar-h3', 'link'],
    ['.nav-bar-tag', 'button'],
    ['[title="Expand all"]', 'button', 'Expand all groups'],
    ['[title="Collapse all"]', 'button', 'Collapse all groups'],
    ['.open-bracket', 'button'],
  ];
  const SELECTOR = CONTROLS.map((c) => c[0]).join(', ');
  const STYLE = `
    [data-kb]:focus-visible { outline: 2px solid #1d4ed8; outline-offset: -2px; }
    [aria-current] { box-shadow: inset 4px 0 0 var(--nav-accent-color); font-weight: 600; }
    .tooltip:focus-within .tooltip-text { visibility: visible; }
    .open-bracket { display: inline-block; min-width: 24px; min-height: 24px; }
    [title="Expand all"], [title="Collapse all"] {
      min-width: 24px; min-height: 24px; display: flex; align-items: center; justify-content: center;
    }
  `;
  const roots = new WeakSet();
  let pending = false;

  function expanded(el) {
    if (el.matches('.nav-bar-tag')) {
      const group = el.closest('.nav-bar-tag-and-paths');
      return group ? String(group.classList.contains('expanded')) : null;
    }
    if (el.matches('.open-bracket')) {
      // Example trees mark the bracket itself; schema trees mark its row.
      const marked = ['expanded', 'collapsed'].some((c) => el.classList.contains(c)) ? el : el.closest('.tr');
      return marked ? String(!marked.classList.contains('collapsed')) : null;
    }
    return null;
  }

  function fix(el) {
    const [, role, name] = CONTROLS.find((c) => el.matches(c[0]));
    if (!el.hasAttribute('data-kb')) {
      el.setAttribute('data-kb', role);
      el.tabIndex = 0;
      el.setAttribute('role', role);
      if (name) el.setAttribute('aria-label', name);
    }
    const state = expanded(el);
    if (state !== null && el.getAttribute('aria-expanded') !== state) el.setAttribute('aria-expanded', state);
  }

  // Form fields RapiDoc draws without a label: named by the parameter they fill or by
  // what they choose.
  function unnamed(el) {
    return !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !el.title
      && !el.getAttribute('placeholder') && !(el.labels && el.labels.length)
      && !['hidden', 'button', 'submit', 'reset'].includes(el.type);
  }

  function fieldName(el) {
    if (el.dataset.pname) return `${el.dataset.pname} (${el.dataset.ptype || 'request'} parameter)`;
    if (el.dataset.var) return `Server variable ${el.dataset.var}`;
    if (el.tagName === 'TEXTAREA') return 'Request body';
    if (el.tagName !== 'SELECT') return 'Value';
    if (el.closest('.example-panel, .json-schema-example-panel')) return 'Example';
    const first = (el.options[0] && el.options[0].value) || '';
    if (/^https?:/.test(first)) return 'Server';
    if (first.includes('/')) return 'Media type';
    return 'Choice';
  }

  // RapiDoc marks no entry as the open one in focused mode: the opened entry is marked
  // here, for screen readers (aria-current) and by a bar beside it.
  function markCurrent(item) {
    const root = item.getRootNode();
    root.querySelectorAll('[aria-current]').forEach((el) => el.removeAttribute('aria-current'));
    item.setAttribute('aria-current', 'location');
  }

  function visit(root) {
    if (!roots.has(root)) {
      roots.add(root);
      // First, before the part that Lit clears when it redraws the root.
      const style = document.createElement('style');
      style.textContent = STYLE;
      root.prepend(style);
      new MutationObserver(schedule).observe(root, {
        childList: true, subtree: true, attributes: true, attributeFilter: ['class'],
      });
    }
    root.querySelectorAll(SELECTOR).forEach(fix);
    root.querySelectorAll('input, select, textarea').forEach((el) => {
      if (unnamed(el)) el.setAttribute('aria-label', fieldName(el));
    });
    // The "↩" beside the filter box only decorates it (Enter in the box filters).
    root.querySelectorAll('#nav-bar-search + div').forEach((d) => d.setAttribute('aria-hidden', 'true'));
    const scroll = root.querySelector('.nav-scroll');
    if (scroll && !scroll.hasAttribute('aria-label')) scroll.setAttribute('aria-label', 'Operations');
    root.querySelectorAll('*').forEach((el) => { if (el.shadowRoot) visit(el.shadowRoot); });
  }

  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const doc = document.querySelector('rapi-doc');
      if (doc && doc.shadowRoot) visit(doc.shadowRoot);
    });
  }

  // After an operation is opened from the navigation, focus goes to it, as it would to
  // the target of an in-page link.
  function focusOpened(item) {
    const id = item.dataset.contentId;
    const doc = document.querySelector('rapi-doc');
    if (!id || !doc || !item.matches('.nav-bar-path, .nav-bar-info, .nav-bar-h1, .nav-bar-h2, .nav-bar-h3')) return;
    let tries = 0;
    const look = () => {
      const target = doc.shadowRoot.getElementById(id);
      if (target) {
        if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
        target.focus();
      } else if ((tries += 1) < 20) {
        setTimeout(look, 50);
      }
    };
    setTimeout(look, 0);
  }

  document.addEventListener('click', (e) => {
    const el = e.composedPath().find((n) => n instanceof Element && n.getAttribute('data-kb') === 'link');
    if (el) markCurrent(el);
  });

  document.addEventListener('keydown', (e) => {
    const el = e.composedPath()[0];
    if (!(el instanceof Element) || !el.hasAttribute('data-kb') || e.altKey || e.ctrlKey || e.metaKey) return;
    const role = el.getAttribute('data-kb');
    if (e.key === 'Enter' || (e.key === ' ' && role === 'button')) {
      e.preventDefault();
      el.click();
      if (role === 'link') focusOpened(el);
    }
  });

  const start = () => {
    const doc = document.querySelector('rapi-doc');
    if (!doc) return;
    doc.addEventListener('spec-loaded', schedule);
    schedule();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
