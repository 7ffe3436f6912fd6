"""Where the common government CMS families put an article's body: one list for the crawler
(which looks for attachments and table images inside it) and the HTML parser (which prefers
it over the site chrome around it).

Only simple selectors (``#id``, ``.class``, ``tag#id``), roughly by reliability; every one
names a container listed for real report pages (gov-sites.md §4). A new CMS family is one line
here, and both stages learn it.
"""

from __future__ import annotations

# fmt: off
BODY_SELECTORS: tuple[str, ...] = (
    "#ivs_content",         # the editor output block of one platform's article template
    "#webeditorview",       # web-editor view pages, by id ...
    ".webeditorview",       # ... and by class where the id is missing or repeated
    ".TRS_Editor",          # TRS WCM, the most common CMS family (gov-sites.md §3)
    ".trs_editor",          # TRS, lowercase class of later templates
    ".trs_editor_view",     # TRS view pages
    ".Custom_UnionStyle",   # TRS bodies pasted from Word, which keep its style class
    "#zoom",                # the container the "font size" buttons scale, on many sites
    "#Zoom",                # the same, capitalised (ids are case-sensitive)
    "#article",             # generic article templates
    "#articleContent",      # generic article templates, camel-case id
    ".article-content",     # generic templates, hyphenated class
    ".article_content",     # generic templates, underscored class
    ".detail-content",      # detail pages of the disclosure (xxgk) platforms
    ".xxgk_content",        # disclosure (信息公开) platforms' content block
    ".zw-content",          # 正文 (body text) blocks
    ".zfxxgk_zw_content",   # 政府信息公开 正文 blocks
    "td#td_DocContent",     # older table-laid-out article pages
    "#Content",             # generic, capitalised id
    ".main-content",        # generic responsive templates; the loosest, hence last
)
# fmt: on
