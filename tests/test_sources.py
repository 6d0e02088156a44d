from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.recheck import RecheckPolicy
from monitor.sources import ConfigError, Source, load_sources, parse_sources
from tests.conftest import config_error

MINIMAL = """\
sources:
  - name: gd-policy                    # unique id, used on the CLI
    title: Guangdong Provincial Government — policy documents
    start_urls: [https://www.gd.gov.cn/zwgk/wjk/qbwj/]
    allow: ['/content/post_\\d+\\.html$']
    follow: ['/qbwj/index(_\\d+)?\\.html$']
    language: zh
    region: Guangdong
    schedule: "0 */6 * * *"
"""


def test_minimal_source_from_the_issue_loads_exactly() -> None:
    (source,) = parse_sources(MINIMAL)
    assert source.name == "gd-policy"
    assert source.allow == [r"/content/post_\d+\.html$"]
    assert source.follow == [r"/qbwj/index(_\d+)?\.html$"]
    assert source.domains == ["www.gd.gov.cn"]
    assert source.region == "Guangdong" and source.language == "zh"
    assert source.schedule == "0 */6 * * *"
    assert source.topics is None and source.max_pages == 500
    assert source.report == "all"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("allow: ['/content/post_\\d+\\.html$']", "allow: ['(']"),
         "sources.yaml:5: source 'gd-policy': key 'allow': invalid regular expression '('"),
        (("start_urls: [https://www.gd.gov.cn/zwgk/wjk/qbwj/]", "start_urls: [www.gd.gov.cn]"),
         "sources.yaml:4: source 'gd-policy': key 'start_urls'"),
        (("    language: zh\n", "    language: zh\n    colour: red\n"),
         "sources.yaml:8: source 'gd-policy': key 'colour': Extra inputs are not permitted"),
        (("name: gd-policy", "name: GD Policy"), "source 'GD Policy': key 'name'"),
        (("    language: zh\n", "    language: zh\n    report: deletions\n"),
         "sources.yaml:8: source 'gd-policy': key 'report': Input should be 'all' or 'additions'"),
    ],
)
def test_errors_name_file_line_source_and_key(edit: tuple[str, str], expected: str) -> None:
    assert expected in config_error(MINIMAL, edit, "sources.yaml")


def test_duplicate_names_and_empty_allow_are_rejected() -> None:
    doubled = MINIMAL + MINIMAL.split("sources:\n", 1)[1]
    with pytest.raises(ConfigError, match="duplicate source name 'gd-policy'"):
        parse_sources(doubled, "s.yaml")
    with pytest.raises(ConfigError, match="'allow' is empty"):
        parse_sources(MINIMAL.replace("    allow: ['/content/post_\\d+\\.html$']\n", ""), "s.yaml")


def test_broken_yaml_reports_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources\.yaml:\d+: not valid YAML"):
        load_sources(path)


def test_unknown_source_name_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert [s.name for s in load_sources(path, ["gd-policy"])] == ["gd-policy"]
    with pytest.raises(ConfigError, match="no source named 'nope' \\(known: gd-policy\\)"):
        load_sources(path, ["nope"])
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "missing.yaml")


def test_shipped_sources_files_are_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    shipped = load_sources(root / "sources.yaml")
    assert len(shipped) >= 12
    demo = parse_sources((root / "monitor/demo_site/sources.yaml").read_text(encoding="utf-8")
                         .replace("{base_url}", "http://127.0.0.1:1"))
    assert {s.name for s in demo} == {"gd-demo", "en-demo", "de-demo"}


def test_libyaml_reads_the_shipped_sources_as_pure_python_yaml_does() -> None:
    """parse_sources uses PyYAML's C loader when it is built in (fast crawl start-up): same data, same lines."""
    import yaml

    from monitor.plans.data import YAML_LOADER

    text = (Path(__file__).resolve().parent.parent / "sources.yaml").read_text(encoding="utf-8")
    assert yaml.load(text, Loader=YAML_LOADER) == yaml.safe_load(text)
    for broken, line in ((MINIMAL.replace("allow: ['/content", "allow: [[['/content"), 6),
                         (MINIMAL.replace("    language: zh", "  language: zh"), 7)):
        with pytest.raises(yaml.YAMLError) as pure:
            yaml.safe_load(broken)
        assert pure.value.problem_mark.line + 1 == line  # type: ignore[attr-defined]
        with pytest.raises(ConfigError, match=rf"^<sources>:{line}: not valid YAML"):
            parse_sources(broken)


def test_sources_survive_the_json_the_crawl_child_reads() -> None:
    """The runner validates here and hands the child JSON (crawlers.runner.validated_sources_json)."""
    text = MINIMAL.replace("    schedule:", "    recheck: {new_every: 6h, old_every: 30d}\n    timeout: 2m\n"
                                            "    options: {}\n    schedule:")
    (source,) = parse_sources(text)
    assert type(source) is Source  # plain data, not the validating subclass
    assert source.recheck == RecheckPolicy(new_every=6 * 3600, old_every=30 * 86400) and source.timeout == 120
    # numbers keep the types the pydantic model gave them: the JSON is part of the spider's listing fingerprint
    (default,) = parse_sources(MINIMAL)
    assert type(default.recheck.new_days) is float and type(default.recheck.old_every) is float
    again = Source.from_dict(json.loads(json.dumps(source.to_dict())))
    assert again == source and again.domains == ["www.gd.gov.cn"]
    assert source.to_dict(exclude_defaults=True) == {
        "name": "gd-policy", "title": source.title, "start_urls": source.start_urls, "allow": source.allow,
        "follow": source.follow, "language": "zh", "region": "Guangdong", "schedule": "0 */6 * * *",
        "timeout": 120.0, "recheck": {"new_every": 21600.0, "old_every": 2592000.0}}
