"""Checking a roster row against the town: every problem of a row, by column, not just the first."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.security import CONTROL_CHARACTER_MESSAGE, has_control_characters
from core.validators import BIRTH_DATES, JOIN_DATES

from ..models import Building, Community, Employer, MemberCategory, Person, Registration, Town
from ..validators import (
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    normalise_id_number,
    validate_mobile,
)
from .columns import (
    _CATEGORY_BY_LABEL,
    _COLUMN_ORDER,
    _GENDER_BY_LABEL,
    _GENDER_LABEL,
    _MAX_LENGTHS,
    _SCIENTIFIC_RE,
    COLUMNS,
    FLOAT_ID_MESSAGE,
    NOT_YOURS_MESSAGE,
    UNKNOWN_EMPLOYER_MESSAGE,
    _is_blank,
    _key,
    _number_text,
    _split_specialties,
    _squash,
    _text,
)
from .dates import DateCellError, parse_date_cell

if TYPE_CHECKING:
    from .parsing import _Table


class _RowChecker:
    """Checks one row at a time against the town's communities, employers, buildings and people,
    loaded once up front (a constant number of queries whatever the size of the file)."""

    def __init__(self, *, town: Town, allowed_community_ids: set[int] | None, table: _Table):
        self.town = town
        self.today = timezone.localdate()
        communities = list(Community.objects.filter(town=town).values_list("pk", "name"))
        self.community_by_key = {_key(name): (pk, name) for pk, name in communities}
        self.town_community_ids = {pk for pk, _ in communities}
        self.allowed = (
            self.town_community_ids if allowed_community_ids is None else set(allowed_community_ids)
        )
        self.employer_by_key = {
            _key(name): (pk, name)
            for pk, name in Employer.objects.filter(town=town).values_list("pk", "name")
        }
        ids = {
            normalise_id_number(_squash(v))
            for _, cells in table.rows
            if isinstance(v := cells.get("身份证号码"), str) and v.strip()
        }
        self.existing = {
            p["id_number"]: p
            for p in Person.objects.filter(id_number__in=ids).values("pk", "id_number", "community_id")
        }
        self.active_registration_community = dict(
            Registration.objects.active()
            .filter(person_id__in=[p["pk"] for p in self.existing.values()])
            .values_list("person_id", "community__name")
        )
        building_keys = {_key(_text(cells.get("楼栋"))) for _, cells in table.rows} - {""}
        self.building_by_key = {
            (cid, _key(name)): pk
            for pk, cid, name in Building.objects.filter(
                community_id__in=self.town_community_ids, name__in=building_keys
            ).values_list("pk", "community_id", "name")
        }
        self.first_row_of_id: dict[str, int] = {}
        self.new_buildings: set[tuple[int, str]] = set()
        self.data_rows = 0
        self.error_rows = 0
        self.other_community_rows: dict[str, int] = {}

    # -- one row ----------------------------------------------------------------------------------------

    def check(self, rownum: int, cells: dict) -> tuple[dict, list[dict]]:
        self.data_rows += 1
        errors: list[dict] = []

        def error(column: str, message: str) -> None:
            errors.append({"row": rownum, "column": column, "message": message})

        # The forms and the API refuse these too; stored, they break the export. An .xlsx can carry DEL
        # as it is (C0 characters make the XML unreadable: the file is reported as damaged).
        for column, value in cells.items():
            if isinstance(value, str) and has_control_characters(value):
                error(column, f"{column}{CONTROL_CHARACTER_MESSAGE}")

        texts = {column: _text(cells.get(column)) for column in _MAX_LENGTHS}
        texts["姓名"] = re.sub(r"\s+", "", texts["姓名"])  # two-character names get padded: “王  芳”
        texts["楼栋"] = _squash(texts["楼栋"])
        for column, value in texts.items():
            if len(value) > _MAX_LENGTHS[column]:
                error(column, f"{column}不能超过{_MAX_LENGTHS[column]}个字")
        if not texts["姓名"]:
            error("姓名", "姓名不能为空")

        id_number, id_ok = self._id_number(rownum, cells.get("身份证号码"), error)
        birth_date, gender = self._birth_and_gender(cells, id_number if id_ok else "", error)
        joined_on = self._joined_on(cells.get("入党时间"), birth_date, error)
        category, employer_id, employer_name = self._category_and_employer(cells, error)
        mobile = self._mobile(cells.get("联系电话"), error)
        community_id, community_name = self._community(cells.get("居住社区"), error)
        person_id = self._existing_person(id_number if id_ok else "", community_id, error)
        building_name = texts["楼栋"]
        building_id = self.building_by_key.get((community_id, _key(building_name))) if building_name else None

        if errors:
            self.error_rows += 1
            errors.sort(key=lambda e: _COLUMN_ORDER.get(e["column"], len(COLUMNS)))
            if community_id is not None and community_id not in self.allowed:
                # a row of another community of the town: not this office's to fix or to write; an office
                # may import its own rows without them (roster_import_commit(only_own_community=True))
                for e in errors:
                    e["other_community"] = community_name
                self.other_community_rows[community_name] = (
                    self.other_community_rows.get(community_name, 0) + 1
                )
        elif building_name and building_id is None:
            self.new_buildings.add((community_id, _key(building_name)))
        row = {
            "row": rownum,
            "name": texts["姓名"],
            "gender": gender,
            "ethnicity": texts["民族"],
            "birth_date": birth_date.isoformat() if birth_date else None,
            "id_number": id_number,
            "education": texts["学历"],
            "joined_on": joined_on.isoformat() if joined_on else None,
            "category": category,
            "employer_id": employer_id,
            "employer": employer_name,
            "position": texts["职务"],
            "mobile": mobile,
            "community_id": community_id,
            "community": community_name,
            "building_id": building_id,
            "building": building_name,
            "unit_room": texts["单元/门牌"],
            "specialties": _split_specialties(cells.get("专长")),
            "note": texts["备注"],
            "person_id": person_id,
            "action": "update" if person_id else "create",
        }
        return row, errors

    def _id_number(self, rownum: int, value, error) -> tuple[str, bool]:
        if _is_blank(value):
            error("身份证号码", "身份证号码不能为空")
            return "", False
        if isinstance(value, int | float) and not isinstance(value, bool):
            error("身份证号码", FLOAT_ID_MESSAGE)
            return "", False
        text = normalise_id_number(_squash(str(value)))
        if _SCIENTIFIC_RE.match(text):  # the number Excel showed, pasted back as text
            error("身份证号码", FLOAT_ID_MESSAGE)
            return "", False
        problem = id_number_problem(text)
        if problem:
            error("身份证号码", problem)
            return text, False
        earlier = self.first_row_of_id.get(text)
        if earlier is not None:
            error("身份证号码", f"与第{earlier}行是同一人（身份证号码相同）")
            return text, False
        self.first_row_of_id[text] = rownum
        return text, True

    def _birth_and_gender(self, cells, valid_id: str, error) -> tuple[dt.date | None, str]:
        birth = None
        try:
            parsed = parse_date_cell(cells.get("出生年月"), column="出生年月")
        except DateCellError as exc:
            error("出生年月", str(exc))
            parsed = None
        if parsed is not None and (problem := BIRTH_DATES.problem(parsed[0], today=self.today)):
            # the API and the person form refuse it too (core.validators); a date cell bypasses the year check
            error("出生年月", f"出生年月{problem}")
            parsed = None
        if valid_id:
            birth = birth_date_from_id(valid_id)
            if parsed is not None:
                written, month_only = parsed
                differs = (written.year, written.month) != (birth.year, birth.month) or (
                    not month_only and written != birth
                )
                if differs:
                    error("出生年月", f"出生年月与身份证号码不符（身份证为{birth:%Y.%m.%d}）")
        elif parsed is not None:
            birth = parsed[0]

        label = _squash(_text(cells.get("性别")))
        gender = ""
        if label:
            gender = _GENDER_BY_LABEL.get(label, "")
            if not gender:
                error("性别", "性别应填“男”或“女”")
        if valid_id:
            from_id = gender_from_id(valid_id)
            if gender and gender != from_id:
                error("性别", f"性别与身份证号码不符（身份证为{_GENDER_LABEL[from_id]}）")
            gender = from_id
        return birth, str(gender)

    def _joined_on(self, value, birth: dt.date | None, error) -> dt.date | None:
        try:
            parsed = parse_date_cell(value, column="入党时间")
        except DateCellError as exc:
            error("入党时间", str(exc))
            return None
        if parsed is None:
            return None
        joined, month_only = parsed
        problem = JOIN_DATES.problem(joined, today=self.today)  # as the API and the person form
        if problem:
            error("入党时间", f"入党时间{problem}")
        elif birth is not None:
            # Members join at 18 or older; compare by month when only the month is written.
            if month_only:
                too_young = (joined.year, joined.month) < (birth.year + 18, birth.month)
            else:
                too_young = (joined.year - birth.year, joined.month, joined.day) < (
                    18,
                    birth.month,
                    birth.day,
                )
            if too_young:
                error("入党时间", "入党时间早于年满18周岁，请核对入党时间和出生年月")
        return joined

    def _category_and_employer(self, cells, error) -> tuple[str, int | None, str]:
        label = _squash(_text(cells.get("党员类别")))
        category = _CATEGORY_BY_LABEL.get(label, "")
        if not label:
            error("党员类别", "党员类别不能为空")
        elif not category:
            error("党员类别", f"党员类别应为：{'、'.join(MemberCategory.labels)}")
        employer_name = _squash(_text(cells.get("工作单位")))
        employer_id, known_name = self.employer_by_key.get(_key(employer_name), (None, employer_name))
        if category == MemberCategory.IN_SERVICE:
            if not employer_name:
                error("工作单位", "在职党员须填写工作单位")
            elif employer_id is None:
                # the value itself, so the office can see a typo or an employer the town has not listed
                error("工作单位", f"{UNKNOWN_EMPLOYER_MESSAGE}：{employer_name}")
        # Other categories may name a former employer; it is kept only when the town knows it.
        return str(category), employer_id, known_name

    def _mobile(self, value, error) -> str:
        if _is_blank(value):
            return ""
        text = _number_text(value) if isinstance(value, int | float) else _squash(str(value))
        text = re.sub(r"[-－—]", "", text)
        if text.startswith("+86"):
            text = text[3:]
        try:
            validate_mobile(text)
        except ValidationError as exc:
            error("联系电话", exc.messages[0])
        return text

    def _community(self, value, error) -> tuple[int | None, str]:
        name = _squash(_text(value))
        if not name:
            error("居住社区", "居住社区不能为空")
            return None, ""
        found = self.community_by_key.get(_key(name)) or self.community_by_key.get(_key(name) + "社区")
        if found is None:
            error("居住社区", f"「{name}」不是{self.town.name}的社区")
            return None, name
        community_id, community_name = found
        if community_id not in self.allowed:
            error("居住社区", NOT_YOURS_MESSAGE)
        return community_id, community_name

    def _existing_person(self, valid_id: str, community_id: int | None, error) -> int | None:
        if not valid_id:
            return None
        existing = self.existing.get(valid_id)
        if existing is None:
            return None
        if existing["community_id"] not in self.allowed:
            # Do not say where: the other community's roster is not this user's to see.
            error("身份证号码", "此人已在其他社区登记，不属于您管理的社区；如已搬入，请原社区办理转移")
            return None
        registered_at = self.active_registration_community.get(existing["pk"])
        if community_id and existing["community_id"] != community_id and registered_at:
            error(
                "居住社区",
                f"此人已在{registered_at}报到，搬家请办理报到转移，不能通过花名册修改居住社区",
            )
        return existing["pk"]

    # -- whole file -------------------------------------------------------------------------------------

    def summary(self, *, valid_rows: list[dict]) -> dict:
        names = {pk: name for pk, name in self.community_by_key.values()}
        per_community: dict[str, dict] = {}
        for row in valid_rows:
            entry = per_community.setdefault(
                row["community"], {"rows": 0, "new_people": 0, "updated_people": 0, "new_buildings": 0}
            )
            entry["rows"] += 1
            entry["updated_people" if row["person_id"] else "new_people"] += 1
        for community_id, _ in self.new_buildings:
            per_community[names[community_id]]["new_buildings"] += 1
        return {
            "rows": self.data_rows,
            "valid_rows": len(valid_rows),
            "error_rows": self.error_rows,
            "new_people": sum(1 for r in valid_rows if not r["person_id"]),
            "updated_people": sum(1 for r in valid_rows if r["person_id"]),
            "new_buildings": len(self.new_buildings),
            "communities": per_community,
            # rows of other communities of the town, by community (not the uploader's to write)
            "other_communities": dict(sorted(self.other_community_rows.items())),
        }


# --------------------------------------------------------------------------------------------- helpers
