/* cookie-audit consent banner (no dependencies, ES2017). Usage and options: README, "banner".
 * <script src="https://API/banner.js" data-site-key="KEY" data-api="https://API" defer> */
(() => {
  'use strict';
  if (window.CookieAuditConsent) return;
  const me = document.currentScript || document.querySelector('script[data-site-key]');
  if (!me) return;
  const attr = (n) => me.getAttribute(n);
  const API = (attr('data-api') || new URL(me.src).origin).replace(/\/+$/, '');
  const BASE = `${API}/v1/sites/${encodeURIComponent(attr('data-site-key'))}`;
  const AD = ['ad_storage', 'ad_user_data', 'ad_personalization'];
  const TYPES = [...AD, 'analytics_storage', 'functionality_storage',
    'personalization_storage', 'security_storage'];
  // Category id -> the Consent Mode v2 types it grants.
  const GCM = [
    [/^(analytics|statistics|performance|measurement|audience)$/, ['analytics_storage']],
    [/^(marketing|advertising|ads|tracking|targeting)$/, AD],
    [/^(personali[sz]ation|preferences)$/, ['personalization_storage']]
  ];
  const T = {
    en: {
      title: 'Your choice about cookies',
      text: 'Strictly necessary cookies are always on. The others are only used if you agree. ' +
        'You can change your mind at any time with the “Manage cookies” link.',
      gpc: 'Your browser sends a Global Privacy Control signal: optional cookies are off.',
      accept: 'Accept all', reject: 'Reject all', customise: 'Customise',
      save: 'Save my choices', always: 'always on', policy: 'Cookie policy'
    },
    fr: {
      title: 'Votre choix sur les cookies',
      text: 'Les cookies strictement nécessaires sont toujours actifs. Les autres ne sont ' +
        'utilisés qu’avec votre accord. Vous pouvez changer d’avis à tout moment avec le ' +
        'lien « Gérer les cookies ».',
      gpc: 'Votre navigateur envoie un signal Global Privacy Control : les cookies ' +
        'facultatifs sont désactivés.',
      accept: 'Tout accepter', reject: 'Tout refuser', customise: 'Personnaliser',
      save: 'Enregistrer mes choix', always: 'toujours actifs', policy: 'Politique cookies'
    }
  };
  const docLang = document.documentElement.lang || navigator.language || 'en';
  let lang = (attr('data-lang') || docLang).slice(0, 2).toLowerCase();
  if (!T[lang]) lang = 'en';
  const t = T[lang];

  // Consent Mode v2: everything denied but security and functionality, before any tag runs.
  window.dataLayer = window.dataLayer || [];
  if (typeof window.gtag !== 'function') {
    window.gtag = function () { window.dataLayer.push(arguments); };
  }
  const defaults = {};
  for (const k of TYPES) defaults[k] = /^(security|functionality)_/.test(k) ? 'granted' : 'denied';
  window.gtag('consent', 'default', defaults);

  let config = null;
  let state = readCookie();
  let valid = false; // whether state is a choice that still counts
  let ui = null;
  let started;
  const gpc = navigator.globalPrivacyControl === true;
  const api = window.CookieAuditConsent = {
    ready: new Promise((res) => { started = res; }),
    sent: Promise.resolve(null),
    show,
    getChoice: () => (valid ? JSON.parse(JSON.stringify(state)) : null),
    withdraw: () => choose('withdraw', {})
  };

  function readCookie() {
    try {
      const raw = document.cookie.match(/(?:^|;\s*)ca_consent=([^;]+)/)[1];
      const v = JSON.parse(decodeURIComponent(raw));
      return typeof v.consent_id === 'string' && v.choices ? v : null;
    } catch (e) {
      return null; // no cookie, or a damaged one: no choice
    }
  }

  const days = () => (config && config.reconsent_after_days) || 182;
  const categories = () => (config && config.categories) || [];

  function writeCookie(v) {
    let c = `ca_consent=${encodeURIComponent(JSON.stringify(v))}; path=/; SameSite=Lax` +
      `; max-age=${days() * 86400}`;
    if (attr('data-cookie-domain')) c += '; domain=' + attr('data-cookie-domain');
    if (location.protocol === 'https:') c += '; Secure';
    document.cookie = c;
  }

  function stillValid(s) {
    if (!s || !config || s.policy_version !== config.policy_version) return false;
    if (!(Date.now() - s.ts < days() * 864e5)) return false;
    // A category added since the choice was made needs asking about.
    return categories().every((c) => c.required || c.id in s.choices);
  }

  const allowed = (cat) =>
    categories().some((c) => c.id === cat && c.required) || !!(valid && state.choices[cat]);

  function send(path, body) {
    const url = BASE + path;
    const init = { method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true };
    if (body !== undefined) init.body = JSON.stringify(body); // text/plain: no preflight
    const beacon = () =>
      (navigator.sendBeacon && navigator.sendBeacon(url, init.body || '') ? {} : null);
    // Resolves to the receipt (or the API's error object); null when nothing could be sent.
    return fetch(url, init).then((r) => (r.status === 204 ? {} : r.json()), beacon);
  }

  function choose(action, picked) {
    if (!config) return Promise.resolve(null);
    const choices = {};
    for (const c of categories()) {
      choices[c.id] = c.required || action === 'accept_all' ||
        (action === 'custom' && !!picked[c.id]);
    }
    const now = Date.now();
    state = {
      consent_id: (state && state.consent_id) || uuid(),
      choices,
      policy_version: config.policy_version,
      banner_revision: config.banner_revision,
      ts: now
    };
    valid = true;
    writeCookie(state);
    api.sent = send('/consents', {
      consent_id: state.consent_id, choices, action,
      policy_version: state.policy_version, banner_revision: state.banner_revision,
      language: docLang.slice(0, 35), page_url: location.origin + location.pathname,
      client_ts: now
    });
    hide();
    apply(action);
    return api.sent;
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');
    return h.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  }

  function apply(action) {
    const upd = Object.assign({}, defaults);
    for (const c of categories()) {
      for (const [re, types] of GCM) {
        if (re.test(c.id) && allowed(c.id)) for (const k of types) upd[k] = 'granted';
      }
    }
    window.gtag('consent', 'update', upd);
    unblock();
    window.dispatchEvent(new CustomEvent('ca:consent', {
      detail: { action: action || null, choice: api.getChoice() }
    }));
  }

  function permitted(node) {
    const cats = (node.getAttribute('data-category') || '').split(/[\s,]+/).filter(Boolean);
    return cats.length > 0 && cats.every(allowed);
  }

  // Held-back scripts run in document order; each one with a src is awaited before the next.
  let queue = Promise.resolve();
  function unblock() {
    for (const old of document.querySelectorAll(
      'script[type="text/plain"][data-category]:not([data-ca-done])')) {
      if (!permitted(old)) continue;
      old.setAttribute('data-ca-done', '');
      queue = queue.then(() => new Promise((done) => {
        const s = document.createElement('script');
        for (const a of old.attributes) {
          if (a.name !== 'type' && a.name !== 'data-ca-done') s.setAttribute(a.name, a.value);
        }
        if (old.getAttribute('data-type')) s.type = old.getAttribute('data-type');
        s.nonce = old.nonce; // CSP nonces are hidden from attributes once parsed
        if (old.src) {
          s.async = false;
          s.onload = s.onerror = () => done();
        } else {
          s.text = old.text;
        }
        old.parentNode.replaceChild(s, old);
        if (!old.src) done();
      }));
    }
    for (const node of document.querySelectorAll('[data-src][data-category]:not(script)')) {
      if (!permitted(node)) continue;
      node.setAttribute('src', node.getAttribute('data-src'));
      node.removeAttribute('data-src');
    }
  }

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k of Object.keys(attrs || {})) e.setAttribute(k, attrs[k]);
    e.append(...kids); // strings become text nodes, never markup
    return e;
  }

  const CSS = '#ca-banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483647;' +
    'box-sizing:border-box;max-width:44rem;max-height:calc(100vh - 1rem);overflow:auto;' +
    'margin:0 auto .5rem;padding:1rem 1.25rem;' +
    'background:#fff;color:#111;border:1px solid #888;border-radius:6px;' +
    'box-shadow:0 4px 24px rgba(0,0,0,.25);font:15px/1.45 system-ui,sans-serif}' +
    '#ca-banner h2{font-size:1.1em;margin:0 0 .5em}#ca-banner p{margin:0 0 .75em}' +
    '.ca-row{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem}' +
    '.ca-btn{box-sizing:border-box;width:100%;margin:0;padding:.6em .8em;cursor:pointer;' +
    'font:inherit;font-weight:600;line-height:1.2;color:#fff;background:#1d3b6b;' +
    'border:2px solid #1d3b6b;' +
    'border-radius:4px}.ca-btn:focus-visible{outline:3px solid #e8a400;outline-offset:2px}' +
    '#ca-prefs{margin:.75em 0 0}#ca-prefs label{display:flex;gap:.5em;padding:.3em 0}' +
    '#ca-prefs small{display:block;color:#444}#ca-save{margin-top:.5em}' +
    '@media (max-width:480px){.ca-row{grid-template-columns:1fr}}';

  function pick(texts) {
    if (!texts || typeof texts === 'string') return texts || '';
    return texts[lang] || texts.en || Object.values(texts)[0] || '';
  }

  function show() {
    if (!config) return;
    hide();
    const text = el('p', { id: 'ca-text' }, t.text + (gpc ? ' ' + t.gpc : ''));
    const policy = attr('data-policy-url');
    if (policy && /^(https?:|\/)/.test(policy)) {
      text.append(' ', el('a', { href: policy }, t.policy));
    }
    const prefs = el('div', { id: 'ca-prefs', hidden: '' });
    const row = el('div', { class: 'ca-row' });
    // The three first-layer buttons share one class: same size, same colours.
    const buttons = [['accept', 'accept_all'], ['reject', 'reject_all'], ['customise']];
    for (const [name, action] of buttons) {
      const btn = el('button', { type: 'button', id: 'ca-' + name, class: 'ca-btn' }, t[name]);
      if (!action) btn.setAttribute('aria-expanded', 'false');
      btn.addEventListener('click', () => {
        if (action) return choose(action, {});
        prefs.hidden = !prefs.hidden;
        btn.setAttribute('aria-expanded', String(!prefs.hidden));
      });
      row.append(btn);
    }
    for (const c of categories()) {
      const input = el('input', { type: 'checkbox', id: 'ca-cat-' + c.id, role: 'switch' });
      input.checked = allowed(c.id);
      input.disabled = !!c.required;
      const name = el('span', {}, pick(c.label) || c.id);
      if (c.required) name.append(` (${t.always})`);
      if (pick(c.description)) name.append(el('small', {}, pick(c.description)));
      prefs.append(el('label', { for: input.id }, input, name));
    }
    const save = el('button', { type: 'button', id: 'ca-save', class: 'ca-btn' }, t.save);
    save.addEventListener('click', () => {
      const picked = {};
      for (const c of categories()) picked[c.id] = prefs.querySelector('#ca-cat-' + c.id).checked;
      choose('custom', picked);
    });
    prefs.append(save);
    ui = el('div', {
      id: 'ca-banner', role: 'dialog', 'aria-labelledby': 'ca-title',
      'aria-describedby': 'ca-text', lang
    }, el('style', { nonce: me.nonce || '' }, CSS), el('h2', { id: 'ca-title' }, t.title),
    text, row, prefs);
    document.body.prepend(ui); // first in the tab order
    send('/impressions').catch(() => {});
  }

  function hide() {
    if (ui) ui.remove();
    ui = null;
  }

  function start() {
    document.addEventListener('click', (e) => {
      if (e.target.closest && e.target.closest('[data-ca-manage]')) {
        e.preventDefault();
        show();
      }
    });
    started(fetch(BASE + '/config', { mode: 'cors', credentials: 'omit' })
      .then((r) => {
        if (!r.ok) throw new Error('config ' + r.status);
        return r.json();
      })
      .then((c) => {
        config = c;
        valid = stillValid(state);
        if (valid) return apply(null);
        if (gpc) return choose('gpc', {}); // GPC is the answer: no banner (see README)
        unblock(); // strictly necessary scripts need no consent
        show();
      })
      .catch((e) => {
        // Without the configuration nothing optional may run: stay silent and blocked.
        console.warn('cookie-audit banner:', e);
      }));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
