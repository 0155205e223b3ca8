"""PDF documents rendered from templates with WeasyPrint (the audit report, the management review).

Nothing of a PDF comes from the network: the font is vendored (``static/vendor/dejavu``, declared by
``@font-face`` with ``file://`` URLs found through the static files finders) and the only URLs
WeasyPrint may open are ``file://`` URLs of files inside the static directories (``StaticFileFetcher``);
anything else (``http(s)``, ``data``, a file elsewhere on the machine) is refused and logged, and the
document is rendered without it. The base stylesheet sets A4 pages with the page number in the
footer; a template's element with class ``pdf-title`` names the document in every page's header.
Charts are drawn server-side as SVG: a PDF runs no JavaScript.
"""

import logging
import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext

logger = logging.getLogger("qms.pdf")
# WeasyPrint logs each of its seven steps at INFO: seven lines per PDF that say nothing when it works.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_FAMILY = "QMS DejaVu Sans"
FONTS = [("vendor/dejavu/DejaVuSans.ttf", "normal"), ("vendor/dejavu/DejaVuSans-Bold.ttf", "bold")]


def static_roots() -> list[Path]:
    """The directories a PDF may read files from: the project's static directories and STATIC_ROOT."""
    roots = [Path(directory) for directory in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def static_file_url(path: str) -> str:
    """The ``file://`` URL of a static file (``vendor/dejavu/DejaVuSans.ttf``), found as ``collectstatic``
    finds it."""
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(f"static file {path} not found")
    return Path(found).resolve().as_uri()


def _allowed_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_file():
        return None
    return path if any(path.is_relative_to(root) for root in static_roots()) else None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFileFetcher(URLFetcher):
        """Opens ``file://`` URLs inside the static directories, and nothing else (no network)."""

        def fetch(self, url, headers=None):
            path = _allowed_path(url)
            if path is None:
                logger.warning("PDF: refused to fetch %s (only static files are read)", url[:200])
                raise ValueError(f"refused: {url[:200]}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    return StaticFileFetcher


def url_fetcher():
    """A WeasyPrint URL fetcher that reads static files only."""
    return _fetcher_class()()


def _css_string(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


@cache
def _font_faces() -> str:
    return "".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; src: url("{static_file_url(path)}"); }}\n'
        for path, weight in FONTS
    )


def base_stylesheet() -> str:
    """The fonts, A4 pages with margins, the document's title in the header and "page n of m" in the
    footer (in the reader's language)."""
    page = gettext("Page %(page)s of %(pages)s")
    before, _sep, rest = page.partition("%(page)s")
    middle, _sep, after = rest.partition("%(pages)s")
    counter = f"{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) {_css_string(after)}"
    return _font_faces() + (
        "@page { size: A4; margin: 22mm 18mm 20mm 18mm;"
        f' @top-left {{ content: string(pdf-title); font-family: "{FONT_FAMILY}"; font-size: 8pt; color: #555; }}'
        f' @bottom-right {{ content: {counter}; font-family: "{FONT_FAMILY}"; font-size: 8pt; color: #555; }} }}\n'
        f'html {{ font-family: "{FONT_FAMILY}"; font-size: 10pt; line-height: 1.4; color: #111; }}\n'
        ".pdf-title { string-set: pdf-title content(); }\n"
    )


def render_pdf(template: str, context: dict, request=None) -> bytes:
    """The template rendered (with the request's context processors) as a PDF, with the base stylesheet."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template, context, request=request)
    base_url = (static_roots()[0].as_uri() + "/") if static_roots() else None
    fetcher = url_fetcher()
    # @font-face rules are read only with a font configuration, given to the stylesheet and the render.
    fonts = FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    stylesheet = weasyprint.CSS(string=base_stylesheet(), url_fetcher=fetcher, font_config=fonts)
    return document.write_pdf(stylesheets=[stylesheet], font_config=fonts)
