"""Banners whose first layer offers "Accept" and "Settings" but no "Reject": refusing takes the
settings layer (issue 13). Two real npm banners configured that way and one home-made banner
that no autoconsent rule knows, whose settings layer has no "reject all" either (only category
switches, ticked by default, and "Save my choices"): the scanner's own second-layer fallback
has to untick them.

Each site loads Google Analytics only with the analytics category and the Facebook pixel only
with the marketing one, through the banner.
"""

from __future__ import annotations

from tests.fixtureweb.sites.banner_sites import FB, GA, GTAG_BOOT, _page, _site


def vanilla_second_layer() -> str:
    """vanilla-cookieconsent 3 without `acceptNecessaryBtn` on the consent modal."""
    head = (
        "<link rel='stylesheet' href='/npm/vanilla-cookieconsent/dist/cookieconsent.css'>"
        + GTAG_BOOT.replace("{id}", "VANILLA2ND")
        + f"<script type='text/plain' data-category='analytics' src='{GA.format(id='VANILLA2ND')}'>"
        "</script>" + f"<script type='text/plain' data-category='marketing' src='{FB}'></script>"
    )
    body = (
        "<script src='/npm/vanilla-cookieconsent/dist/cookieconsent.umd.js'></script>"
        "<script>CookieConsent.run({categories:{necessary:{enabled:true,readOnly:true},"
        "analytics:{},marketing:{}},language:{default:'en',translations:{en:{consentModal:{"
        "title:'We use cookies',description:'Analytics and ads, with your consent.',"
        "acceptAllBtn:'Accept all',showPreferencesBtn:'Manage preferences'},"
        "preferencesModal:{title:'Preferences',acceptAllBtn:'Accept all',"
        "acceptNecessaryBtn:'Reject all',savePreferencesBtn:'Save',sections:["
        "{title:'Necessary',linkedCategory:'necessary'},{title:'Analytics',linkedCategory:'analytics'},"
        "{title:'Marketing',linkedCategory:'marketing'}]}}}}});</script>"
    )
    return _page("vanilla-cookieconsent, reject in the second layer", head, body)


def klaro_second_layer() -> str:
    """Klaro with `hideDeclineAll`: the notice has "Accept all" and "Let me choose" only."""
    head = (
        "<script>window.klaroConfig={version:1,elementID:'klaro',storageMethod:'cookie',"
        "cookieName:'klaro',cookieExpiresAfterDays:180,default:false,mustConsent:false,"
        "acceptAll:true,hideDeclineAll:true,hideLearnMore:false,noticeAsModal:false,lang:'en',"
        "services:[{name:'google-analytics',title:'Google Analytics',purposes:['analytics'],"
        "cookies:[/^_ga/]},{name:'facebook-pixel',title:'Facebook Pixel',purposes:['marketing'],"
        "cookies:['_fbp']}]};</script>"
        "<script defer src='/npm/klaro/dist/klaro.js'></script>"
        + GTAG_BOOT.replace("{id}", "KLARO2ND")
        + "<script type='text/plain' data-type='application/javascript'"
        f" data-name='google-analytics' data-src='{GA.format(id='KLARO2ND')}'></script>"
        + "<script type='text/plain' data-type='application/javascript'"
        f" data-name='facebook-pixel' data-src='{FB}'></script>"
    )
    return _page("klaro, reject in the second layer", head, "")


def settings_only() -> str:
    """A home-made banner: "Accept all" and "Cookie settings"; the settings layer has ticked
    category switches and "Save my choices", no "reject all". A "Settings" link to another page
    sits above it."""
    body = (
        # a footer-style "Settings" link (account settings, another page) that ranks before the
        # banner's "Cookie settings" by its words: the fallback must pick the banner's button
        "<p><a href='/about'>Settings</a></p>"
        "<div id='cookie-box'><p>This site uses cookies for audience measurement and ads.</p>"
        "<button id='all'>Accept all</button> <button id='open'>Cookie settings</button>"
        "<div id='layer2' hidden><label><input type='checkbox' checked disabled> Necessary</label>"
        "<label><input type='checkbox' id='c-analytics' checked> Analytics</label>"
        "<label><input type='checkbox' id='c-marketing' checked> Marketing</label>"
        "<button id='save'>Save my choices</button></div></div><script>"
        "const box=document.getElementById('cookie-box');"
        "function load(src){const s=document.createElement('script');s.src=src;"
        "document.head.appendChild(s);}"
        "function apply(v){if(v.a)load("
        + repr(GA.format(id="SETTINGS"))
        + ");if(v.m)load("
        + repr(FB)
        + ");}"
        "function pick(v){document.cookie='prefs='+(v.a?'a':'')+(v.m?'m':'')+'-;path=/;"
        "max-age=3600';box.remove();apply(v);}"
        "const had=document.cookie.match(/prefs=(\\w*)-/);"
        "if(had){box.remove();apply({a:had[1].includes('a'),m:had[1].includes('m')});}"
        "document.getElementById('all').onclick=()=>pick({a:true,m:true});"
        "document.getElementById('open').onclick=()=>{document.getElementById('layer2').hidden=false;};"
        "document.getElementById('save').onclick=()=>pick({"
        "a:document.getElementById('c-analytics').checked,"
        "m:document.getElementById('c-marketing').checked});</script>"
    )
    return _page("settings only", GTAG_BOOT.replace("{id}", "SETTINGS"), body)


SITES = {
    "www.vanilla-second-layer.test": _site(vanilla_second_layer()),
    "www.klaro-second-layer.test": _site(klaro_second_layer()),
    "www.settings-only.test": _site(settings_only()),
}
