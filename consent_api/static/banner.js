/* cookie-audit reference consent banner. No dependencies, ES2017.
 * <script src="https://API/banner.js" data-site-key="KEY" data-api="https://API" defer></script>
 * Optional attributes: data-lang (en|fr), data-policy-url, data-cookie-domain.
 * Scripts held back until consent: <script type="text/plain" data-category="analytics">;
 * iframes and images: <iframe data-src="..." data-category="marketing">.
 * Links with data-ca-manage reopen the banner. API: window.CookieAuditConsent. */
(function () {
  'use strict';
  if (window.CookieAuditConsent) return;
  var me = document.currentScript || document.querySelector('script[data-site-key]');
  if (!me) return;
  var KEY = me.getAttribute('data-site-key');
  var API = (me.getAttribute('data-api') || new URL(me.src).origin).replace(/\/+$/, '');
  var BASE = API + '/v1/sites/' + encodeURIComponent(KEY);
  var COOKIE = 'ca_consent';
  var DAY = 864e5;
  var TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage',
    'functionality_storage', 'personalization_storage', 'security_storage'];
  // Category id -> the Consent Mode v2 types it grants.
  var GCM = [
    [/^(analytics|statistics|performance|measurement|audience)$/, ['analytics_storage']],
    [/^(marketing|advertising|ads|tracking|targeting)$/,
      ['ad_storage', 'ad_user_data', 'ad_personalization']],
    [/^(personali[sz]ation|preferences)$/, ['personalization_storage']]
  ];
  var T = {
    en: {
      title: 'Your choice about cookies',
      text: 'Strictly necessary cookies are always on. The others are only used if you agree. ' +
        'You can change your mind at any time with the \u201cManage cookies\u201d link.',
      gpc: 'Your browser sends a Global Privacy Control signal: optional cookies are off.',
      accept: 'Accept all', reject: 'Reject all', customise: 'Customise',
      save: 'Save my choices', always: 'always on', policy: 'Cookie policy'
    },
    fr: {
      title: 'Votre choix sur les cookies',
      text: 'Les cookies strictement n\u00e9cessaires sont toujours actifs. Les autres ne sont ' +
        'utilis\u00e9s qu\u2019avec votre accord. Vous pouvez changer d\u2019avis \u00e0 tout ' +
        'moment avec le lien \u00ab\u00a0G\u00e9rer les cookies\u00a0\u00bb.',
      gpc: 'Votre navigateur envoie un signal Global Privacy Control\u00a0: les cookies ' +
        'facultatifs sont d\u00e9sactiv\u00e9s.',
      accept: 'Tout accepter', reject: 'Tout refuser', customise: 'Personnaliser',
      save: 'Enregistrer mes choix', always: 'toujours actifs', policy: 'Politique cookies'
    }
  };
  var docLang = document.documentElement.lang || navigator.language || 'en';
  var lang = (me.getAttribute('data-lang') || docLang).slice(0, 2).toLowerCase();
  if (!T[lang]) lang = 'en';
  var t = T[lang];

  window.dataLayer = window.dataLayer || [];
  if (typeof window.gtag !== 'function') {
    window.gtag = function () { window.dataLayer.push(arguments); };
  }
  var defaults = {};
  TYPES.forEach(function (k) {
    defaults[k] = /^(security|functionality)_/.test(k) ? 'granted' : 'denied';
  });
  window.gtag('consent', 'default', defaults);

  var config = null;
  var state = readCookie();
  var valid = false; // whether state is a choice that still counts
  var gpc = navigator.globalPrivacyControl === true;
  var ui = null;
  var started;
  var api = {
    ready: new Promise(function (res) { started = res; }),
    sent: Promise.resolve(null),
    show: show,
    getChoice: function () { return valid ? JSON.parse(JSON.stringify(state)) : null; },
    withdraw: function () { return choose('withdraw', {}); }
  };
  window.CookieAuditConsent = api;

  function readCookie() {
    var parts = document.cookie.split(/;\s*/);
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf(COOKIE + '=') === 0) {
        try {
          var v = JSON.parse(decodeURIComponent(parts[i].slice(COOKIE.length + 1)));
          if (v && typeof v.consent_id === 'string' && v.choices) return v;
        } catch (e) { /* a damaged cookie is no choice */ }
      }
    }
    return null;
  }

  function writeCookie(v) {
    var days = (config && config.reconsent_after_days) || 182;
    var c = COOKIE + '=' + encodeURIComponent(JSON.stringify(v)) + '; path=/; max-age=' +
      days * 86400 + '; SameSite=Lax';
    var dom = me.getAttribute('data-cookie-domain');
    if (dom) c += '; domain=' + dom;
    if (location.protocol === 'https:') c += '; Secure';
    document.cookie = c;
  }

  function categories() { return (config && config.categories) || []; }

  function stillValid(s) {
    if (!s || !config || s.policy_version !== config.policy_version) return false;
    if (!(Date.now() - s.ts < (config.reconsent_after_days || 182) * DAY)) return false;
    // A category added since the choice was made needs asking about.
    return categories().every(function (c) { return c.required || c.id in s.choices; });
  }

  function allowed(cat) {
    var req = categories().some(function (c) { return c.id === cat && c.required; });
    return req || !!(valid && state.choices[cat]);
  }

  function send(path, body) {
    var url = BASE + path;
    var init = { method: 'POST', mode: 'cors', credentials: 'omit', keepalive: true };
    if (body !== undefined) init.body = JSON.stringify(body); // text/plain: no preflight
    var beacon = function () {
      return navigator.sendBeacon && navigator.sendBeacon(url, init.body || '') ? {} : null;
    };
    if (!window.fetch) return Promise.resolve(beacon());
    return fetch(url, init).then(function (r) {
      return r.status === 204 ? {} : r.json(); // a receipt, or the API's error object
    }, beacon);
  }

  function choose(action, picked) {
    if (!config) return Promise.resolve(null);
    var choices = {};
    categories().forEach(function (c) {
      choices[c.id] = c.required || action === 'accept_all' ||
        (action === 'custom' && !!picked[c.id]);
    });
    var now = Date.now();
    state = {
      consent_id: (state && state.consent_id) || uuid(),
      choices: choices,
      policy_version: config.policy_version,
      banner_revision: config.banner_revision,
      ts: now
    };
    valid = true;
    writeCookie(state);
    api.sent = send('/consents', {
      consent_id: state.consent_id, choices: choices, action: action,
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
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.from(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  }

  function apply(action) {
    var upd = {};
    TYPES.forEach(function (k) { upd[k] = defaults[k]; });
    categories().forEach(function (c) {
      GCM.forEach(function (m) {
        if (m[0].test(c.id) && allowed(c.id)) m[1].forEach(function (k) { upd[k] = 'granted'; });
      });
    });
    window.gtag('consent', 'update', upd);
    unblock();
    window.dispatchEvent(new CustomEvent('ca:consent', {
      detail: { action: action || null, choice: api.getChoice() }
    }));
  }

  function permitted(el) {
    var cats = (el.getAttribute('data-category') || '').split(/[\s,]+/).filter(Boolean);
    return cats.length > 0 && cats.every(allowed);
  }

  // Held-back scripts run in document order; each one with a src is awaited before the next.
  var queue = Promise.resolve();
  function unblock() {
    var sel = 'script[type="text/plain"][data-category]:not([data-ca-done])';
    Array.prototype.forEach.call(document.querySelectorAll(sel), function (old) {
      if (!permitted(old)) return;
      old.setAttribute('data-ca-done', '');
      queue = queue.then(function () {
        return new Promise(function (done) {
          var s = document.createElement('script');
          Array.prototype.forEach.call(old.attributes, function (a) {
            if (a.name !== 'type' && a.name !== 'data-ca-done') s.setAttribute(a.name, a.value);
          });
          var type = old.getAttribute('data-type');
          if (type) s.type = type;
          if (old.src) {
            s.async = false;
            s.onload = s.onerror = function () { done(); };
          } else {
            s.text = old.text;
          }
          old.parentNode.replaceChild(s, old);
          if (!old.src) done();
        });
      });
    });
    var media = '[data-src][data-category]:not(script)';
    Array.prototype.forEach.call(document.querySelectorAll(media), function (el) {
      if (!permitted(el)) return;
      el.setAttribute('src', el.getAttribute('data-src'));
      el.removeAttribute('data-src');
    });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  var CSS = '#ca-banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483647;' +
    'box-sizing:border-box;max-width:44rem;margin:0 auto 1rem;padding:1rem 1.25rem;' +
    'background:#fff;color:#111;border:1px solid #888;border-radius:6px;' +
    'box-shadow:0 4px 24px rgba(0,0,0,.25);font:15px/1.45 system-ui,sans-serif}' +
    '#ca-banner h2{font-size:1.1em;margin:0 0 .5em}#ca-banner p{margin:0 0 .75em}' +
    '.ca-row{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem}' +
    '.ca-btn{box-sizing:border-box;width:100%;margin:0;padding:.6em .8em;cursor:pointer;' +
    'font:600 1em/1.2 inherit;color:#fff;background:#1d3b6b;border:2px solid #1d3b6b;' +
    'border-radius:4px}.ca-btn:focus-visible{outline:3px solid #e8a400;outline-offset:2px}' +
    '#ca-prefs{margin:.75em 0 0}#ca-prefs label{display:flex;gap:.5em;padding:.3em 0}' +
    '#ca-prefs small{display:block;color:#444}#ca-save{margin-top:.5em}' +
    '@media (max-width:480px){.ca-row{grid-template-columns:1fr}}';

  function show() {
    if (!config) return;
    hide();
    var box = el('div', {
      id: 'ca-banner', role: 'dialog', 'aria-modal': 'false',
      'aria-labelledby': 'ca-title', 'aria-describedby': 'ca-text', lang: lang
    });
    box.appendChild(el('style', {}, CSS));
    box.appendChild(el('h2', { id: 'ca-title' }, t.title));
    var p = el('p', { id: 'ca-text' }, t.text + (gpc ? ' ' + t.gpc : ''));
    var policy = me.getAttribute('data-policy-url');
    if (policy && /^https?:|^\//.test(policy)) {
      p.appendChild(document.createTextNode(' '));
      p.appendChild(el('a', { href: policy }, t.policy));
    }
    box.appendChild(p);
    var row = el('div', { 'class': 'ca-row' });
    [['accept', 'accept_all'], ['reject', 'reject_all'], ['customise', null]].forEach(function (b) {
      var btn = el('button', { type: 'button', id: 'ca-' + b[0], 'class': 'ca-btn' }, t[b[0]]);
      if (!b[1]) btn.setAttribute('aria-expanded', 'false');
      btn.addEventListener('click', b[1] ? function () { choose(b[1], {}); } : togglePrefs);
      row.appendChild(btn);
    });
    box.appendChild(row);
    var prefs = el('div', { id: 'ca-prefs', hidden: '' });
    categories().forEach(function (c) {
      var box2 = el('input', { type: 'checkbox', id: 'ca-cat-' + c.id, role: 'switch' });
      box2.checked = allowed(c.id);
      box2.disabled = !!c.required;
      var label = el('label', { 'for': box2.id });
      var name = el('span', {}, pick(c.label) || c.id);
      if (c.required) name.appendChild(document.createTextNode(' (' + t.always + ')'));
      var d = pick(c.description);
      if (d) name.appendChild(el('small', {}, d));
      label.appendChild(box2);
      label.appendChild(name);
      prefs.appendChild(label);
    });
    var save = el('button', { type: 'button', id: 'ca-save', 'class': 'ca-btn' }, t.save);
    save.addEventListener('click', function () {
      var picked = {};
      categories().forEach(function (c) {
        picked[c.id] = document.getElementById('ca-cat-' + c.id).checked;
      });
      choose('custom', picked);
    });
    prefs.appendChild(save);
    box.appendChild(prefs);
    document.body.appendChild(box);
    ui = box;
    function togglePrefs() {
      prefs.hidden = !prefs.hidden;
      this.setAttribute('aria-expanded', String(!prefs.hidden));
    }
    send('/impressions').catch(function () {});
  }

  function pick(texts) {
    if (!texts) return '';
    if (typeof texts === 'string') return texts;
    return texts[lang] || texts.en || texts[Object.keys(texts)[0]] || '';
  }

  function hide() {
    if (ui && ui.parentNode) ui.parentNode.removeChild(ui);
    ui = null;
  }

  function start() {
    document.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('[data-ca-manage]');
      if (a) { e.preventDefault(); show(); }
    });
    started(fetch(BASE + '/config', { mode: 'cors', credentials: 'omit' })
      .then(function (r) {
        if (!r.ok) throw new Error('config ' + r.status);
        return r.json();
      })
      .then(function (c) {
        config = c;
        valid = stillValid(state);
        if (valid) apply(null);
        else if (gpc) choose('gpc', {});
        else { unblock(); show(); } // strictly necessary scripts need no consent
      })
      .catch(function (e) {
        // Without the configuration nothing optional may run: stay silent and blocked.
        if (window.console) console.warn('cookie-audit banner:', e);
      }));
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
