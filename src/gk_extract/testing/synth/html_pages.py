"""Page chrome around an article body, one per CMS family, on made-up example.gov.cn hosts.

Only the shape is imitated (meta tags, navigation, breadcrumb, footer); names, hosts and
record numbers are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

HOST = "www.example.gov.cn"
COLUMN = "政府信息公开年报"
ICP_PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新"
NAV_ITEMS: tuple[str, ...] = ("首页", "政务公开", "政务服务", "互动交流", "走进本地")


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    agency: str
    published: str  # ``YYYY-MM-DD``
    pub_time: str  # ``HH:MM``
    doc_id: int
    charset_tag: str  # the <meta> that declares the encoding


def _attr(text: str) -> str:
    return escape(text, quote=True)


def article_url(meta: PageMeta) -> str:
    ym, ymd = meta.published[:7].replace("-", ""), meta.published.replace("-", "")
    return f"http://{HOST}/zwgk/zfxxgknb/{ym}/t{ymd}_{meta.doc_id}.html"


def _footer(rng: random.Random, agency: str) -> str:
    icp = f"{rng.choice(ICP_PROVINCES)}ICP备{rng.randint(10000000, 99999999)}号"
    return (
        f'<div class="footer"><p><span>主办单位：{escape(agency)}</span> '
        f'<span><a href="https://beian.example.gov.cn/" target="_blank">{icp}</a></span></p>'
        f"<p><span>版权所有：{escape(agency)}</span> <span>网站标识码：{rng.randint(1000000000, 9999999999)}</span></p></div>"
    )


def _nav() -> str:
    links = "".join(f'<li><a href="http://{HOST}/">{item}</a></li>' for item in NAV_ITEMS)
    return f'<div class="header"><div class="logo"><a href="/"><img src="/images/logo.png" alt=""/></a></div><ul class="nav">{links}</ul></div>'


def _breadcrumb() -> str:
    trail = " &gt; ".join(
        f'<a href="../">{item}</a>' for item in ("首页", "政务公开", "政府信息公开", COLUMN)
    )
    return f'<div class="breadcrumb"><span>当前位置：</span>{trail}</div>'


def _head(meta: PageMeta, title_suffix: bool) -> str:
    title = f"{meta.title}_{COLUMN}_{meta.agency}" if title_suffix else meta.title
    return (
        f"<head>\n{meta.charset_tag}\n"
        f'<meta name="SiteName" content="{_attr(meta.agency)}"/>\n'
        f'<meta name="ColumnName" content="{COLUMN}"/>\n'
        f'<meta name="ArticleTitle" content="{_attr(meta.title)}"/>\n'
        f'<meta name="PubDate" content="{meta.published} {meta.pub_time}"/>\n'
        f'<meta name="ContentSource" content="{_attr(meta.agency)}"/>\n'
        f'<meta name="Url" content="{article_url(meta)}"/>\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="stylesheet" type="text/css" href="/images/style.css"/>\n</head>'
    )


def trs_page(meta: PageMeta, body: str, rng: random.Random, body_class: str = "TRS_Editor") -> str:
    """TRS WCM: site chrome, breadcrumb, title block, body in ``div.TRS_Editor``."""
    return (
        f"<!DOCTYPE html>\n<html>\n{_head(meta, True)}\n<body>\n{_nav()}\n{_breadcrumb()}\n"
        f'<div class="article"><div class="article_title">{escape(meta.title)}</div>\n'
        f'<div class="article_extend"><span class="article_source">来源：{escape(meta.agency)}</span> '
        f'<span class="article_time">时间：{meta.published} {meta.pub_time}</span></div>\n'
        f'<div class="article_content"><div class="{body_class}">{body}</div></div></div>\n'
        f"{_footer(rng, meta.agency)}\n"
        '<script type="text/javascript">var countPage = 1;</script>\n</body>\n</html>\n'
    )


def word_page(meta: PageMeta, body: str, rng: random.Random) -> str:
    """A TRS-like page whose body was pasted from Word (``div.WordSection1``)."""
    return trs_page(
        meta, f"<div class=WordSection1>{body}</div>", rng, body_class="article_content_01"
    )


def hanweb_page(meta: PageMeta, body: str, rng: random.Random) -> str:
    """Hanweb JCMS: table-based chrome, metadata line, body in ``div#zoom``."""
    return (
        f"<!DOCTYPE html>\n<html>\n{_head(meta, False)}\n<body>\n{_nav()}\n"
        '<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td>\n'
        f'<div class="bt">{escape(meta.title)}</div>\n'
        f'<div class="xx"><span>发布日期：{meta.published}</span> <span>信息来源：{escape(meta.agency)}</span> '
        f"<span>浏览次数：<script>document.write({rng.randint(10, 5000)})</script></span></div>\n"
        f'<div id="zoom">{body}</div>\n</td></tr></table>\n{_footer(rng, meta.agency)}\n</body>\n</html>\n'
    )


def plain_page(meta: PageMeta, body: str, rng: random.Random) -> str:
    """A bare article page: no CMS chrome, the title as ``<h1>``."""
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta.charset_tag}\n<title>{escape(meta.title)}</title>\n</head>\n"
        f'<body>\n<article>\n<h1>{escape(meta.title)}</h1>\n<p class="date">{meta.published}</p>\n'
        f"{body}\n</article>\n</body>\n</html>\n"
    )
