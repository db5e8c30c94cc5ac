"""The shipped PAR frameworks load, add up, and bad files are refused clearly."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from handlers.scoring.framework import (
    FRAMEWORK_DIR,
    Criterion,
    FrameworkError,
    list_frameworks,
    load_framework,
    parse_framework,
)
from handlers.scoring.rules import RULES

SHIPPED = ["dept-2020", "dept-2022-2030"]


def _children_sum_to_max(node: Criterion) -> None:
    if node.children:
        assert round(sum(c.max_points for c in node.children), 6) == node.max_points, node.code
        for child in node.children:
            _children_sum_to_max(child)


def test_list_frameworks_names_both_shipped_files():
    infos = list_frameworks()
    assert [i.id for i in infos] == SHIPPED
    assert [i.year for i in infos] == [2020, 2022]
    assert all(i.province for i in infos)


@pytest.mark.parametrize("fw_id", SHIPPED)
def test_shipped_framework_totals_100_and_every_node_adds_up(fw_id):
    fw = load_framework(fw_id)
    assert fw.max_points == 100
    for fld in fw.fields:
        _children_sum_to_max(fld)
    assert "mặc định" in fw.note
    assert fw.based_on and fw.province


@pytest.mark.parametrize("fw_id", SHIPPED)
def test_every_leaf_is_scoreable_and_attributed(fw_id):
    fw = load_framework(fw_id)
    units = {"VP", "TTRA", "QLKH", "QLCN", "KHTC", "TDC", "TTUD"}
    for leaf in fw.leaves():
        assert leaf.rule.type in RULES, leaf.code
        assert leaf.responsible_unit in units, leaf.code
        assert leaf.evidence, leaf.code
        assert leaf.keywords, leaf.code


def test_dept_2020_field_maxima_match_the_2020_framework():
    fw = load_framework("dept-2020")
    assert [(f.code, f.max_points) for f in fw.fields] == [
        ("1", 11), ("2", 8), ("3", 10), ("4", 8), ("5", 8), ("6", 9), ("7", 10), ("8", 36),
    ]
    assert fw.find("8").name == "Điều tra xã hội học"


def test_dept_2022_fields_follow_the_2022_2030_grouping():
    fw = load_framework("dept-2022-2030")
    names = [f.name for f in fw.fields]
    assert names[1] == "Cải cách thể chế"
    assert names[4] == "Cải cách chế độ công vụ"
    assert "chính quyền số" in names[6]
    assert "876/QĐ-BNV" in fw.based_on


def test_load_by_path_of_an_edited_copy(tmp_path):
    raw = yaml.safe_load((FRAMEWORK_DIR / "dept-2020.yaml").read_text(encoding="utf-8"))
    raw["id"] = "quang-ngai-2021"
    raw["year"] = 2021
    target = tmp_path / "qn-2021.yaml"
    target.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    fw = load_framework(str(target))
    assert fw.id == "quang-ngai-2021" and fw.year == 2021
    assert fw.max_points == 100


def test_unknown_framework_id_lists_the_shipped_ones():
    with pytest.raises(FileNotFoundError, match="dept-2020"):
        load_framework("khong-co")


# ------------------------------------------------------------ invalid files


@pytest.fixture()
def raw2020():
    return yaml.safe_load((FRAMEWORK_DIR / "dept-2020.yaml").read_text(encoding="utf-8"))


def _node(raw, code):
    def walk(nodes):
        for n in nodes:
            if n["code"] == code:
                return n
            found = walk(n.get("children") or [])
            if found:
                return found
        return None

    return walk(raw["fields"])


def test_children_not_summing_is_rejected_naming_the_parent(raw2020):
    _node(raw2020, "3.2.1")["max_points"] = 1.5  # 3.2 now has 4.5 in children, 5 declared
    with pytest.raises(FrameworkError) as err:
        parse_framework(raw2020, "thu.yaml")
    msg = str(err.value)
    assert "Tiêu chí 3.2: tổng điểm các tiêu chí con là 4,5, khác điểm tối đa 5" in msg


def test_unknown_rule_type_is_rejected_naming_the_leaf(raw2020):
    _node(raw2020, "7.3.1")["rule"] = {"type": "ti_le_bat_ky"}
    with pytest.raises(FrameworkError, match=r"Tiêu chí 7\.3\.1: loại quy tắc 'ti_le_bat_ky' không được hỗ trợ"):
        parse_framework(raw2020, "thu.yaml")


def test_missing_max_points_is_rejected_naming_the_leaf(raw2020):
    del _node(raw2020, "5.1.1")["max_points"]
    with pytest.raises(FrameworkError) as err:
        parse_framework(raw2020, "thu.yaml")
    assert "Tiêu chí 5.1.1: thiếu điểm tối đa (max_points)" in str(err.value)


def test_bad_threshold_is_rejected_at_load_time(raw2020):
    _node(raw2020, "7.3.1")["rule"]["threshold"] = 50  # meant 50%, must be 0.5
    with pytest.raises(FrameworkError, match=r"Tiêu chí 7\.3\.1: threshold = 50 phải là tỷ lệ"):
        parse_framework(raw2020, "thu.yaml")


def test_unquoted_code_is_explained(raw2020):
    _node(raw2020, "3.2")["code"] = 3.2  # YAML reads an unquoted 3.2 as a number
    with pytest.raises(FrameworkError, match="dấu nháy"):
        parse_framework(raw2020, "thu.yaml")


def test_total_other_than_100_is_rejected(raw2020):
    raw = copy.deepcopy(raw2020)
    raw["fields"] = raw["fields"][:-1]  # drop the survey field
    with pytest.raises(FrameworkError, match="Tổng điểm các lĩnh vực là 64, khác tổng 100"):
        parse_framework(raw, "thu.yaml")


def test_broken_yaml_file_is_reported_not_crashed(tmp_path: Path):
    bad = tmp_path / "hong.yaml"
    bad.write_text("id: x\nfields: [\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="cú pháp"):
        load_framework(str(bad))
