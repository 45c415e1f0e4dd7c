"""From a policy document (HTML, markdown or plain text) to sentences under their headings.

Patterns run on a normalised copy of each sentence (lower case, accents removed, typographic
quotes and markdown emphasis flattened) while quotes keep the original words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: the text a policy is read from is capped: a 5 MB page must not stall a scan
MAX_TEXT_CHARS = 300_000
#: raw HTML is capped before parsing for the same reason
MAX_DOCUMENT_CHARS = 2_000_000

_BLOCK_TAGS = (
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "tr",
    "table",
    "ul",
    "ol",
    "header",
    "footer",
    "aside",
    "form",
    "address",
    "figcaption",
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_DROP = ("script", "style", "noscript", "nav", "svg", "template", "iframe", "button", "select")
#: a consent banner or dialog shown on the policy page is not the policy ("we use advertising
#: cookies" in a banner would declare what the policy may not say)
_BANNER = re.compile(
    r"cookie[-_ ]?(?:banner|bar|notice|consent|law)|consent[-_ ]?(?:banner|bar|popup|modal)|"
    r"\bca-banner\b|\bcc-(?:window|banner)\b|onetrust|didomi|tarteaucitron(?:root|alert)|"
    r"axeptio|cookiebot|\bklaro\b|\bcmp[-_]|gdpr[-_]?banner",
    re.I,
)


def _is_banner(node: object) -> bool:
    from bs4.element import Tag

    assert isinstance(node, Tag)
    if node.get("role") in ("dialog", "alertdialog") or node.get("aria-modal") == "true":
        return True
    ident = node.get("id") or ""
    classes: list[str] = list(node.get("class") or [])
    names = " ".join([ident if isinstance(ident, str) else " ".join(ident), *classes])
    return bool(names.strip()) and bool(_BANNER.search(names))


@dataclass(frozen=True)
class Sentence:
    text: str  # as written (whitespace collapsed), used as the quote
    norm: str  # normalised, for matching
    heading: str  # the nearest heading above it ("" if none)
    index: int
    is_heading: bool = False
    bullet: bool = False
    #: the label its line starts with ("Cookies técnicas: la cookie x ... La cookie y ..."):
    #: what every sentence of that line is about
    lead: str = ""
    #: the number of the line (paragraph) it comes from: sentences of one paragraph share a topic
    para: int = 0


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_TYPOGRAPHY = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "`": "'",
        "\u00ab": '"',
        "\u00bb": '"',
        "\u0153": "oe",
        "\u00e6": "ae",
        "\u00df": "ss",
    }
)
_EMPHASIS_CHARS = re.compile(r"[*_]{1,3}")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """Lower case, accents removed, typographic quotes flattened, markdown emphasis dropped."""
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_TYPOGRAPHY)
    text = _EMPHASIS_CHARS.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


def looks_like_pdf(document: str, content_type: str) -> bool:
    return "pdf" in content_type.lower() or document.lstrip()[:5] == "%PDF-"


def html_to_lines(document: str) -> list[str]:
    """HTML to lines of text; headings become markdown `#` lines, table rows one line each.

    One iterative walk over the tree (no tree edits: bs4's insert_before is linear in the
    number of siblings, which made a 5 MB page quadratic)."""
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString, Tag

    soup = BeautifulSoup(document, "lxml")
    root = soup.body or soup
    parts: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                parts.append(str(node))
            continue
        if not isinstance(node, Tag):
            continue
        name = node.name
        if closing:
            if name in ("td", "th"):
                parts.append(" \t ")
            elif name == "dt":
                parts.append(" : ")  # "<dt>_ga</dt><dd>...</dd>" reads "_ga : ..."
            elif name in _BLOCK_TAGS:
                parts.append("\n")
            continue
        if name in _DROP or node.get("aria-hidden") == "true" or _is_banner(node):
            continue
        if name == "br":
            parts.append("\n")
            continue
        if name in _HEADINGS:
            text = " ".join(node.get_text(" ").split())
            parts.append(f"\n# {text}\n" if text else "\n")
            continue
        if name == "li":
            parts.append("\n- ")
        elif name in _BLOCK_TAGS and name != "dd":
            parts.append("\n")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    return "".join(parts).splitlines()


_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^<>\s]+|[^<>\s@]+@[^<>\s@]+\.[a-z]{2,})>")
_INLINE_TAG = re.compile(r"</?(span|strong|em|b|i|a|u|small|sup|sub|code)\b[^>]*>", re.I)
_LI_TAG = re.compile(r"<li\b[^>]*>", re.I)
#: real HTML tags only: "_ga_<ID>" is how a policy writes a cookie name, not markup
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|table|thead|tbody|tr|td|th|ul|ol|li|dl|dt|dd|h[1-6]|section|article|"
    r"header|footer|main|body|html|head|title|pre|blockquote|nav|aside|img|meta|link|figure|"
    r"figcaption|address|form|caption)\b[^>]*>",
    re.I,
)


def text_to_lines(document: str) -> list[str]:
    """Plain text or markdown; stray HTML tags (tables pasted from a PDF) are flattened."""
    if "<" in document and ">" in document:
        document = _AUTOLINK.sub(r"\1", document)
        document = _INLINE_TAG.sub("", document)
        document = _LI_TAG.sub("\n- ", document)
        document = _BLOCK_TAG.sub("\n", document)
    return document.splitlines()


#: not after "EE." ("EE. UU.") nor after the abbreviations of legal references and lists
#: ("gem. Art. 6 Abs. 1 lit. b DSGVO", "2 Jahren bzw. 24 Stunden", "z. B.", "art. 13")
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])(?<!\bEE\.)(?<!\b[Aa]rt\.)(?<!\bAbs\.)(?<!\blit\.)(?<!\bbzw\.)(?<!\bgem\.)"
    r"(?<!\bNr\.)(?<!\bca\.)(?<!\bggf\.)(?<!\bvgl\.)(?<!\bz\.)(?<!\bd\.)(?<!\bn\.)(?<!\bno\.)"
    r"(?<!\bpar\.)(?<!\bmax\.)(?<!\bmin\.)(?<!\bapprox\.)(?<!\benv\.)\s+(?=[\"«(\[A-ZÀ-ÖØ-Þ0-9])"
)
_BULLET = re.compile(r"^\s*(?:[-*•●○▪◦–]|\d{1,2}[.)])\s+")
_INLINE_BULLET = re.compile(r"(?<=\S)\s*(?:[•●○▪◦]|(?<=[a-zà-ÿ.)])-(?=\s[A-ZÀ-Þ]))\s*")
#: "3. Stockage des données", "1 - Qu'est-ce qu'un cookie ?", "Article 5", "10) Matomo"; not
#: "5 years from the end of the contract" (a number without punctuation starts a sentence)
_NUMBERED_HEADING = re.compile(
    r"^(?:article\s+\d+|\d+(?:\.\d+)+\.?|\d+\s*[-–.:)])\s*[-–.:)]?\s+\S", re.I
)
#: a short capitalised line with no sentence punctuation, bullet, label or address
_CATEGORY_TITLE = re.compile(r"^[A-ZÀ-Þ][^.:;,!?|@*•–-]*(?:\(\d+\))?$")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _is_heading(line: str) -> bool:
    if line.startswith("#"):
        return True
    if "@" in line:
        return False  # "7. Data Protection Officer. privacy@x.io" gives an address
    if _CATEGORY_TITLE.match(line) and len(line.split()) <= 5:
        # "Essential cookies", "Statistica", "Strumenti tecnici" alone on a line: the category
        # of what follows
        from scanner.policy.vocab import label_groups

        return len(label_groups(line)) == 1
    if re.match(r"(?i)^(activit[ée] de traitement|processing activity|traitement)\s*:", line):
        return True
    if len(line) > 90 or (line.endswith((".", ",", ";", ":")) and not line.isupper()):
        return False
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 3:
        return False
    if sum(c.isupper() for c in letters) / len(letters) > 0.8:
        return True
    return bool(_NUMBERED_HEADING.match(line)) and len(line.split()) <= 10


def _joined(lines: list[str]) -> list[str]:
    """Clean lines, re-joining a sentence that a hard wrap cut in two (next line lower case)."""
    out: list[str] = []
    previous_blank = True
    for raw in lines:
        line = _MD_LINK.sub(r"\1", raw).replace("\t", " | ")
        line = " ".join(line.split()).strip(" |")
        if not line or line in {"---", "***"}:
            previous_blank = True
            continue
        if (
            out
            and not previous_blank
            and line[0].islower()
            and not out[-1].endswith((".", "!", "?", ":", ";", "|"))
            and not out[-1].startswith("#")
        ):
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
        previous_blank = False
    return out


_EMPHASIS = re.compile(r"(?:(?<=\s)|^)\*{2,3}|\*{2,3}(?=\s|$|[.,;:!?])")
#: "__bold__" only in pairs: "__zlcmid", "__gads" are cookie names
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![\w*])(_{2,3})(?=[^\s_])(.+?)(?<=[^\s_])\1(?![\w*])")
_LABEL_SPLIT = re.compile(r"(?<=[a-zà-ÿ)])\s+(?=[A-ZÀ-Þ][\w/'’-]*(?:\s[\w/'’-]+){0,3}\s:\s)")
_LINE_LEAD = re.compile(r"^([^:.|]{3,40}):\s")


def _label_split(chunk: str) -> list[str]:
    """ "... des visites Durée : 13 mois" is two pieces; "Google Analytics : ..." is one (the
    capitalised word before the label is part of a name)."""
    pieces: list[str] = []
    start = 0
    for m in _LABEL_SPLIT.finditer(chunk):
        before = chunk[start : m.start()].split()
        if before and before[-1][:1].isupper():
            continue
        pieces.append(chunk[start : m.start()])
        start = m.end()
    pieces.append(chunk[start:])
    return pieces


def sentences(lines: list[str]) -> list[Sentence]:
    """Split lines into sentences, each remembering the heading it sits under."""
    out: list[Sentence] = []
    heading = ""
    for para, line in enumerate(_joined(lines)):
        if line.lower().startswith("title:"):
            line = line[6:].strip()
        if _is_heading(line):
            heading = line.lstrip("#").strip(" *_")
            out.append(Sentence(heading, normalise(heading), heading, len(out), is_heading=True))
            continue
        bullet = bool(_BULLET.match(line))
        line = _UNDERSCORE_EMPHASIS.sub(r"\2", _BULLET.sub("", line))
        lead_match = _LINE_LEAD.match(line)
        lead = lead_match.group(1) if lead_match else ""
        for piece in _INLINE_BULLET.split(line):
            for part in (p for chunk in _SENTENCE_END.split(piece) for p in _label_split(chunk)):
                part = part.strip(" -|")
                if len(part) < 2:
                    continue
                quote = _EMPHASIS.sub("", part).strip()
                out.append(
                    Sentence(
                        quote,
                        normalise(part),
                        heading,
                        len(out),
                        bullet=bullet,
                        lead=lead,
                        para=para,
                    )
                )
    return out


_STOPWORDS = {
    "fr": {
        "le",
        "la",
        "les",
        "des",
        "est",
        "et",
        "vos",
        "nous",
        "pour",
        "une",
        "du",
        "sont",
        "ce",
        "ne",
        "au",
        "aux",
    },
    "en": {"the", "and", "of", "to", "is", "your", "we", "are", "our", "for", "with", "this"},
    "de": {"der", "die", "und", "das", "ist", "ihre", "wir", "nicht", "mit", "sie", "den", "zu"},
    "es": {"el", "los", "las", "y", "que", "sus", "para", "con", "por", "una", "del", "datos"},
    "it": {"il", "gli", "che", "di", "per", "sono", "della", "dei", "con", "non", "una", "dati"},
}


def detect_language(norm_text: str) -> str | None:
    """The language with most stop words among fr/en/de/es/it, or None when too few match."""
    words = re.findall(r"[a-z]+", norm_text[:50_000])
    if not words:
        return None
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (lang, best), runner_up = ranked[0], ranked[1][1]
    # a short page (a cookie list with a line of prose) needs fewer stop words when no other
    # language comes close
    enough = best >= 5 or (best >= 3 and best >= 2 * runner_up)
    if not enough or best / len(words) < 0.05:
        return None
    return lang
