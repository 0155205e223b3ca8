"""Following links through the web UI as one person: the pages reached, one page of each kind."""

import re
from collections import deque

# Links that change something on GET (none should), leave the site, or are files rather than pages;
# Django's own admin site is not ours to test.
SKIP = re.compile(r"^/(logout|language|static|media|api|admin|\.well-known)/|[?&]export=|\.(csv|xlsx)$|/template\.csv")
HREF = re.compile(r'href="(/[^"#]*)"')


def kind_of_page(path: str) -> str:
    """ "/risks/12/edit/?page=2" -> "/risks/N/edit/": one page of each kind shows what all of them do."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client, *, limit: int, start: str = "/"):
    """Yield (path, response) for the pages reached from ``start`` by following links (and redirects:
    "/risks/" leads to the register), breadth first, one page of each kind, at most ``limit``."""
    seen, queue, visited = {kind_of_page(start)}, deque([start]), 0
    while queue and visited < limit:
        path = queue.popleft()
        response = client.get(path, follow=True)
        visited += 1
        yield path, response
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if kind_of_page(link) not in seen and not SKIP.search(link):
                seen.add(kind_of_page(link))
                queue.append(link)
