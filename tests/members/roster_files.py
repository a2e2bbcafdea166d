"""Build 花名册 xlsx files in memory for the roster tests, shaped like the ones community offices keep:
a merged title row, the header, one person per row, a blank row and a signature line.

Also: where the shared sample files live, and the demo town that knows their communities and employers.
"""

import datetime as dt
import io
import os
from pathlib import Path

import openpyxl
import pytest

from members.roster import COLUMNS
from members.validators import id_check_digit
from tests import factories as f

TITLE = "城关镇在职党员进社区报到花名册（2026年）"
SIGNATURE = "填表人：        审核人：        填表日期：2026年11月"

# The shared samples (samples/README.md). Looked up beside the tests first, so the lead can vendor them
# into tests/members/data/; MINQING_SAMPLES overrides both.
_SAMPLE_DIRS = [
    Path(os.environ["MINQING_SAMPLES"]) if os.environ.get("MINQING_SAMPLES") else None,
    Path(__file__).parent / "data",
    Path("/work/shared/samples"),
]

# samples/README.md: the manual's six communities and the town's eight employers.
SAMPLE_COMMUNITIES = {
    "北街社区": "beijie",
    "长城社区": "changcheng",
    "文化街社区": "wenhuajie",
    "南街社区": "nanjie",
    "县府街社区": "xianfujie",
    "前窑社区": "qianyao",
}
SAMPLE_EMPLOYERS = [
    "县人民医院",
    "县第一中学",
    "县财政局",
    "县供电公司",
    "县农业农村局",
    "县人民法院",
    "县邮政分公司",
    "县自来水公司",
]


def sample_path(name: str) -> Path:
    for directory in _SAMPLE_DIRS:
        if directory is not None and (directory / name).exists():
            return directory / name
    pytest.skip(f"sample file {name} not found (copy samples/{name} into tests/members/data/)")


def sample_file(name: str) -> io.BytesIO:
    return io.BytesIO(sample_path(name).read_bytes())


def complete_sample_town(cast) -> dict:
    """Give the cast's 城关镇 all six communities and eight employers of the sample rosters."""
    town = cast.town_obj
    communities = {c.name: c for c in town.communities.all()}
    for name, code in SAMPLE_COMMUNITIES.items():
        if name not in communities:
            communities[name] = f.CommunityFactory(town=town, name=name, code=code)
    employers = {e.name: e for e in town.employers.all()}
    for name in SAMPLE_EMPLOYERS:
        if name not in employers:
            employers[name] = f.EmployerFactory(town=town, name=name)
    return {"communities": communities, "employers": employers}


def id_number(n: int, birth: dt.date = dt.date(1980, 5, 17), region: str = "410825") -> str:
    """A valid ID number; the region differs from tests.factories' so the two never collide."""
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def person_row(n: int, **overrides) -> dict:
    """One clean roster row (in-service, living in 北街, working at 县人民医院); override any column."""
    birth = overrides.pop("birth", dt.date(1980, 5, 17))
    number = id_number(n, birth)
    row = {
        "序号": n,
        "姓名": f"测试{n}",
        "性别": "男" if int(number[16]) % 2 else "女",
        "民族": "汉族",
        "出生年月": f"{birth.year}.{birth.month:02d}",
        "身份证号码": number,
        "学历": "大学本科",
        "入党时间": "2005-07-01",
        "党员类别": "在职党员",
        "工作单位": "县人民医院",
        "职务": "科员",
        "联系电话": f"139{n:08d}",
        "居住社区": "北街社区",
        "楼栋": "1号楼",
        "单元/门牌": "1单元101",
        "专长": "政策宣传、法律咨询",
        "备注": "",
    }
    row.update(overrides)
    return row


def roster_xlsx(
    rows: list[dict],
    *,
    columns: list[str] = COLUMNS,
    title_rows: int = 1,
    signature: bool = True,
) -> io.BytesIO:
    """An xlsx like a community office's: `title_rows` rows of title, the header, `rows` (dicts keyed by
    column name), then a blank row and a signature line. Values go in as given (str, int, float, date),
    so a float in 身份证号码 is a number cell exactly as Excel would store it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    for index in range(title_rows):
        sheet.append([TITLE if index == 0 else ""])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(column) for column in columns])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"  # text cells, as a careful office keeps them
    if signature:
        sheet.append([])
        sheet.append([SIGNATURE])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def first_data_row(title_rows: int = 1) -> int:
    """Spreadsheet row number of the first person in a file from `roster_xlsx`."""
    return title_rows + 2
