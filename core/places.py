"""The places the platform knows: Shiyan's county-level divisions and Beijing's districts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.TextChoices):
    """Shiyan's county-level divisions, plus its two functional zones (see DOMAIN.md)."""

    MAOJIAN = "maojian", _("茅箭区")
    ZHANGWAN = "zhangwan", _("张湾区")
    YUNYANG = "yunyang", _("郧阳区")
    DANJIANGKOU = "danjiangkou", _("丹江口市")
    YUNXI = "yunxi", _("郧西县")
    ZHUSHAN = "zhushan", _("竹山县")
    ZHUXI = "zhuxi", _("竹溪县")
    FANGXIAN = "fangxian", _("房县")
    DEVELOPMENT_ZONE = "kaifaqu", _("十堰经济技术开发区")
    WUDANGSHAN = "wudangshan", _("武当山旅游经济特区")


class BeijingDistrict(models.TextChoices):
    """Beijing's 16 districts; the value is what an address stores and a courier reads."""

    DONGCHENG = "东城区", _("东城区")
    XICHENG = "西城区", _("西城区")
    CHAOYANG = "朝阳区", _("朝阳区")
    HAIDIAN = "海淀区", _("海淀区")
    FENGTAI = "丰台区", _("丰台区")
    SHIJINGSHAN = "石景山区", _("石景山区")
    MENTOUGOU = "门头沟区", _("门头沟区")
    FANGSHAN = "房山区", _("房山区")
    TONGZHOU = "通州区", _("通州区")
    SHUNYI = "顺义区", _("顺义区")
    CHANGPING = "昌平区", _("昌平区")
    DAXING = "大兴区", _("大兴区")
    HUAIROU = "怀柔区", _("怀柔区")
    PINGGU = "平谷区", _("平谷区")
    MIYUN = "密云区", _("密云区")
    YANQING = "延庆区", _("延庆区")


def counties_matching(text: str) -> list[str]:
    """Codes of the counties whose Chinese or English name contains ``text``."""
    text = text.strip().lower()
    if not text:
        return []
    return [
        code
        for code, label in County.choices
        if text in str(label).lower() or text in code or str(label).startswith(text)
    ]
