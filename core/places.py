"""The places the platform knows: Shiyan's county-level divisions and Beijing's districts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class County(models.TextChoices):
    """Shiyan's county-level divisions, plus its two functional zones (see DOMAIN.md)."""

    MAOJIAN = "maojian", _("Maojian District")
    ZHANGWAN = "zhangwan", _("Zhangwan District")
    YUNYANG = "yunyang", _("Yunyang District")
    DANJIANGKOU = "danjiangkou", _("Danjiangkou City")
    YUNXI = "yunxi", _("Yunxi County")
    ZHUSHAN = "zhushan", _("Zhushan County")
    ZHUXI = "zhuxi", _("Zhuxi County")
    FANGXIAN = "fangxian", _("Fang County")
    DEVELOPMENT_ZONE = "kaifaqu", _("Shiyan Economic and Technological Development Zone")
    WUDANGSHAN = "wudangshan", _("Wudangshan Tourism Economic Zone")


class BeijingDistrict(models.TextChoices):
    """Beijing's 16 districts; the value is what an address stores and a courier reads."""

    DONGCHENG = "东城区", _("Dongcheng District")
    XICHENG = "西城区", _("Xicheng District")
    CHAOYANG = "朝阳区", _("Chaoyang District")
    HAIDIAN = "海淀区", _("Haidian District")
    FENGTAI = "丰台区", _("Fengtai District")
    SHIJINGSHAN = "石景山区", _("Shijingshan District")
    MENTOUGOU = "门头沟区", _("Mentougou District")
    FANGSHAN = "房山区", _("Fangshan District")
    TONGZHOU = "通州区", _("Tongzhou District")
    SHUNYI = "顺义区", _("Shunyi District")
    CHANGPING = "昌平区", _("Changping District")
    DAXING = "大兴区", _("Daxing District")
    HUAIROU = "怀柔区", _("Huairou District")
    PINGGU = "平谷区", _("Pinggu District")
    MIYUN = "密云区", _("Miyun District")
    YANQING = "延庆区", _("Yanqing District")


def counties_matching(text: str) -> list[str]:
    """Codes of the counties whose Chinese or English name contains ``text``."""
    text = text.strip().lower()
    if not text:
        return []
    from django.utils import translation

    matches = []
    for code, label in County.choices:
        names = {str(label).lower(), code}
        with translation.override("zh-hans"):
            names.add(str(label))
        with translation.override("en"):
            names.add(str(label).lower())
        if any(text in name for name in names):
            matches.append(code)
    return matches
