"""The sources registry check: each problem at its line, the same from load_sources and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gk_extract.fetch.families import gkmlpt_category
from gk_extract.fetch.sources import Problem, RegistryError, check_registry, load_sources

REGISTRY = Path(__file__).resolve().parents[1] / "corpus" / "sources.toml"

CLEAN = """\
# a comment
[[site]]
name = "a"
family = "trs"
start_urls = ["https://www.a.gov.cn/zfxxgknb/"]
delay = 2
max_pages = 10
recheck_days = 30
verified = false
region = "某省"
attachment_hosts = ["oss-cn-hangzhou.aliyuncs.com"]

[[site]]
name = "b"
family = "gkmlpt"
start_urls = [
  "http://www.b.gov.cn/gkmlpt/index#2629",
]
"""


def check(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in check_registry(text)]


def only_problem(text: str) -> Problem:
    problems = check_registry(text)
    assert len(problems) == 1, problems
    return problems[0]


def site(*lines: str) -> str:
    return '# head\n\n[[site]]\nname = "x"\n' + "".join(line + "\n" for line in lines)


def test_a_clean_registry_has_no_problems_and_loads(tmp_path: Path) -> None:
    assert check_registry(CLEAN) == []
    path = tmp_path / "s.toml"
    path.write_text(CLEAN, encoding="utf-8")
    a, b = load_sources(path)
    assert (a.delay, a.max_pages, a.recheck_days, a.region) == (2.0, 10, 30, "某省")
    assert b.start_urls == ("http://www.b.gov.cn/gkmlpt/index#2629",) and b.family == "gkmlpt"


def test_syntax_errors_give_tomllib_line() -> None:
    problem = only_problem('[[site]]\nname = "x"\nstart_urls = ["http://a.gov.cn/"\n'
                           'family = "trs"\n')
    assert problem.line == 4 and problem.message.startswith("TOML syntax error")


def test_unknown_site_key_suggests_the_nearest() -> None:
    problem = only_problem(site('start_url = ["http://a.gov.cn/"]', 'start_urls = ["http://a.gov.cn/"]'))
    assert problem.line == 5
    assert "'start_url'" in problem.message and "did you mean 'start_urls'?" in problem.message
    assert "known keys: name, start_urls, family" in problem.message


def test_unknown_key_far_from_any_has_no_suggestion() -> None:
    problem = only_problem(site('start_urls = ["http://a.gov.cn/"]', "colour = 1"))
    assert problem.line == 6 and "did you mean" not in problem.message


@pytest.mark.parametrize(("text", "line", "words"), [
    ('version = 1\n[[site]]\nname = "x"\nstart_urls = ["http://a.gov.cn/"]\n', 1, "'version'"),
    ('[[site]]\nname = "x"\nstart_urls = ["http://a.gov.cn/"]\n\n[[sites]]\nname = "y"\n', 5,
     "did you mean 'site'?"),
    ('[meta]\nowner = "me"\n[[site]]\nname = "x"\nstart_urls = ["http://a.gov.cn/"]\n', 1,
     "unknown top-level 'meta'"),
    ("# nothing here\n", 1, "no [[site]] tables"),
    ('[site]\nname = "x"\n', 1, "must be [[site]] tables"),
])
def test_top_level_problems(text: str, line: int, words: str) -> None:
    problem = only_problem(text)
    assert problem.line == line and words in problem.message


def test_duplicate_names_name_both_lines() -> None:
    text = ('[[site]]\nname = "x"\nstart_urls = ["http://a.gov.cn/"]\n\n'
            '[[site]]\nstart_urls = ["http://b.gov.cn/"]\nname = "x"\n')
    assert check(text) == [(7, "duplicate site name 'x' (lines 2 and 7)")]


@pytest.mark.parametrize(("url", "why"), [
    ("ftp://a.gov.cn/", "must start with http:// or https://"),
    ("a.gov.cn/zfxxgknb/", "must start with http:// or https://"),
    ("http:///zfxxgknb/", "has no host"),
    ("http://a.gov.cn/zfxx gknb/", "contains whitespace"),
    (" http://a.gov.cn/", "contains whitespace"),
    ("http://a.gov.cn:99999/", "has a bad port"),
    ("http://a.gov.cn:80x/", "has a bad port"),
])
def test_bad_start_urls(url: str, why: str) -> None:
    assert check(site(f'start_urls = ["{url}"]')) == [(5, f"start_urls: {url!r} {why}")]


def test_bad_url_in_a_multi_line_list_is_reported_on_its_own_line() -> None:
    text = site("start_urls = [", '  "http://a.gov.cn/",', '  "ftp://b.gov.cn/",', "]")
    assert [line for line, _ in check(text)] == [7]


@pytest.mark.parametrize(("value", "message"), [
    ('"http://a.gov.cn"', "'start_urls' must be a non-empty list of URLs"),
    ("[]", "'start_urls' must be a non-empty list of URLs"),
    ("[1]", "start_urls: 1 is not a string"),
])
def test_start_urls_must_be_a_list_of_strings(value: str, message: str) -> None:
    assert check(site(f"start_urls = {value}")) == [(5, message)]


def test_missing_name_and_start_urls_point_at_the_header() -> None:
    assert check('# x\n[[site]]\nfamily = "trs"\n') == [
        (2, "[[site]] has no 'name'"), (2, "[[site]] has no 'start_urls'")]


def test_unknown_family_lists_the_families() -> None:
    problem = only_problem(site('start_urls = ["http://a.gov.cn/"]', 'family = "wordpress"'))
    assert problem.line == 6
    assert problem.message == ("family 'wordpress' does not exist; families: "
                               "trs, hanweb, gkmlpt, generic")


def test_gkmlpt_start_url_needs_the_category() -> None:
    problem = only_problem(site('start_urls = ["http://a.gov.cn/gkmlpt/index"]',
                                'family = "gkmlpt"'))
    assert problem.line == 5 and "category id" in problem.message


@pytest.mark.parametrize("host", ["https://oss.example.com", "oss.example.com/x", "a b.com",
                                  "host:8080", "-bad.com", ""])
def test_bad_attachment_hosts(host: str) -> None:
    text = site('start_urls = ["http://a.gov.cn/"]', f'attachment_hosts = ["ok.com", "{host}"]')
    problem = only_problem(text)
    assert problem.line == 6 and problem.message.startswith(f"attachment_hosts: {host!r}")


@pytest.mark.parametrize(("line", "message"), [
    ("delay = -1", "'delay' must be a non-negative number of seconds, not -1"),
    ('delay = "1"', "'delay' must be a non-negative number of seconds, not '1'"),
    ("delay = inf", "'delay' must be a non-negative number of seconds, not inf"),
    ("max_pages = 0", "'max_pages' must be a positive integer, not 0"),
    ("max_pages = 2.5", "'max_pages' must be a positive integer, not 2.5"),
    ("recheck_days = true", "'recheck_days' must be a positive integer, not True"),
    ('verified = "yes"', "'verified' must be true or false, not 'yes'"),
    ("region = 3", "'region' must be a string, not 3"),
    ('attachment_hosts = "a.com"', "'attachment_hosts' must be a list of host names"),
])
def test_wrong_value_types(line: str, message: str) -> None:
    assert check(site('start_urls = ["http://a.gov.cn/"]', line)) == [(6, message)]


def test_problems_come_in_line_order() -> None:
    text = site('start_urls = ["ftp://a"]', 'family = "wp"', "delay = -2", "bogus = 1")
    assert [line for line, _ in check(text)] == [5, 6, 7, 8]


def test_load_sources_refuses_with_the_same_messages(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(site('start_url = ["http://a.gov.cn/"]'), encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        load_sources(path)
    assert str(caught.value).splitlines() == [f"{path}:{p.line}: {p.message}"
                                              for p in check_registry(path.read_text())]


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gk_extract.cli", "crawl", "--check",
                           "--sources", str(path)], capture_output=True, text=True, timeout=60,
                          check=False)


def test_cli_check_prints_file_line_message_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(site('start_url = ["http://a.gov.cn/"]', 'family = "wp"'), encoding="utf-8")
    result = run_check(path)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}:3: [[site]] has no 'start_urls'"
    assert lines[1].startswith(f"{path}:5: unknown key 'start_url'")
    assert lines[2].startswith(f"{path}:6: family 'wp' does not exist")


def test_cli_check_passes_the_bundled_registry() -> None:
    result = run_check(REGISTRY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("sites, no problems")


def test_a_crawl_without_check_refuses_a_bad_registry(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(site('start_urls = ["http://a.gov.cn/"]', "delay = -1"), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "gk_extract.cli", "crawl", "--sources",
                             str(path), "--store", str(tmp_path / "store")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and f"{path}:6: 'delay' must be" in result.stderr
    assert not (tmp_path / "store").exists()


def test_the_bundled_registry_has_every_family_unverified() -> None:
    sites = load_sources(REGISTRY)
    assert {s.family for s in sites} >= {"trs", "hanweb", "gkmlpt", "generic"}
    assert not any(s.verified for s in sites)
    assert all(gkmlpt_category(url) for s in sites if s.family == "gkmlpt" for url in s.start_urls)
